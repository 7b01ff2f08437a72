"""Delivery of the outbox (``OutgoingEmail``): claim, send, record the outcome.

A message goes pending → sending → sent. After an SMTP or network error it goes back to
pending with its next attempt scheduled in the row (bounded exponential backoff with
jitter: about 1, 2, 4… minutes, then every 30 to 60 minutes); the minute flush
(``accounts.tasks.flush_outbox``) hands it to a worker when due. Only after a whole day of
failures (``GIVE_UP_AFTER`` since the first one) is it marked failed, shown in the admin.
So an SMTP outage of up to 24 hours loses nothing.

Claiming is one conditional UPDATE, so two workers given the same message (a task re-run,
a retry and the periodic flush) never both send it. ``sent`` is recorded as soon as the
SMTP server has accepted the message, before the session is closed (QUIT). The window left
for a duplicate is a worker killed between the server's acceptance and that UPDATE (a few
milliseconds): the message stays "sending" and is sent again after ``STALE_AFTER`` (losing
it would be worse), with the same Message-ID (derived from the outbox key), which mail
clients use to fold the two copies."""

import hashlib
import logging
import random
from datetime import timedelta
from email.mime.text import MIMEText
from email.utils import parseaddr
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingEmail

Status = OutgoingEmail.Status
logger = logging.getLogger(__name__)

BACKOFF_FIRST = 60  # seconds before the second attempt (at most; jitter draws in [½, 1])
BACKOFF_MAX = 60 * 60  # seconds: the longest wait between two attempts
GIVE_UP_AFTER = timedelta(hours=24)  # of failures in a row: then "failed", admin alerted
FRESH_AFTER = timedelta(seconds=60)  # never tried: the broker was down at commit time
HANDED_FOR = timedelta(minutes=5)  # handed to a worker by the flush: not handed again before
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
    # or "retry": ``error`` (SMTP or network), the next attempt scheduled in ``delay`` s
    error: OSError | None = None
    delay: float = 0


# name: function(**composer_arguments) -> {"subject", "text", "html", "calendar"}, registered
# by the feature apps (academy: the enrolment messages) in their ready().
COMPOSERS = {}


class CannotCompose(Exception):
    """What the message was about is gone (an enrolment deleted): it is not sent."""


def register_composer(name, function):
    COMPOSERS[name] = function


def compose(outgoing: OutgoingEmail) -> None:
    """Writes a message queued to be written by its worker (``composer``): subject, bodies
    and invitation, saved on the row so that a retry or a resend sends the same text."""
    if not outgoing.composer or outgoing.subject:
        return
    written = COMPOSERS[outgoing.composer](**outgoing.composer_arguments)
    calendar = written.get("calendar")
    outgoing.subject, outgoing.text = written["subject"], written["text"]
    outgoing.html = written.get("html") or ""
    outgoing.calendar_method = calendar["method"] if calendar else ""
    outgoing.calendar_content = calendar["content"] if calendar else ""
    outgoing.save(update_fields=["subject", "text", "html", "calendar_method",
                                 "calendar_content"])


def deliver(outgoing_id) -> Attempt:
    """One attempt at sending the message."""
    outgoing = claim(outgoing_id)
    if outgoing is None:
        return Attempt("skipped")
    try:
        compose(outgoing)
    except CannotCompose as error:
        record_failure(outgoing, error, final=True)
        logger.info("Email %s not written: %s", outgoing_id, error)
        return Attempt("failed")
    except Exception as error:  # a bug in a composer: shown in the admin, not retried
        record_failure(outgoing, error, final=True)
        raise
    connection = get_connection()
    try:
        message = build_message(outgoing, connection)
        connection.open()
        connection.send_messages([message])
    except OSError as error:  # smtplib.SMTPException, refused connections, timeouts
        close_quietly(connection)
        delay = record_failure(outgoing, error)
        if delay is None:
            logger.error("Email %s failed after %s attempts over %s: %s", outgoing_id,
                         outgoing.attempts, GIVE_UP_AFTER, error)
            return Attempt("failed")
        return Attempt("retry", error, delay)
    except Exception as error:
        close_quietly(connection)
        record_failure(outgoing, error, final=True)
        raise
    # The server has the message (250 after DATA): recorded before QUIT, so that a worker
    # killed while closing the session does not send it again.
    mark_sent(outgoing)
    close_quietly(connection)
    return Attempt("sent")


def close_quietly(connection):
    try:
        connection.close()
    except Exception as error:  # the message is sent or will be retried either way
        logger.info("Closing the SMTP session failed: %s", error)


def message_id(outgoing: OutgoingEmail) -> str:
    """The same Message-ID for every copy of one outbox message: a copy sent again after a
    worker died is folded into the first by mail clients."""
    digest = hashlib.sha256(outgoing.key.encode()).hexdigest()[:40]
    domain = parseaddr(outgoing.from_email or settings.DEFAULT_FROM_EMAIL)[1]
    domain = domain.rpartition("@")[2] or "anct.gouv.fr"
    return f"<outbox.{digest}@{domain}>"


def build_message(outgoing: OutgoingEmail, connection=None) -> EmailMultiAlternatives:
    return build(subject=outgoing.subject, to=outgoing.to, text=outgoing.text,
                 html=outgoing.html, from_email=outgoing.from_email,
                 calendar=({"method": outgoing.calendar_method,
                            "content": outgoing.calendar_content}
                           if outgoing.calendar_method else None),
                 headers={"Message-ID": message_id(outgoing)}, connection=connection)


def build(*, subject, to, text, html=None, from_email=None, calendar=None, headers=None,
          connection=None):
    message = EmailMultiAlternatives(subject=subject, body=text,
                                     from_email=from_email or settings.DEFAULT_FROM_EMAIL,
                                     to=list(to), headers=headers, connection=connection)
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
        status=Status.SENT, sent_at=now, updated_at=now, last_error="", next_attempt_at=None)


def record_failure(outgoing: OutgoingEmail, error: BaseException, *, final=False):
    """Back to pending with the next attempt scheduled (returns its delay in seconds), or
    failed (returns None): at once for an error that is not SMTP's nor the network's,
    after ``GIVE_UP_AFTER`` of failures otherwise."""
    now = timezone.now()
    failing_since = outgoing.failing_since or now
    final = final or now - failing_since >= GIVE_UP_AFTER
    delay = None if final else retry_delay(outgoing.attempts)
    OutgoingEmail.objects.filter(pk=outgoing.pk, status=Status.SENDING).update(
        status=Status.FAILED if final else Status.PENDING,
        last_error=f"{type(error).__name__}: {error}"[:2000], updated_at=now,
        failing_since=failing_since,
        next_attempt_at=None if final else now + timedelta(seconds=delay))
    return delay


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt, after ``attempts`` failed ones: doubling from
    ``BACKOFF_FIRST`` up to ``BACKOFF_MAX``, drawn in the upper half (so that attempts
    spread without ever coming faster than half the step)."""
    ceiling = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(attempts - 1, 20))
    return random.uniform(ceiling / 2, ceiling)


def _due():
    return OutgoingEmail.objects.due(timezone.now(), fresh_after=FRESH_AFTER,
                                     stale_after=STALE_AFTER)


def due_ids(limit=500) -> list[int]:
    """Messages the periodic flush hands to a worker (see ``OutgoingEmailQuerySet.due``)."""
    return list(_due().order_by("created_at").values_list("pk", flat=True)[:limit])


def take_due(outgoing_id) -> bool:
    """Back to pending and touched, if still due, and not due again for ``HANDED_FOR``: the
    next flushes leave it to the worker it is handed to now (and hand it again if that
    worker never claims it), and a worker that claimed it meanwhile keeps it."""
    now = timezone.now()
    return _due().filter(pk=outgoing_id).update(
        status=Status.PENDING, updated_at=now, next_attempt_at=now + HANDED_FOR) == 1


def purge_sent() -> int:
    cutoff = timezone.now() - KEEP_SENT
    return OutgoingEmail.objects.filter(status=Status.SENT, sent_at__lt=cutoff).delete()[0]
