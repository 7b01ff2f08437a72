"""Debug mode is opt-in and local; without it, the public development key is refused
(docs/security.md, "Secret key and debug mode")."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_KEY = "dev-only-insecure-key-change-me"


def django_setup(**env):
    return subprocess.run(
        [sys.executable, "-c",
         "import django; django.setup(); from django.conf import settings as s; "
         "print(s.DEBUG, s.SECRET_KEY == 'dev-only-insecure-key-change-me')"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env})


def test_without_debug_nor_secret_key_the_site_refuses_to_start():
    result = django_setup()
    assert result.returncode != 0
    assert "DEBUG is off: set SECRET_KEY" in result.stderr


def test_the_public_development_key_is_refused_whenever_debug_is_off():
    result = django_setup(SECRET_KEY=PUBLIC_KEY)
    assert result.returncode != 0 and "set SECRET_KEY" in result.stderr
    result = django_setup(SECRET_KEY=PUBLIC_KEY, DEBUG="0")
    assert result.returncode != 0


def test_debug_is_off_unless_asked_for():
    assert django_setup(SECRET_KEY="k" * 50).stdout.split() == ["False", "False"]
    assert django_setup(DEBUG="1").stdout.split() == ["True", "True"]


def test_debug_is_refused_in_production():
    result = django_setup(DJANGO_ENV="production", DEBUG="1", SECRET_KEY="k" * 50,
                          ALLOWED_HOSTS="anct.example")
    assert result.returncode != 0 and "DEBUG cannot be on" in result.stderr


def test_make_run_steps_switch_debug_on():
    result = subprocess.run(["make", "-n", "-p", "serve"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert "serve: DEBUG ?= 1" in result.stdout or "serve: DEBUG = 1" in result.stdout


@pytest.mark.parametrize("address", ["0.0.0.0", "192.0.2.10", "[::]", "example.org"])
def test_runserver_in_debug_refuses_a_non_loopback_address(address):
    result = subprocess.run(
        [sys.executable, "manage.py", "runserver", f"{address}:8199", "--noreload",
         "--skip-checks"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings",
             "DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG is on: the development server listens on 127.0.0.1" in result.stderr


def test_runserver_in_debug_serves_this_machine(tmp_path):
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "127.0.0.1:8198", "--noreload",
         "--skip-checks"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings",
             "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    try:
        import urllib.request

        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen("http://127.0.0.1:8198/robots.txt",
                                                timeout=5).status
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.5)
        assert status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.django_db
def test_in_debug_a_request_from_another_machine_is_refused(client):
    with override_settings(DEBUG=True):
        refused = client.get("/", REMOTE_ADDR="192.0.2.10")
        local = client.get("/robots.txt", REMOTE_ADDR="127.0.0.1")
        mapped = client.get("/robots.txt", REMOTE_ADDR="::ffff:127.0.0.1")
    assert refused.status_code == 403
    assert "ne répond qu'aux navigateurs de cette machine" in refused.content.decode()
    assert local.status_code == 200 and mapped.status_code == 200
    assert client.get("/robots.txt", REMOTE_ADDR="192.0.2.10").status_code == 200  # no DEBUG


def test_the_test_suite_runs_with_a_key_of_its_own():
    from django.conf import settings

    assert not settings.DEBUG and settings.SECRET_KEY != PUBLIC_KEY
    assert len(settings.SECRET_KEY) >= 50
