"""A worker killed while it sends: "sent" is recorded as soon as the SMTP server accepted the
message, before the session is closed, so a worker killed while closing it sends nothing
twice; in the few milliseconds left (after the server's acceptance, before that record), a
copy sent again carries the same Message-ID, which mail clients fold."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import outbox, tasks
from accounts.emails import queue_email
from accounts.models import OutgoingEmail
from tests.celery_worker import CeleryWorker, publishing_to, wait_until
from tests.reliability.servers import Recorder, SmtpSink

Status = OutgoingEmail.Status
MESSAGES = 10


def smtp_settings(port):
    return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "",
            "EMAIL_USE_SSL": "", "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_closing_the_smtp_session_sends_nothing_twice(
        tmp_path, worker_database_url):
    recorder = Recorder()
    recorder.hold_quit = True  # the server accepts the message, then takes its time to QUIT
    sink = SmtpSink(recorder).start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = CeleryWorker(mail_dir, worker_database_url, env=smtp_settings(sink.port))
    with publishing_to(worker.broker, worker.queue):
        worker.start()
        try:
            queued = [queue_email(subject=f"Inscription confirmée {n}",
                                  to=[f"elu{n}@commune.fr"], text="Confirmée.")
                      for n in range(MESSAGES)]
            assert recorder.quit_received.wait(60), worker.log_path.read_text()[-2000:]
            [accepted] = sink.received()
            # Accepted by the server, session not closed yet: already recorded as sent.
            [sent] = OutgoingEmail.objects.filter(status=Status.SENT)
            assert accepted["Message-ID"] == outbox.message_id(sent)
            worker.kill()
            recorder.hold_quit = False

            worker.start()  # a new worker; 15 minutes later, the flush hands over the rest
            OutgoingEmail.objects.exclude(status=Status.SENT).update(
                updated_at=timezone.now() - outbox.STALE_AFTER - timedelta(seconds=1))
            tasks.flush_outbox()
            assert wait_until(lambda: OutgoingEmail.objects.filter(
                status=Status.SENT).count() == MESSAGES, timeout=90), \
                worker.log_path.read_text()[-2000:]
            time.sleep(2)
            assert tasks.flush_outbox() == 0
        finally:
            worker.stop()
            sink.stop()
    received = sink.received()
    assert sorted(m["To"] for m in received) == sorted(o.to[0] for o in queued)  # 0 twice
    assert len({m["Message-ID"] for m in received}) == MESSAGES


@pytest.mark.django_db
def test_a_copy_sent_again_after_a_worker_died_has_the_same_message_id(
        settings, django_capture_on_commit_callbacks):
    """The window SMTP leaves: the server accepted the message, the worker died before
    recording it. The copy the flush sends 15 minutes later is the same message."""
    sink = SmtpSink().start()
    for name, value in smtp_settings(sink.port).items():
        setattr(settings, name, int(value) if name == "EMAIL_PORT" else value)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outgoing = queue_email(subject="Rappel", to=["elu@commune.fr"], text="Demain.",
                                   key="reminder_1:7:2026-12-07")
        OutgoingEmail.objects.filter(pk=outgoing.pk).update(  # as if never recorded
            status=Status.SENDING, sent_at=None,
            updated_at=timezone.now() - outbox.STALE_AFTER - timedelta(seconds=1))
        assert tasks.flush_outbox() == 1
    finally:
        sink.stop()
    first, again = sink.received()
    assert first["Message-ID"] == again["Message-ID"] == outbox.message_id(outgoing)
    assert first["Message-ID"].endswith("@anct.gouv.fr>")
