"""Outgoing email: every message is saved in the outbox with the caller's data, then a
Celery task queued after commit delivers it.

If the broker is unreachable at commit time, the page still answers: the message waits in
the outbox and ``accounts.tasks.flush_outbox`` (every minute) hands it to a worker once
the broker is back."""

import logging

from django.db import IntegrityError, transaction

from . import outbox
from .models import OutgoingEmail
from .tasks import send_email

logger = logging.getLogger(__name__)

# Publishing from a request gives up at once when Redis does not answer (one immediate
# reconnection for a stale pooled connection), instead of Celery's default retries.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                        "interval_max": 0.2}


def queue_email(*, subject: str, to: list[str], text: str, html: str | None = None,
                from_email: str | None = None, calendar: dict | None = None,
                key: str | None = None, composed: tuple | None = None) -> OutgoingEmail:
    """Saves the message in the current transaction and sends it once it commits (at once
    outside a transaction).

    ``calendar``: {"method": "REQUEST" | "CANCEL", "content": iCalendar text}, sent as an
    invitation that mail clients offer to add to (or remove from) the calendar.
    ``key``: an idempotency key ("reminder_1:<enrolment>:<start>"…): a second message
    with the same key is not queued again, and the first one is returned."""
    fields = {"subject": subject, "to": list(to), "text": text, "html": html or "",
              "from_email": from_email or "",
              "calendar_method": calendar["method"] if calendar else "",
              "calendar_content": calendar["content"] if calendar else ""}
    if composed:
        fields["composer"], fields["composer_arguments"] = composed
    if key:
        existing = OutgoingEmail.objects.filter(key=key).first()
        if existing is not None:
            return existing
        fields["key"] = key
    try:
        with transaction.atomic():
            outgoing = OutgoingEmail.objects.create(**fields)
    except IntegrityError:
        if not key:
            raise
        return OutgoingEmail.objects.get(key=key)  # the same key, saved concurrently
    transaction.on_commit(lambda: enqueue(outgoing.pk))
    return outgoing


def queue_composed(*, composer: str, arguments: dict, to: list[str],
                   key: str | None = None, composed: tuple | None = None) -> OutgoingEmail:
    """Like ``queue_email``, for a message the worker writes when it sends it: the
    composer registered under that name (``accounts.outbox.register_composer``) is called
    with ``arguments``. The request that decides to send it only saves the row."""
    return queue_email(subject="", to=to, text="", key=key,
                       composed=(composer, arguments))


def enqueue(outgoing_id) -> bool:
    """Hands the message to a worker; False (and a warning) when the broker is down: the
    message stays pending in the outbox for the next ``flush_outbox``."""
    if send_email.app.conf.task_always_eager:
        # No broker (development, tests): one attempt in-process; its outcome is recorded
        # on the message, not raised into the page (a retry waits for flush_outbox).
        outbox.deliver(outgoing_id)
        return True
    try:
        send_email.apply_async(args=[outgoing_id], retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as error:  # kombu.OperationalError, redis errors…
        logger.warning("Email %s kept in the outbox: %s: %s", outgoing_id,
                       type(error).__name__, error)
        return False
    return True


def resend(outgoing: OutgoingEmail) -> bool:
    """"Renvoyer" in the admin: a failed message gets a fresh day of attempts."""
    with transaction.atomic():
        reset = OutgoingEmail.objects.filter(
            pk=outgoing.pk, status=OutgoingEmail.Status.FAILED
        ).update(status=OutgoingEmail.Status.PENDING, attempts=0, last_error="",
                 failing_since=None, next_attempt_at=None)
        if reset:
            transaction.on_commit(lambda: enqueue(outgoing.pk))
    return bool(reset)
