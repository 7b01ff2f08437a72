"""Faults around enrolment messages: Redis down when an élu enrols, a reminder run killed
midway. The enrolment and the reminders' marks commit with their messages (the outbox),
so nothing is lost and nothing leaves twice."""

import time
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

import accounts.emails
from academy import emails as academy_emails
from academy import services, tasks
from academy.models import Enrolment, Mandate, OfficialProfile
from accounts import outbox
from accounts.models import OutgoingEmail
from accounts.tasks import flush_outbox
from tests import factories as make
from tests.celery_worker import publishing_to

CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there
Status = OutgoingEmail.Status


@pytest.fixture
def communes(db):
    make.ensure_site()  # a transactional test before this one emptied the page tree
    return make.geography()


def official(email, communes, client=None):
    user = get_user_model().objects.create_user(email=email, password="x",
                                                first_name="Lucie", last_name="Bernard")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 1))
    if client:
        client.force_login(user)
    return user


def a_minute_later():
    """The periodic flush only takes messages nobody took care of for a while."""
    OutgoingEmail.objects.update(
        updated_at=timezone.now() - outbox.FRESH_AFTER - timedelta(seconds=1))


def enrol_while_redis_is_down(client, session):
    with publishing_to(CLOSED_PORT_BROKER):
        started = time.monotonic()
        response = client.post(f"/inscriptions/sessions/{session.pk}/", follow=True)
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 10, f"the page waited {elapsed:.1f} s for Redis"
    assert "est confirmée" in response.content.decode()
    assert Enrolment.objects.get().status == Enrolment.Status.CONFIRMED
    outgoing = OutgoingEmail.objects.get()
    assert outgoing.status == Status.PENDING and outgoing.attempts == 0
    return outgoing


@pytest.mark.django_db(transaction=True)  # commits for real: on_commit runs in the request
def test_redis_down_when_an_elu_enrols_the_page_answers_and_the_email_leaves_later(client,
                                                                                 communes):
    session = make.session(make.course("Gérer une crise"), communes["Beauvais"])
    official("maire@beauvais.fr", communes, client)
    enrol_while_redis_is_down(client, session)
    assert mail.outbox == []

    a_minute_later()
    assert flush_outbox() == 1  # Redis is back (here: tasks run in-process)
    assert [m.to for m in mail.outbox] == [["maire@beauvais.fr"]]
    assert mail.outbox[0].subject == "Inscription confirmée : Gérer une crise"
    assert flush_outbox() == 0 and len(mail.outbox) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_then_back_a_real_worker_delivers_the_enrolment_email(
        client, communes, celery_worker):
    session = make.session(make.course("Gérer une crise"), communes["Beauvais"])
    official("maire@beauvais.fr", communes, client)
    outgoing = enrol_while_redis_is_down(client, session)
    assert celery_worker.mails() == []

    # Redis answers again (the fixture publishes to the live broker): the flush beat job
    # hands the message to the worker.
    a_minute_later()
    assert flush_outbox() == 1
    mails = celery_worker.wait_for_mails(1, timeout=60)
    assert len(mails) == 1, f"worker log: {celery_worker.log_path.read_text()[-2000:]}"
    [message] = mails
    assert "To: maire@beauvais.fr" in message and "text/calendar" in message
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and outgoing.status != Status.SENT:
        time.sleep(0.2)
        outgoing.refresh_from_db()
    assert outgoing.status == Status.SENT and outgoing.attempts == 1
    assert flush_outbox() == 0


# --- a reminder run killed midway ------------------------------------------------------------

class WorkerKilled(BaseException):
    """What the process sees of a SIGKILL: nothing after this point runs."""


def tomorrows_participants(communes, count=4):
    soon = make.session(make.course("Demain"), communes["Paris"], days=0,
                        start=timezone.now() + timedelta(hours=20),
                        end=timezone.now() + timedelta(hours=27),
                        enrolment_closes=timezone.now() + timedelta(hours=1),
                        cancellation_deadline=timezone.now())
    people = [official(f"elu{n}@example.fr", communes) for n in range(count)]
    for user in people:
        services.enrol(soon.pk, user)
    mail.outbox.clear()
    return people


def reminders_received(people):
    return {user.email: sum(1 for m in mail.outbox
                            # "Rappel : Demain demain", or "… aujourd'hui" for a run after
                            # midnight (the session is 20 hours away)
                            if m.to == [user.email] and m.subject.startswith("Rappel : Demain "))
            for user in people}


@pytest.mark.parametrize("killed", ["after_commit", "inside_transaction"])
@pytest.mark.django_db(transaction=True)
def test_a_reminder_run_killed_midway_then_rerun_sends_each_reminder_once(
        killed, communes, monkeypatch):
    """Killed between a reminder's commit and the hand-over to Redis (the message only
    exists in the outbox), or in the middle of a reminder's transaction (rolled back)."""
    people = tomorrows_participants(communes)
    real_enqueue, real_notify = accounts.emails.enqueue, academy_emails.notify
    calls = []

    def dying(real):
        def call(*args, **kwargs):
            calls.append(args)
            if len(calls) == 2:
                raise WorkerKilled
            return real(*args, **kwargs)
        return call

    if killed == "after_commit":
        monkeypatch.setattr(accounts.emails, "enqueue", dying(real_enqueue))
    else:
        monkeypatch.setattr(academy_emails, "notify", dying(real_notify))
    with pytest.raises(WorkerKilled):
        tasks.send_reminders()
    assert sum(reminders_received(people).values()) == 1

    # A new worker: the next hourly run, and the minute flush.
    monkeypatch.setattr(accounts.emails, "enqueue", real_enqueue)
    monkeypatch.setattr(academy_emails, "notify", real_notify)
    assert tasks.send_reminders() == (2 if killed == "after_commit" else 3)
    a_minute_later()
    flush_outbox()
    assert reminders_received(people) == {user.email: 1 for user in people}

    # Run everything again: nothing more leaves.
    assert tasks.send_reminders() == 0
    a_minute_later()
    assert flush_outbox() == 0
    assert reminders_received(people) == {user.email: 1 for user in people}
    assert OutgoingEmail.objects.filter(key__startswith="reminder_1:").count() == 4


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_with_sigkill_during_a_reminder_run_then_restarted_sends_each_once(
        communes, tmp_path, worker_database_url):
    from tests.celery_worker import CeleryWorker

    people = tomorrows_participants(communes, count=6)
    reminders = OutgoingEmail.objects.filter(key__startswith="reminder_1:")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    slow = CeleryWorker(mail_dir, worker_database_url, app_module="tests.kill_worker_app")
    with publishing_to(slow.broker, slow.queue):
        slow.start()
        try:
            tasks.send_reminders.delay()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and reminders.count() < 2:
                time.sleep(0.05)
            slow.kill()
        finally:
            slow.stop()
        queued_before_the_kill = reminders.count()
        assert 2 <= queued_before_the_kill < len(people), queued_before_the_kill

        worker = CeleryWorker(mail_dir, worker_database_url)
        worker.queue = slow.queue
        worker.start()
        try:
            tasks.send_reminders.delay()  # the next hourly run
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and reminders.count() < len(people):
                time.sleep(0.2)
            a_minute_later()
            flush_outbox()  # the minute job, for a message queued but never published
            mails = worker.wait_for_mails(len(people), timeout=60)
            time.sleep(2)  # anything sent twice would show now
            mails = worker.mails()
        finally:
            worker.stop()
    received = {user.email: sum(1 for m in mails if f"To: {user.email}" in m
                                and "Subject: Rappel : Demain " in m)
                for user in people}
    assert received == {user.email: 1 for user in people}, worker.log_path.read_text()[-2000:]
    assert set(reminders.values_list("status", flat=True)) == {Status.SENT}
