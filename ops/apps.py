from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Exploitation"

    def ready(self):
        from . import requestlog

        requestlog.connect_celery_signals()
        requestlog.tag_emails_with_request_id()
