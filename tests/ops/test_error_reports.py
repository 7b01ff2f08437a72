"""Error reports go to a Sentry-compatible service (a local HTTP server of the test's own
here) when SENTRY_DSN is set, scrubbed of personal data; nothing is sent otherwise. The
failing request runs in a subprocess, whose settings read SENTRY_DSN at start."""

import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAIL = """
import django
django.setup()
import sentry_sdk
from django.test import Client, override_settings
with override_settings(ROOT_URLCONF="tests.ops.crash_urls"):
    response = Client(raise_request_exception=False).post(
        "/boum/?commune=beaune&email=elu@example.org",
        {"email": "elu@example.org", "password": "Mot-de-passe-1234"},
        HTTP_COOKIE="csrftoken=abcdefabcdefabcdefabcdefabcdefab",
        HTTP_X_FORWARDED_FOR="203.0.113.9")
print("status", response.status_code, "active", sentry_sdk.get_client().is_active())
sentry_sdk.flush(10)
"""


@pytest.fixture
def collector():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            encoding = self.headers.get("Content-Encoding")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":
                import brotli

                body = brotli.decompress(body)
            received.append((self.path, body.decode("utf-8", "replace")))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()


def run_failing_request(**environment):
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    env.update(environment, DJANGO_SETTINGS_MODULE="config.test_settings",
               DATABASE_URL="sqlite:///:memory:", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", FAIL], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_server_error_is_reported_without_personal_data(collector):
    port, received = collector
    output = run_failing_request(SENTRY_DSN=f"http://cle-publique@127.0.0.1:{port}/42")
    assert "status 500 active True" in output
    events = [body for path, body in received if path.startswith("/api/42/")]
    assert events, received
    report = "\n".join(events)
    assert "ValueError" in report and "inscription impossible pour" in report
    for personal in ("elu@example.org", "Mot-de-passe-1234", "203.0.113.9",
                     "abcdefabcdefabcdefabcdefabcdefab", "beaune"):
        assert personal not in report, personal
    event = json.loads([line for line in events[0].splitlines() if '"exception"' in line][0])
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event.get("user", {}) == {}


def test_without_sentry_dsn_nothing_is_sent(collector):
    port, received = collector
    output = run_failing_request()
    assert "status 500 active False" in output
    assert received == []
