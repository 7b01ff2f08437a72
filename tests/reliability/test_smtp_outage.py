"""An SMTP outage of up to a day loses no message: a real SMTP server (aiosmtpd) stays
stopped for a simulated day while the minute flush runs as the beat would; then it is
started and every message arrives once. Longer than a day: the messages are failed and
the ANCT administrators see it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import outbox, tasks
from accounts.emails import queue_email
from accounts.models import OutgoingEmail
from accounts.roles import Role
from tests import factories as make
from tests.reliability.servers import SmtpSink

pytestmark = pytest.mark.django_db
Status = OutgoingEmail.Status
MESSAGES = 10


class Clock:
    """The simulated clock every ``timezone.now()`` reads (the outbox, auto_now fields)."""

    def __init__(self):
        self.now = timezone.now()
        self.start = self.now

    def __call__(self):
        return self.now

    def elapsed(self):
        return self.now - self.start


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def smtp(settings):
    """A real SMTP server, not started yet: its port refuses connections."""
    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    if sink.controller is not None:
        sink.stop()


def queue_messages(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return [queue_email(subject=f"Inscription confirmée {n}", to=[f"elu{n}@commune.fr"],
                            text="Votre inscription est confirmée.") for n in range(MESSAGES)]


def run_the_minute_flush(clock, until, *, stop_when=lambda: False):
    """celery beat's schedule: flush_outbox every minute of the simulated clock."""
    while clock.elapsed() < until and not stop_when():
        clock.now += timedelta(minutes=1)
        tasks.flush_outbox()


def test_an_smtp_outage_of_a_day_loses_nothing(clock, smtp,
                                               django_capture_on_commit_callbacks):
    queued = queue_messages(django_capture_on_commit_callbacks)
    assert OutgoingEmail.objects.filter(status=Status.PENDING, attempts=1).count() == MESSAGES

    attempt_times = {outgoing.pk: [] for outgoing in queued}
    seen = {outgoing.pk: 1 for outgoing in queued}
    # The SMTP server is down all day: at every flush from 0:01 to 23:59, and was already
    # when the messages were queued (0:00).
    while clock.elapsed() < timedelta(hours=23, minutes=59):
        run_the_minute_flush(clock, clock.elapsed() + timedelta(minutes=1))
        for pk, attempts in OutgoingEmail.objects.values_list("pk", "attempts"):
            if attempts > seen[pk]:
                attempt_times[pk].append(clock.elapsed())
                seen[pk] = attempts
        assert not OutgoingEmail.objects.exclude(status=Status.PENDING).exists()
    assert smtp.received() == []

    smtp.start()  # back 24 h after the first failure, for the flush at 24:00
    run_the_minute_flush(clock, timedelta(hours=26), stop_when=lambda: not OutgoingEmail
                         .objects.exclude(status=Status.SENT).exists())
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == MESSAGES  # 0 lost
    received = smtp.received()
    assert sorted(m["To"] for m in received) == sorted(f"elu{n}@commune.fr"
                                                       for n in range(MESSAGES))
    assert {m["Message-ID"] for m in received} == {outbox.message_id(o) for o in queued}
    # Attempts spread over the day: never more than an hour (and the flush's minute) apart.
    for times in attempt_times.values():
        gaps = [later - earlier for earlier, later in zip([timedelta(0), *times], times,
                                                          strict=False)]
        assert max(gaps) <= timedelta(minutes=61) and times[-1] >= timedelta(hours=23)
        assert 20 <= len(times) + 1 <= 60
    assert clock.elapsed() <= timedelta(hours=25, minutes=1)  # delivered within the hour


def test_after_more_than_a_day_of_failures_messages_are_failed_and_admins_are_told(
        clock, smtp, client, django_capture_on_commit_callbacks):
    queued = queue_messages(django_capture_on_commit_callbacks)
    run_the_minute_flush(clock, timedelta(hours=23, minutes=59))
    assert OutgoingEmail.objects.filter(status=Status.PENDING).count() == MESSAGES
    run_the_minute_flush(clock, timedelta(hours=25, minutes=2))
    failed = OutgoingEmail.objects.filter(status=Status.FAILED)
    assert failed.count() == MESSAGES
    for outgoing in failed:
        assert outgoing.updated_at - outgoing.failing_since >= outbox.GIVE_UP_AFTER
        assert "ConnectionRefusedError" in outgoing.last_error
    run_the_minute_flush(clock, timedelta(hours=27))
    assert failed.count() == MESSAGES  # never retried by the flush

    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    assert "10 courriels n'ont pas pu être envoyés" in client.get("/admin/").content.decode()
    smtp.start()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/outgoing_emails/renvoyer/{queued[0].pk}/")
    assert [m["To"] for m in smtp.received()] == ["elu0@commune.fr"]
    assert "9 courriels n'ont pas pu être envoyés" in client.get("/admin/").content.decode()
