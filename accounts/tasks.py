from email.mime.text import MIMEText

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(self, *, subject, to, text, html=None, from_email=None, calendar=None):
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    if html:
        message.attach_alternative(html, "text/html")
    if calendar:
        message.attach(calendar_part(calendar["content"], calendar["method"]))
    message.send()


def calendar_part(content, method):
    """An iMIP part (RFC 6047): text/calendar with the METHOD repeated as a parameter."""
    part = MIMEText(content, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment",
                    filename="annulation.ics" if method == "CANCEL" else "invitation.ics")
    return part


@shared_task
def clear_expired_sessions():
    call_command("clearsessions")
