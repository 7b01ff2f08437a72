import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_code_passes_ruff():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def run_settings(env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, capture_output=True, text=True,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env},
    )


def test_production_mode_refuses_to_start_without_secret_key_and_hosts():
    result = run_settings({"DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ALLOWED_HOSTS" in result.stderr


def test_production_mode_starts_when_configured():
    result = run_settings({"DJANGO_ENV": "production", "SECRET_KEY": "s" * 50,
                           "ALLOWED_HOSTS": "anct.example"})
    assert result.returncode == 0, result.stderr


def test_development_defaults_to_sqlite_and_eager_tasks():
    result = subprocess.run(
        [sys.executable, "-c",
         "import django; django.setup(); from django.conf import settings as s; "
         "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"],
        cwd=ROOT, capture_output=True, text=True,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings",
             "DEBUG": "1"},
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_production_settings_pass_the_deployment_checklist():
    """`check --deploy` with production settings: no warning may be left (nor silenced)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings",
             "DJANGO_ENV": "production", "ALLOWED_HOSTS": "anct.example",
             "SECRET_KEY": "k3y-" + "x7Qp9_zR" * 8},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_a_cache_version_renewed_elsewhere_is_seen_within_a_second(monkeypatch):
    """Another process renews a version by writing it to the shared cache: this process
    reads it back once its remembered copy is older than LOCAL_SECONDS."""
    from django.core.cache import cache

    from core import cache_versions

    clock = [100.0]
    monkeypatch.setattr(cache_versions.time, "monotonic", lambda: clock[0])
    version = cache_versions.CacheVersion("test:version")
    first = version.current()
    cache.set("test:version", "renewed-elsewhere")
    clock[0] += cache_versions.LOCAL_SECONDS / 2
    assert version.current() == first  # remembered: no cache read
    clock[0] += cache_versions.LOCAL_SECONDS * 0.6
    assert version.current() == "renewed-elsewhere"
    version.renew()  # this process's own renewal is seen at once
    assert version.current() not in (first, "renewed-elsewhere")
