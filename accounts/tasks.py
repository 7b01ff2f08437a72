from celery import shared_task
from django.core.management import call_command

from . import outbox


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_email(self, outgoing_id=None, **legacy):
    """Delivers one message of the outbox; safe to run twice (a sent message is skipped).

    SMTP and network errors are retried with exponential backoff; after the last attempt
    the message is marked failed, and the admin shows it. ``legacy``: the keyword payload
    of messages queued before the outbox existed, sent as they were."""
    if outgoing_id is None:
        outbox.build(**legacy).send()
        return "sent"
    attempt = outbox.deliver(outgoing_id)
    if attempt.outcome == "retry":
        raise self.retry(exc=attempt.error, countdown=attempt.delay)
    return attempt.outcome


@shared_task
def flush_outbox():
    """Every minute: hands to the workers the messages nobody is taking care of (queued
    while the broker was down, retries lost with their worker), and forgets old sent ones.
    Returns how many were handed over."""
    from .emails import enqueue

    handed = 0
    for outgoing_id in outbox.due_ids():
        if not outbox.take_due(outgoing_id):
            continue
        if not enqueue(outgoing_id):
            break  # the broker is down: the next flush tries again
        handed += 1
    outbox.purge_sent()
    return handed


@shared_task
def clear_expired_sessions():
    call_command("clearsessions")
