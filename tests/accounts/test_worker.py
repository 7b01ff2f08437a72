"""A real Celery worker, on the real Redis broker, sends the email a request queued."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from accounts.models import User
from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker(tmp_path):
    broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": broker,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
         "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.broker_url = broker
    try:
        yield mail_dir
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url = previous
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_password_reset_email_is_sent_by_a_real_worker_after_commit(client, celery_worker):
    User.objects.create_user(email="maire@commune.fr", password="x", first_name="Anne",
                             last_name="Maire")
    response = client.post("/comptes/password/reset/", {"email": "maire@commune.fr"})
    assert response.status_code == 302

    deadline = time.monotonic() + 30
    files = []
    while time.monotonic() < deadline and not files:
        files = list(celery_worker.glob("*.log"))
        time.sleep(0.2)
    assert files, "the worker did not send the email within 30 s"
    message = files[0].read_text()
    assert "To: maire@commune.fr" in message
    assert "/comptes/password/reset/key/" in message
