"""Outgoing email: every message leaves through a Celery task queued after commit."""

from django.db import transaction

from .tasks import send_email


def queue_email(*, subject: str, to: list[str], text: str, html: str | None = None,
                from_email: str | None = None, calendar: dict | None = None) -> None:
    """Send an email once the current transaction commits (at once outside a transaction).

    ``calendar``: {"method": "REQUEST" | "CANCEL", "content": iCalendar text}, sent as an
    invitation that mail clients offer to add to (or remove from) the calendar."""
    payload = {"subject": subject, "to": list(to), "text": text, "html": html,
               "from_email": from_email, "calendar": calendar}
    transaction.on_commit(lambda: send_email.delay(**payload))
