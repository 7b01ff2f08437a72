from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import emails
from .models import Attendance, Enrolment, Session

# (kind and mark, how long before the start it is due, how close to the start it is no
# longer sent). The week reminder is skipped when the session is under two days away (a late
# enrolment, a late run): the day-before one follows within hours and says the same.
REMINDERS = [
    ("reminder_7", "reminder_7_sent_at", timedelta(days=7), timedelta(days=2)),
    ("reminder_1", "reminder_1_sent_at", timedelta(days=1), timedelta(0)),
]


def _claim(enrolment, field):
    """Marks the message as sent unless another run already did: once, even if run twice.

    The mark and the message (saved in the outbox) commit together: a run killed midway
    leaves each reminder either sent-and-queued or untouched for the next run."""
    return Enrolment.objects.filter(pk=enrolment.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    ) == 1


@shared_task
def send_reminders():
    """Reminders a week and a day before the session, to confirmed participants: each says
    the real delay ("dans 5 jours", "demain") and carries the session's invitation."""
    now = timezone.now()
    sent = 0
    for kind, field, due_before, not_within in REMINDERS:
        due = (
            Enrolment.objects.filter(
                status=Enrolment.Status.CONFIRMED, session__status=Session.Status.SCHEDULED,
                session__start__gt=now + not_within, session__start__lte=now + due_before,
                **{f"{field}__isnull": True},
            ).select_related("session__course", "session__commune__department", "user")
        )
        for enrolment in due:
            with transaction.atomic():
                if _claim(enrolment, field):
                    emails.notify(enrolment, kind, key=f"{kind}:{enrolment.pk}:"
                                                       f"{enrolment.session.start.isoformat()}")
                    sent += 1
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=60, retry_backoff_max=3600,
             max_retries=10)
def send_without_trace(message):
    """Delivers a message kept nowhere in the database: the CANCELs sent to an account
    being erased (its address must not stay in the outbox). The message lives in the
    broker until delivered; SMTP and network errors are retried with backoff."""
    from accounts.outbox import build

    build(**message).send()


@shared_task
def send_surveys():
    """The satisfaction survey link, once, after the session ended, to those who came: the
    session's external questionnaire when it names one, else the built-in questionnaire
    (a personal link, also in "Mon espace": academy/surveys.py)."""
    from . import surveys

    now = timezone.now()
    due = (
        Enrolment.objects.filter(
            status=Enrolment.Status.CONFIRMED, survey_sent_at__isnull=True,
            session__end__lte=now, session__end__gte=now - timedelta(days=30),
            session__status=Session.Status.SCHEDULED,
        )
        .filter(attendances__status=Attendance.Status.PRESENT).distinct()
        .select_related("session__course", "session__commune__department", "user")
    )
    sent = 0
    for enrolment in due:
        with transaction.atomic():
            if not _claim(enrolment, "survey_sent_at"):
                continue
            if enrolment.session.survey_url:
                emails.notify(enrolment, "survey", key=f"survey:{enrolment.pk}")
                sent += 1
            elif surveys.send_invitation(enrolment):
                sent += 1
    return sent


@shared_task
def send_survey_reminders():
    """The built-in questionnaire's reminder, once, to those who have not answered."""
    from . import surveys

    return surveys.send_reminders()


@shared_task
def send_survey_follow_ups():
    """The follow-up questionnaire, once, 3 months after the session, to those who came."""
    from . import surveys

    return surveys.send_follow_ups()


@shared_task
def expire_waitlist_offers():
    """Waiting-list offers past their deadline: closed, the seat offered to the next
    person (academy.offers); idempotent."""
    from . import offers

    return offers.expire_offers()
