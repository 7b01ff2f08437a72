from celery import shared_task
from django.core.management import call_command

from . import outbox


@shared_task(acks_late=True)
def send_email(outgoing_id=None, **legacy):
    """One attempt at delivering one message of the outbox; safe to run twice (a sent
    message is skipped).

    After an SMTP or network error, the next attempt is scheduled in the outbox row, and
    ``flush_outbox`` hands it over when due (nothing waits in the broker, which may lose it);
    after a day of failures the message is marked failed, and the admin shows it.
    ``legacy``: the keyword payload of messages queued before the outbox existed, sent as
    they were."""
    if outgoing_id is None:
        outbox.build(**legacy).send()
        return "sent"
    return outbox.deliver(outgoing_id).outcome


@shared_task
def flush_outbox():
    """Every minute: hands to the workers the messages due (queued while the broker was
    down, retries whose time has come, messages whose worker died), and forgets old sent
    ones. Returns how many were handed over."""
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
