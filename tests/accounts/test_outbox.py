"""The outbox: messages saved with the caller's data, sent once, retried with backoff,
marked failed (and shown to ANCT administrators) after a day of failures, kept when the
broker is down and handed over by the periodic flush. The whole day against a real SMTP
server: tests/reliability/test_smtp_outage.py."""

import smtplib
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from accounts import outbox, tasks
from accounts.emails import queue_composed, queue_email
from accounts.models import OutgoingEmail
from accounts.roles import Role
from config.celery import app
from tests import factories as make
from tests.celery_worker import publishing_to

pytestmark = pytest.mark.django_db
Status = OutgoingEmail.Status
CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that never answers: every send raises, and is counted."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def refusing_smtp(settings):
    RefusingBackend.calls = 0
    settings.EMAIL_BACKEND = "tests.accounts.test_outbox.RefusingBackend"
    return RefusingBackend


def queue(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return queue_email(**{"subject": "Bonjour", "to": ["elu@example.fr"],
                              "text": "Texte", **kwargs})


def test_the_message_is_saved_with_the_callers_data_and_sent_after_commit(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_email(subject="Annulé", to=["a@example.fr"], text="x")
            raise RuntimeError
    assert callbacks == [] and not OutgoingEmail.objects.exists() and mail.outbox == []

    outgoing = queue(django_capture_on_commit_callbacks, html="<p>Texte</p>",
                     calendar={"method": "REQUEST", "content": "BEGIN:VCALENDAR\r\n"})
    outgoing.refresh_from_db()
    assert outgoing.status == Status.SENT and outgoing.attempts == 1 and outgoing.sent_at
    [message] = mail.outbox
    assert message.to == ["elu@example.fr"] and message.alternatives[0][1] == "text/html"
    assert message.attachments[0].get_content_type() == "text/calendar"


def test_a_message_written_by_its_worker_is_written_once_and_kept_as_sent(
        django_capture_on_commit_callbacks, monkeypatch):
    written = []

    def compose(name):
        written.append(name)
        return {"subject": f"Bonjour {name}", "text": "Texte", "html": "<p>Texte</p>",
                "calendar": None}

    monkeypatch.setitem(outbox.COMPOSERS, "tests.hello", compose)
    with django_capture_on_commit_callbacks(execute=True):
        outgoing = queue_composed(composer="tests.hello", arguments={"name": "Lucie"},
                                  to=["elu@example.fr"])
    outgoing.refresh_from_db()
    assert outgoing.status == Status.SENT and outgoing.subject == "Bonjour Lucie"
    assert "(rédigé à l’envoi)" not in str(outgoing)
    [message] = mail.outbox
    assert message.subject == "Bonjour Lucie" and message.body == "Texte"
    assert tasks.send_email(outgoing.pk) == "skipped" and written == ["Lucie"]


def test_a_message_about_something_gone_is_failed_with_the_reason_and_not_sent(
        django_capture_on_commit_callbacks, monkeypatch):
    def compose(enrolment):
        raise outbox.CannotCompose(f"l'inscription {enrolment} n'existe plus")

    monkeypatch.setitem(outbox.COMPOSERS, "tests.gone", compose)
    with django_capture_on_commit_callbacks(execute=True):
        outgoing = queue_composed(composer="tests.gone", arguments={"enrolment": 7},
                                  to=["elu@example.fr"])
    assert str(outgoing) == "(rédigé à l’envoi) → elu@example.fr"
    outgoing.refresh_from_db()
    assert outgoing.status == Status.FAILED and "n'existe plus" in outgoing.last_error
    assert mail.outbox == []


def test_rerunning_the_task_for_a_sent_message_sends_nothing(
        django_capture_on_commit_callbacks):
    outgoing = queue(django_capture_on_commit_callbacks)
    assert tasks.send_email(outgoing.pk) == "skipped"
    assert tasks.send_email.apply(args=[outgoing.pk]).get() == "skipped"
    assert len(mail.outbox) == 1
    outgoing.refresh_from_db()
    assert outgoing.attempts == 1


def test_a_message_another_worker_is_sending_is_left_to_it_unless_that_worker_died():
    outgoing = OutgoingEmail.objects.create(subject="S", to=["a@example.fr"], text="x",
                                            status=Status.SENDING, attempts=1)
    assert tasks.send_email(outgoing.pk) == "skipped" and mail.outbox == []
    OutgoingEmail.objects.filter(pk=outgoing.pk).update(
        updated_at=timezone.now() - outbox.STALE_AFTER - timedelta(seconds=1))
    assert tasks.send_email(outgoing.pk) == "sent" and len(mail.outbox) == 1


def test_the_same_idempotency_key_queues_one_message(django_capture_on_commit_callbacks):
    first = queue(django_capture_on_commit_callbacks, key="reminder_1:42:2026-12-01")
    second = queue(django_capture_on_commit_callbacks, key="reminder_1:42:2026-12-01")
    assert first.pk == second.pk and OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def a_day_of_failures():
    """Moves every failing message's first failure a day back and makes its next attempt
    due: the next flush gives up (the whole day is simulated in tests/reliability)."""
    day_ago = timezone.now() - outbox.GIVE_UP_AFTER
    OutgoingEmail.objects.filter(status=Status.PENDING, attempts__gt=0).update(
        failing_since=day_ago, next_attempt_at=day_ago)


def test_an_smtp_error_schedules_the_next_attempt_and_a_day_of_them_fails_the_message(
        refusing_smtp, django_capture_on_commit_callbacks):
    before = timezone.now()
    outgoing = queue(django_capture_on_commit_callbacks)
    outgoing.refresh_from_db()
    assert refusing_smtp.calls == 1 and outgoing.status == Status.PENDING
    assert outgoing.failing_since >= before and "SMTPServerDisconnected" in outgoing.last_error
    wait = (outgoing.next_attempt_at - outgoing.failing_since).total_seconds()
    assert outbox.BACKOFF_FIRST / 2 <= wait <= outbox.BACKOFF_FIRST + 1
    assert tasks.flush_outbox() == 0  # not due yet
    OutgoingEmail.objects.update(next_attempt_at=timezone.now())
    assert tasks.flush_outbox() == 1 and refusing_smtp.calls == 2
    outgoing.refresh_from_db()
    assert outgoing.status == Status.PENDING and outgoing.attempts == 2

    a_day_of_failures()
    assert tasks.flush_outbox() == 1 and refusing_smtp.calls == 3
    outgoing.refresh_from_db()
    assert outgoing.status == Status.FAILED and outgoing.next_attempt_at is None
    # Neither the flush nor the task take it again: it waits for "Renvoyer".
    assert tasks.flush_outbox() == 0
    assert tasks.send_email(outgoing.pk) == "skipped" and refusing_smtp.calls == 3


def test_backoff_doubles_up_to_an_hour_with_jitter(monkeypatch):
    monkeypatch.setattr("random.uniform", lambda low, high: high)
    tops = [outbox.retry_delay(n) for n in range(1, 40)]
    assert tops[:6] == [60, 120, 240, 480, 960, 1920] and set(tops[6:]) == {3600}
    monkeypatch.setattr("random.uniform", lambda low, high: low)
    assert outbox.retry_delay(1) == 30 and outbox.retry_delay(30) == 1800


def test_each_message_has_a_message_id_of_its_own_kept_by_every_copy(
        django_capture_on_commit_callbacks):
    outgoing = queue(django_capture_on_commit_callbacks, key="survey:12")
    other = queue(django_capture_on_commit_callbacks)
    first, second = (m.message()["Message-ID"] for m in mail.outbox)
    assert first != second and first == outbox.message_id(outgoing)
    assert first.startswith("<outbox.") and first.endswith("@anct.gouv.fr>")
    assert outbox.message_id(OutgoingEmail(key="survey:12")) == first != outbox.message_id(
        other)


def test_failed_messages_show_an_alert_and_a_listing_to_anct_admins_only(
        client, refusing_smtp, django_capture_on_commit_callbacks, settings):
    outgoing = queue(django_capture_on_commit_callbacks, subject="Rappel : Budget demain",
                     text="Texte secret")
    queue(django_capture_on_commit_callbacks, subject="Autre")
    a_day_of_failures()
    assert tasks.flush_outbox() == 2
    editor = make.staff_user(Role.ANCT_EDITOR)
    client.force_login(editor)
    assert "pas pu être envoyé" not in client.get("/admin/").content.decode()
    assert client.get("/admin/outgoing_emails/").status_code in (302, 403)

    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    home = client.get("/admin/").content.decode()
    assert "2 courriels n'ont pas pu être envoyés" in home
    assert "/admin/outgoing_emails/?status=failed" in home
    listing = client.get("/admin/outgoing_emails/?status=failed").content.decode()
    assert "Rappel : Budget demain" in listing and "elu@example.fr" in listing
    assert client.get("/admin/outgoing_emails/?status=sent").context["object_list"] \
        .count() == 0
    inspect = client.get(f"/admin/outgoing_emails/inspect/{outgoing.pk}/").content.decode()
    assert "SMTPServerDisconnected" in inspect and "Renvoyer" in inspect
    assert "Texte secret" not in inspect  # bodies may hold password reset links

    # The SMTP server is back: "Renvoyer" sends it, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/outgoing_emails/renvoyer/{outgoing.pk}/")
    assert response.status_code == 302
    outgoing.refresh_from_db()
    assert outgoing.status == Status.SENT and [m.subject for m in mail.outbox] == [
        "Rappel : Budget demain"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/outgoing_emails/renvoyer/{outgoing.pk}/")
    assert len(mail.outbox) == 1
    home = client.get("/admin/").content.decode()
    assert "1 courriel n'a pas pu être envoyé" in home


def test_messages_queued_before_the_outbox_are_still_sent():
    assert tasks.send_email(subject="Ancien", to=["a@example.fr"], text="x") == "sent"
    assert mail.outbox[0].subject == "Ancien"


def test_the_flush_hands_over_forgotten_messages_and_leaves_recent_ones():
    now = timezone.now()
    long_ago = now - timedelta(hours=2)

    def row(status, attempts, updated_at, next_attempt_at=None):
        outgoing = OutgoingEmail.objects.create(subject=f"{status}-{attempts}", to=["a@b.fr"],
                                                text="x", status=status, attempts=attempts)
        OutgoingEmail.objects.filter(pk=outgoing.pk).update(updated_at=updated_at,
                                                            next_attempt_at=next_attempt_at)
        return outgoing

    forgotten = [row(Status.PENDING, 0, now - timedelta(minutes=2)),  # broker was down
                 row(Status.PENDING, 2, long_ago, now - timedelta(seconds=1)),  # retry due
                 row(Status.SENDING, 1, long_ago)]  # its worker died
    row(Status.PENDING, 0, now)  # its task is on its way
    row(Status.PENDING, 2, long_ago, now + timedelta(minutes=5))  # waiting for its retry
    row(Status.PENDING, 0, long_ago, now + timedelta(minutes=3))  # handed a minute ago
    row(Status.SENDING, 1, now - timedelta(minutes=1))  # being sent
    row(Status.FAILED, 6, long_ago)
    sent = row(Status.SENT, 1, long_ago)
    OutgoingEmail.objects.filter(pk=sent.pk).update(sent_at=now - timedelta(days=31))

    assert tasks.flush_outbox() == 3
    assert sorted(m.subject for m in mail.outbox) == sorted(o.subject for o in forgotten)
    assert not OutgoingEmail.objects.filter(pk=sent.pk).exists()  # personal data purged
    assert tasks.flush_outbox() == 0 and len(mail.outbox) == 3


def test_with_the_broker_down_queueing_answers_at_once_and_keeps_the_message(
        django_capture_on_commit_callbacks, caplog):
    """Real kombu/redis client against a closed port: no hang, no exception."""
    with publishing_to(CLOSED_PORT_BROKER):
        started = time.monotonic()
        outgoing = queue(django_capture_on_commit_callbacks)
        elapsed = time.monotonic() - started
    assert elapsed < 3, f"publishing to a dead broker took {elapsed:.1f} s"
    outgoing.refresh_from_db()
    assert outgoing.status == Status.PENDING and outgoing.attempts == 0
    assert mail.outbox == [] and "kept in the outbox" in caplog.text
    assert app.conf.task_always_eager  # restored for the other tests
