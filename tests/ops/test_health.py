"""/sante/ and /sante/pret/ (ops.health), with a real redis-server of the test's own for the
cache and the broker, stopped and started by the test."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from config.celery import app
from core import cache_versions
from ops import health
from tests.reliability.servers import RedisServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_migration_check():
    health._migrations_applied.clear()
    yield
    health._migrations_applied.clear()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path, persist=True).start()
    yield server
    server.stop()


@pytest.fixture
def on_redis(settings, redis_server):
    """The production wiring: the fail-soft Redis cache and a Redis broker, both on the
    test's own server."""
    from tests.celery_worker import publishing_to

    settings.CACHES = {"default": {"BACKEND": "config.cache.FailSoftRedisCache",
                                   "LOCATION": redis_server.url(0),
                                   "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache_versions.forget_local_versions()
    cache.clear()
    with publishing_to(redis_server.url(1)):
        yield redis_server
    cache_versions.forget_local_versions()


def readiness(client):
    response = client.get("/sante/pret/")
    return response.status_code, response.json()


def test_liveness_answers_a_probe_on_the_containers_own_address_over_plain_http(client,
                                                                                 settings):
    settings.ALLOWED_HOSTS = ["academie.anct.gouv.fr"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/sante/", HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_without_redis_configured_checks_the_database_and_migrations(client,
                                                                              settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker: tasks run in the request
    status, body = readiness(client)
    assert status == 200
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "cache", "broker", "migrations", "beat"}
    assert all(check["ok"] and "ms" in check for check in body["checks"].values())
    assert body["checks"]["broker"]["note"] == "non utilisé"


def test_readiness_is_false_while_beat_is_silent_then_true_after_its_heartbeat(client,
                                                                               on_redis):
    status, body = readiness(client)
    assert status == 503 and body["ready"] is False
    assert body["checks"]["beat"] == {
        "ok": False, "erreur": "aucun battement de Celery beat", "ms": body["checks"]["beat"]["ms"]}
    assert body["checks"]["cache"]["ok"] and body["checks"]["broker"]["ok"]

    health.beat_heartbeat()
    status, body = readiness(client)
    assert status == 200 and body["ready"] is True, body


def test_beat_silent_for_more_than_five_minutes_is_not_ready(client, on_redis):
    cache.set(health.BEAT_HEARTBEAT_KEY, time.time() - 301, timeout=None)
    status, body = readiness(client)
    assert status == 503
    assert body["checks"]["beat"]["erreur"].startswith("dernier battement de Celery beat il y a")


def test_the_beat_scheduler_writes_the_heartbeat_on_its_ticks(client, on_redis, tmp_path):
    from ops.beat import HeartbeatScheduler

    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "beat"),
                                   lazy=True)
    scheduler.setup_schedule()
    assert scheduler.tick() <= 15
    assert readiness(client)[0] == 200


def test_redis_down_means_not_ready_and_back_means_ready_without_restart(client, on_redis):
    health.beat_heartbeat()
    assert readiness(client)[0] == 200

    on_redis.stop()
    started = time.monotonic()
    status, body = readiness(client)
    assert time.monotonic() - started < 8, "the readiness check must not hang on Redis"
    assert status == 503
    assert body["checks"]["cache"] == {"ok": False, "erreur": "ConnectionError",
                                       "ms": body["checks"]["cache"]["ms"]}
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "127.0.0.1" not in str(body) and str(on_redis.port) not in str(body)
    # Pages that do not need Redis are still served.
    assert client.get("/mentions-legales/").status_code == 200
    assert client.get("/sante/").status_code == 200

    on_redis.start()
    status, body = readiness(client)
    assert status == 200, body


def test_database_down_means_not_ready(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", refuse)
    monkeypatch.setitem(health.CHECKS, "database", refuse)
    status, body = readiness(client)
    assert status == 503
    assert body["checks"]["database"]["erreur"] == "OperationalError"


def test_a_migration_not_applied_means_not_ready(client):
    recorder = MigrationRecorder(connection)
    last = recorder.migration_qs.filter(app="ops").first() or recorder.migration_qs.filter(
        app="privacy").order_by("-id").first()
    last.delete()
    status, body = readiness(client)
    assert status == 503
    assert body["checks"]["migrations"]["erreur"] == "1 migration(s) à appliquer"
