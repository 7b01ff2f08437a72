"""Smoke test of the deployment: `make prod` (the Procfile through honcho, production
settings) on a free port, against the local PostgreSQL, a redis-server and an SMTP sink of
the test's own. Waits for /sante/pret/, fetches the home page, signs an élu in, enrols them
in a session and checks that the real worker delivered the confirmation to the sink (and a
password reset email, which needs no account); stops every process it started, even on
failure (the whole process group of `make prod`)."""

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import time
from email.header import decode_header, make_header
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.reliability.servers import RedisServer, SmtpSink, free_port

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# Kept between runs: migrations then apply in seconds instead of minutes.
DATABASE = os.environ.get("SMOKE_DATABASE", "anct_smoke")
READY_TIMEOUT = float(os.environ.get("SMOKE_READY_TIMEOUT", "600"))

pytestmark = pytest.mark.worker


def postgres_answers():
    return subprocess.run(["psql", f"{POSTGRES}/postgres", "-c", "select 1"],
                          capture_output=True).returncode == 0


class Browser:
    """Plain HTTP with a cookie jar that, like a browser behind the TLS proxy, keeps the
    Secure cookies production sets."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}  # as behind the proxy
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, content.decode("utf-8", "replace")

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields):
        return self.request("POST", path, urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded",
                             "Referer": f"https://127.0.0.1:{self.port}{path}"})


@contextlib.contextmanager
def make_prod(port, redis, smtp, log):
    env = {
        **{k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL",
                        "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY")},
        "PROD_DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "PROD_REDIS_URL": redis.url(0),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port),
        "WEB_CONCURRENCY": "1", "WORKER_CONCURRENCY": "1",
        "BEAT_SCHEDULE_FILE": str(log.parent / "celerybeat-schedule"),
    }
    process = subprocess.Popen(["make", "prod", f"PORT={port}", "HOST=127.0.0.1"], cwd=ROOT,
                               env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything left of the group
        process.wait(timeout=10)


def smoke_data(log):
    """Runs tests/ops/smoke_data.py against the smoke database: the new session's id."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG")}
    env.update(DJANGO_ENV="production", SECRET_KEY="smoke-data-" + "x" * 40,
               ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=f"{POSTGRES}/{DATABASE}",
               DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING")
    result = subprocess.run([sys.executable, "tests/ops/smoke_data.py"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return int(result.stdout.strip().splitlines()[-1])


def csrf_token(body):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def wait_for_mail(smtp, process, log, count, timeout=60):
    deadline = time.monotonic() + timeout
    while len(smtp.received()) < count and time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-4000:]
        time.sleep(0.5)
    return smtp.received()


def wait_ready(browser, process, log, timeout):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert process.poll() is None, "make prod stopped:\n" + log.read_text()[-4000:]
        with contextlib.suppress(OSError):
            response, body = browser.get("/sante/pret/")
            last = body
            if response.status == 200:
                return body
        time.sleep(0.5)
    raise AssertionError(f"not ready within {timeout} s: {last}\n{log.read_text()[-4000:]}")


def test_make_prod_serves_the_platform_and_its_worker_sends_emails(tmp_path):
    if not postgres_answers():
        pytest.skip("needs the local PostgreSQL (127.0.0.1:5432)")
    redis = RedisServer(tmp_path).start()
    smtp = SmtpSink().start()
    port = free_port()
    log = tmp_path / "make-prod.log"
    try:
        with make_prod(port, redis, smtp, log) as process:
            browser = Browser(port)
            ready = wait_ready(browser, process, log, READY_TIMEOUT)
            assert '"ready": true' in ready

            response, body = browser.get("/")
            assert response.status == 200
            assert response.getheader("X-Request-ID")
            assert "Strict-Transport-Security" in response.headers  # production settings

            response, body = browser.get("/comptes/password/reset/")
            assert response.status == 200
            response, body = browser.post_form("/comptes/password/reset/", {
                "csrfmiddlewaretoken": csrf_token(body), "email": "smoke-test@example.org"})
            assert response.status == 302, body[:2000]
            [reset] = wait_for_mail(smtp, process, log, 1)
            assert reset["To"] == "smoke-test@example.org"
            assert reset["X-Request-ID"]  # carried from the request through the worker

            session_id = smoke_data(log)
            response, body = browser.get("/comptes/login/")
            assert response.status == 200
            response, body = browser.post_form("/comptes/login/", {
                "csrfmiddlewaretoken": csrf_token(body), "login": "smoke-elu@example.org",
                "password": "Fumee-Essai-2026!"})
            assert response.status == 302, body[:3000]
            response, body = browser.get("/espace/")
            assert response.status == 200 and "Camille" in body

            response, body = browser.get(f"/inscriptions/sessions/{session_id}/")
            response, body = browser.post_form(f"/inscriptions/sessions/{session_id}/", {
                "csrfmiddlewaretoken": browser.cookies["csrftoken"]})
            assert response.status == 302, body[:3000]
            assert response.getheader("Location").endswith("/espace/")
            messages = wait_for_mail(smtp, process, log, 2)
            confirmation = messages[-1]
            assert confirmation["To"] == "smoke-elu@example.org"
            subject = str(make_header(decode_header(confirmation["Subject"])))
            assert subject == "Inscription confirmée : Formation du test de fumée"
            assert confirmation["X-Request-ID"]
    finally:
        smtp.stop()
        redis.stop()
    assert process.returncode is not None
