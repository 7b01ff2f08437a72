from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled():
    """Publishes pages whose go-live date has passed and unpublishes expired ones.

    Idempotent: Wagtail only acts on revisions still waiting for their date."""
    call_command("publish_scheduled", verbosity=0)
