"""Delivery of the outbox (``OutgoingEmail``): claim, send, record the outcome.

A message goes pending → sending → sent, or back to pending after an SMTP error until the
last attempt, which leaves it failed (shown in the admin). Claiming is one conditional
UPDATE, so two workers given the same message (a task re-run, a retry and the periodic
flush) never both send it. The only window for a duplicate is a worker killed after the
SMTP server accepted the message and before "sent" is saved: the message stays "sending"
and is tried again after ``STALE_AFTER``; losing it would be worse."""

import logging
from datetime import timedelta
from email.mime.text import MIMEText
from typing import NamedTuple

from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingEmail

Status = OutgoingEmail.Status
logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # the first try and 5 retries
BACKOFF_FACTOR = 30  # seconds: about 30 s, 1, 2, 4, 8 min between attempts (full jitter)
BACKOFF_MAX = 15 * 60
FRESH_AFTER = timedelta(seconds=60)  # never tried: the broker was down at commit time
LOST_AFTER = timedelta(minutes=30)  # longer than any backoff: the retry was lost
STALE_AFTER = timedelta(minutes=15)  # "sending" for that long: the worker died
KEEP_SENT = timedelta(days=30)  # sent messages hold personal data: deleted after that


def claim(outgoing_id) -> OutgoingEmail | None:
    """Marks the message "sending" for this worker, or returns None when it is sent,
    failed, or being sent by another worker right now."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(pk=outgoing_id).filter(
        Q(status=Status.PENDING) | Q(status=Status.SENDING, updated_at__lte=now - STALE_AFTER)
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return None
    return OutgoingEmail.objects.get(pk=outgoing_id)


class Attempt(NamedTuple):
    outcome: str  # "sent", "skipped" (sent, failed or taken by another worker), "failed",
    # or "retry": ``error`` (SMTP or network) and another attempt due in ``delay`` seconds
    error: OSError | None = None
    delay: float = 0


def deliver(outgoing_id) -> Attempt:
    """One attempt at sending the message."""
    outgoing = claim(outgoing_id)
    if outgoing is None:
        return Attempt("skipped")
    try:
        build_message(outgoing).send()
    except OSError as error:  # smtplib.SMTPException, refused connections, timeouts
        if record_failure(outgoing, error):
            logger.error("Email %s failed after %s attempts: %s", outgoing_id,
                         outgoing.attempts, error)
            return Attempt("failed")
        return Attempt("retry", error, retry_delay(outgoing))
    except Exception as error:
        record_failure(outgoing, error, final=True)
        raise
    mark_sent(outgoing)
    return Attempt("sent")


def build_message(outgoing: OutgoingEmail) -> EmailMultiAlternatives:
    return build(subject=outgoing.subject, to=outgoing.to, text=outgoing.text,
                 html=outgoing.html, from_email=outgoing.from_email,
                 calendar=({"method": outgoing.calendar_method,
                            "content": outgoing.calendar_content}
                           if outgoing.calendar_method else None))


def build(*, subject, to, text, html=None, from_email=None, calendar=None):
    message = EmailMultiAlternatives(subject=subject, body=text,
                                     from_email=from_email or settings.DEFAULT_FROM_EMAIL,
                                     to=list(to))
    if html:
        message.attach_alternative(html, "text/html")
    if calendar:
        message.attach(calendar_part(calendar["content"], calendar["method"]))
    return message


def calendar_part(content, method):
    """An iMIP part (RFC 6047): text/calendar with the METHOD repeated as a parameter."""
    part = MIMEText(content, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment",
                    filename="annulation.ics" if method == "CANCEL" else "invitation.ics")
    return part


def mark_sent(outgoing: OutgoingEmail) -> None:
    now = timezone.now()
    OutgoingEmail.objects.filter(pk=outgoing.pk).update(
        status=Status.SENT, sent_at=now, updated_at=now, last_error="")


def record_failure(outgoing: OutgoingEmail, error: BaseException, *, final=False) -> bool:
    """Back to pending for another attempt, or failed after the last one (True)."""
    final = final or outgoing.attempts >= MAX_ATTEMPTS
    OutgoingEmail.objects.filter(pk=outgoing.pk, status=Status.SENDING).update(
        status=Status.FAILED if final else Status.PENDING,
        last_error=f"{type(error).__name__}: {error}"[:2000], updated_at=timezone.now())
    return final


def retry_delay(outgoing: OutgoingEmail) -> int:
    return get_exponential_backoff_interval(BACKOFF_FACTOR, outgoing.attempts - 1,
                                            BACKOFF_MAX, full_jitter=True)


def _due():
    return OutgoingEmail.objects.due(timezone.now(), fresh_after=FRESH_AFTER,
                                     lost_after=LOST_AFTER, stale_after=STALE_AFTER)


def due_ids(limit=500) -> list[int]:
    """Messages the periodic flush hands to a worker (see ``OutgoingEmailQuerySet.due``)."""
    return list(_due().order_by("created_at").values_list("pk", flat=True)[:limit])


def take_due(outgoing_id) -> bool:
    """Back to pending and touched, if still due: the next flush leaves it to the worker
    it is handed to now, and a worker that claimed it meanwhile keeps it."""
    return _due().filter(pk=outgoing_id).update(status=Status.PENDING,
                                                updated_at=timezone.now()) == 1


def purge_sent() -> int:
    cutoff = timezone.now() - KEEP_SENT
    return OutgoingEmail.objects.filter(status=Status.SENT, sent_at__lt=cutoff).delete()[0]
