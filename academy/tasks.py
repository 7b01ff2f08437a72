from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import emails
from .models import Attendance, Enrolment, Session

REMINDERS = [(7, "reminder_7_sent_at", "reminder_7"), (1, "reminder_1_sent_at", "reminder_1")]


def _claim(enrolment, field):
    """Marks the message as sent unless another run already did: once, even if run twice.

    The mark and the message (saved in the outbox) commit together: a run killed midway
    leaves each reminder either sent-and-queued or untouched for the next run."""
    return Enrolment.objects.filter(pk=enrolment.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    ) == 1


@shared_task
def send_reminders():
    """Reminders 7 days and 1 day before the session, to confirmed participants."""
    now = timezone.now()
    sent = 0
    for days, field, kind in REMINDERS:
        due = (
            Enrolment.objects.filter(
                status=Enrolment.Status.CONFIRMED, session__status=Session.Status.SCHEDULED,
                session__start__gt=now, session__start__lte=now + timedelta(days=days),
                **{f"{field}__isnull": True},
            ).select_related("session__course", "session__commune__department", "user")
        )
        for enrolment in due:
            if days == 7 and enrolment.session.start <= now + timedelta(days=1):
                continue  # too late for the week reminder: the day-before one will go
            with transaction.atomic():
                if _claim(enrolment, field):
                    emails.notify(enrolment, kind, key=f"{kind}:{enrolment.pk}:"
                                                       f"{enrolment.session.start.isoformat()}")
                    sent += 1
    return sent


@shared_task
def send_surveys():
    """The satisfaction survey link, once, after the session ended, to those who came."""
    now = timezone.now()
    due = (
        Enrolment.objects.filter(
            status=Enrolment.Status.CONFIRMED, survey_sent_at__isnull=True,
            session__end__lte=now, session__end__gte=now - timedelta(days=30),
            session__status=Session.Status.SCHEDULED,
        ).exclude(session__survey_url="")
        .filter(attendances__status=Attendance.Status.PRESENT).distinct()
        .select_related("session__course", "session__commune__department", "user")
    )
    sent = 0
    for enrolment in due:
        with transaction.atomic():
            if _claim(enrolment, "survey_sent_at"):
                emails.notify(enrolment, "survey", key=f"survey:{enrolment.pk}")
                sent += 1
    return sent
