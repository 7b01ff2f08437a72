"""A real Celery worker (a subprocess) on the real Redis broker, reading the test database.

Used by the ``celery_worker`` fixture (tests/conftest.py). The worker writes the emails it
sends as files (Django's file backend), one file per message."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BROKER = "redis://127.0.0.1:6379/15"
MESSAGE_END = "-" * 79


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER


def test_database_url() -> str | None:
    """The test database as a DATABASE_URL for another process; None for SQLite's
    in-memory test database, which no other process can open."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("postgresql"):
        credentials = quote(settings["USER"] or "", safe="")
        if settings["PASSWORD"]:
            credentials += ":" + quote(settings["PASSWORD"], safe="")
        host = settings["HOST"] or "127.0.0.1"
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{settings['NAME']}"
    name = str(settings["NAME"])
    if settings["ENGINE"].endswith("sqlite3") and "memory" not in name:
        return f"sqlite:///{name}"
    return None


@contextlib.contextmanager
def publishing_to(url, queue=None):
    """Sends tasks of this process to that broker (not eagerly), with fresh pools.

    Celery reads the CELERY_BROKER_URL environment variable before its setting, so both
    are changed."""
    conf = app.conf
    previous = (conf.task_always_eager, conf.task_default_queue, conf.broker_url)
    previous_env = os.environ.get("CELERY_BROKER_URL")
    conf.task_always_eager = False
    conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    if queue:
        conf.task_default_queue = queue
    _reset_pools()
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_default_queue, conf.broker_url = previous
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env
        _reset_pools()


def _reset_pools():
    app._pool = None
    app.amqp._producer_pool = None


class CeleryWorker:
    def __init__(self, mail_dir: Path, database_url: str, broker: str | None = None,
                 app_module: str = "config", env: dict | None = None):
        self.mail_dir = mail_dir
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.broker = broker or broker_url()
        self.database_url = database_url
        self.app_module = app_module
        self.env = env or {}  # e.g. an SMTP backend instead of the mail files
        self.process = None
        self.log_path = mail_dir.parent / f"worker-{self.queue}.log"
        self.log = None

    def start(self):
        if self.log is None:
            self.log = self.log_path.open("ab")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CELERY_BROKER_URL": self.broker,
            "DATABASE_URL": self.database_url,
            "DB_CONN_MAX_AGE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            **self.env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", self.app_module, "worker", "-Q", self.queue,
             "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
             "-l", "warning"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        return self

    def kill(self):
        """SIGKILL: no cleanup, no acknowledgement, as when the machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self.log is not None:
            self.log.close()
            self.log = None

    def mails(self) -> list[str]:
        """The messages written so far. Django's file backend ends each message with a line
        of 79 dashes, and names its file after the second and the connection's ``id()``: two
        connections opened in the same second may reuse an ``id`` and append to one file, so
        a file holds one or more messages. A message still being written is not counted."""
        mails = []
        for path in sorted(self.mail_dir.glob("*.log")):
            *complete, _unfinished = path.read_text().split(MESSAGE_END + "\n")
            mails += [text for text in complete if text.strip()]
        return mails

    def wait_for_mails(self, count: int, timeout: float = 30) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mails = self.mails()
            if len(mails) >= count:
                return mails
            time.sleep(0.2)
        return self.mails()


def wait_until(condition, timeout: float = 30) -> bool:
    """Polls ``condition()`` until it is true or ``timeout`` seconds have passed: the worker
    records what it did just after doing it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())
