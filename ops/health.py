"""Health endpoints for the platform's supervisors (PaaS, Kubernetes, load balancers).

``/sante/`` (liveness) says the process answers, touching nothing else. ``/sante/pret/``
(readiness) checks what a request needs: the database, the cache's Redis, the Celery broker,
that every migration is applied, and that Celery beat wrote its heartbeat lately. Each check
gives its result and its duration in milliseconds; a failure names the exception's class,
never its message (which may hold an address or a password).

Both are answered by ``HealthCheckMiddleware``, first in the chain: a probe sent to the
container's own address (not in ALLOWED_HOSTS) over plain HTTP (no SSL redirect) gets its
answer, and no session, CSRF or page cache work is done for it.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse

LIVENESS_PATH = "/sante/"
READINESS_PATH = "/sante/pret/"
BEAT_HEARTBEAT_KEY = "ops:beat-heartbeat"

_migrations_applied = threading.Event()  # once true, true for this process's code


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis_client():
    """The cache's own Redis client, or None when the cache is not Redis."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(write=True)


def check_cache():
    client = _redis_client()
    if client is None:
        return "non utilisé"
    client.ping()


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "non utilisé"
    from config.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)


def check_migrations():
    if _migrations_applied.is_set():
        return
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise PendingMigrations(f"{len(plan)} migration(s) à appliquer")
    _migrations_applied.set()


class PendingMigrations(Exception):
    pass


class BeatSilent(Exception):
    pass


def check_beat():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "non utilisé"
    client = _redis_client()
    if client is not None:
        # Read from Redis itself: the fail-soft cache would turn an outage into "no beat".
        raw = client.get(cache.make_and_validate_key(BEAT_HEARTBEAT_KEY))
        last = float(cache._cache._serializer.loads(raw)) if raw is not None else None
    else:
        last = cache.get(BEAT_HEARTBEAT_KEY)
    if last is None:
        raise BeatSilent("aucun battement de Celery beat")
    age = time.time() - last
    if age > settings.HEALTH_BEAT_MAX_AGE:
        raise BeatSilent(f"dernier battement de Celery beat il y a {int(age)} s")


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "migrations": check_migrations,
    "beat": check_beat,
}


def run_checks():
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            note = check()
        except (PendingMigrations, BeatSilent) as error:
            result = {"ok": False, "erreur": str(error)}
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"
            result = {"ok": False, "erreur": type(error).__name__}
        else:
            result = {"ok": True, **({"note": note} if note else {})}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return results


def liveness():
    return _json({"status": "ok"}, 200)


def readiness():
    checks = run_checks()
    ready = all(result["ok"] for result in checks.values())
    return _json({"ready": ready, "checks": checks}, 200 if ready else 503)


def _json(data, status):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # A 503 polled every few seconds is an answer, not an error to log (nor to report).
    response._has_been_logged = True
    return response


class HealthCheckMiddleware:
    """First middleware: answers the two health paths before host validation and redirects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if request.path == LIVENESS_PATH:
                return liveness()
            if request.path == READINESS_PATH:
                return readiness()
        return self.get_response(request)


def beat_heartbeat():
    """Written by Celery beat (ops.beat.HeartbeatScheduler) every few seconds."""
    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)
