"""The backup restore check (ops/scripts/restore_check.sh) against the test's PostgreSQL
database: a dump restores with every table's rows and every migration; a damaged dump fails,
and no scratch database is left behind either way."""

import subprocess
from pathlib import Path

import pytest

from tests import celery_worker

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ops" / "scripts" / "restore_check.sh"


@pytest.fixture
def postgres_url(transactional_db):
    url = celery_worker.test_database_url()
    if url is None or not url.startswith("postgres"):
        pytest.skip("backups are PostgreSQL dumps: run on PostgreSQL (as CI does)")
    return url


def scratch_databases(url):
    server = url.rsplit("/", 1)[0]
    return subprocess.run(
        ["psql", "-At", f"{server}/postgres", "-c",
         "SELECT datname FROM pg_database WHERE datname LIKE 'restore_check%'"],
        capture_output=True, text=True, check=True).stdout.split()


def run(url, *args):
    return subprocess.run([str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url}, timeout=300)


def test_a_dump_of_the_database_restores_with_the_same_rows(postgres_url):
    from accounts.models import User

    User.objects.create_user(email="sauvegarde@example.org", password="Mot-de-passe-2026!")
    result = run(postgres_url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "restore ok" in result.stdout and "same rows as the source" in result.stdout
    assert scratch_databases(postgres_url) == []


def test_a_damaged_dump_fails_the_check(postgres_url, tmp_path):
    damaged = tmp_path / "abime.dump"
    damaged.write_bytes(b"PGDMP" + b"\x00" * 200)
    result = run(postgres_url, str(damaged))
    assert result.returncode != 0
    assert "restore ok" not in result.stdout
    assert scratch_databases(postgres_url) == []
