"""The platform as deployed, for the crawl's browser pass: static files collected through
the manifest storage, then gunicorn with ``DJANGO_ENV=production`` (see
``tests/crawl/production_settings.py``) on the test database."""

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.crawl.production_settings"
# Kept between runs: collectstatic runs again only when a source static file changed.
STATIC_ROOT = Path(os.environ.get("CRAWL_STATIC_ROOT")
                   or Path(tempfile.gettempdir()) / "anct-crawl-static")
# As behind the production TLS proxy: SECURE_SSL_REDIRECT stays on.
FORWARDED = {"X-Forwarded-Proto": "https"}


def production_env(database_url, static_root=STATIC_ROOT):
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "CRAWL_STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    # Each gunicorn process keeps its own cache: a shared Redis could hand back pages that
    # another run cached from another database.
    for name in ("REDIS_URL", "DEBUG"):
        env.pop(name, None)
    return env


def static_fingerprint():
    """A digest of every source static file (path, size, modification time) and of the
    storage that collects them. Needs django.setup()."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    entries = [SETTINGS]
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def collect_static(env, static_root=STATIC_ROOT):
    """``collectstatic`` with the production storage into ``static_root``, unless the source
    files are those of the last run there."""
    static_root = Path(static_root)
    marker = static_root / ".crawl-fingerprint"
    fingerprint = static_fingerprint()
    if (marker.exists() and marker.read_text() == fingerprint
            and (static_root / "staticfiles.json").exists()):
        return
    static_root.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--clear",
                    "-v", "0"], cwd=ROOT, env=env, check=True)
    marker.write_text(fingerprint)


class Answer:
    """An HTTP answer in the shape ``crawler.Crawl`` reads (that of Django's test client)."""

    streaming = False

    def __init__(self, response, body):
        self.status_code = response.status
        self.headers = {name.lower(): value for name, value in response.getheaders()}
        self.content = body
        self.charset = response.headers.get_content_charset() or "utf-8"

    def get(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def __getitem__(self, name):
        return self.headers[name.lower()]


def http_client(base_url):
    """``get(path)`` against the server at ``base_url``, redirects not followed."""
    parts = urlsplit(base_url)

    def get(path):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            connection.request("GET", path, headers=FORWARDED)
            response = connection.getresponse()
            return Answer(response, response.read())
        finally:
            connection.close()

    return get


def wait_for_other_sessions_to_end(timeout=5):
    """On PostgreSQL, until the stopped server's sessions have left the test database, which
    cannot be dropped at the end of the run while they are there; an idle one still there
    after ``timeout`` seconds is ended."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, application_name, client_port, state, query "
                           "FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            others = cursor.fetchall()
            if not others:
                return
        time.sleep(0.2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND pid <> pg_backend_pid() AND state = 'idle'")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_of(port, path, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=FORWARDED)
        return connection.getresponse().status
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(env, workers=2, timeout=90):
    """A gunicorn serving the platform; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class",
         "gthread", "--threads", "4", "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped (exit code {process.returncode})")
            try:
                if status_of(port, "/robots.txt") == 200:
                    break
            except OSError:  # refused while gunicorn boots
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within {timeout} s")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
