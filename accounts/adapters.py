from allauth.account.adapter import DefaultAccountAdapter

from .emails import queue_email


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's emails (verification, password reset…) through the Celery queue."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        queue_email(
            subject=message.subject,
            to=message.to,
            text=message.body,
            html=html,
            from_email=message.from_email,
        )
