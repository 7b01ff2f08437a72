"""The database (PostgreSQL from ``DATABASE_URL``, SQLite by default), the cache
(Redis, failing soft) and the sessions."""

import dj_database_url

from .apps import MIDDLEWARE
from .environment import BASE_DIR, env

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves a small team (`make run`): readers do not wait for a
    # writer (WAL), a writer waits for another up to 20 s instead of failing, and every
    # transaction takes the write lock as it begins (IMMEDIATE), so two that read then
    # write cannot both hold a read lock and fail "database is locked" (SQLite gives up at
    # once there, whatever the timeout). Tested with 20 concurrent writers.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A PostgreSQL replica (streaming replication) for the dashboards' and the open data's reads
# (config/db_router.py); the person who just wrote reads the primary for
# DATABASE_REPLICA_PRIMARY_SECONDS, and so does every dashboard computed within that delay
# of a change to its figures. Empty: one database for everything.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA_PRIMARY_SECONDS = float(env("DATABASE_REPLICA_PRIMARY_SECONDS", "5"))
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL,
                                conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
                                conn_health_checks=True),
        # Tests: the replica is the test database itself, not a second one to create.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    # Right after the request id, before anything reads the database.
    MIDDLEWARE.insert(MIDDLEWARE.index("ops.requestlog.RequestIdMiddleware") + 1,
                      "config.db_router.ReadYourWritesMiddleware")

# --- Caches ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
# With Redis stopped, the site goes on: reads are misses, writes are skipped (and forgotten
# once Redis answers), one warning a minute; rate limits and sign-in failure counts are
# kept in each process's memory meanwhile (config/cache.py, docs/faults.md).
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": 1, "socket_timeout": 2,  # seconds; Redis answers in < 1 ms
    "RETRY_AFTER": 5,  # seconds without trying Redis after a failure
    "LOG_EVERY": 60,
    "LOCAL_KEY_PREFIXES": ["allauth:rl:", "throttle_", "login-failures"],
}
CACHES = {
    "default": (
        {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": REDIS_CACHE_OPTIONS}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions live in the database, never in the cache: Redis down logs nobody out.
SESSION_ENGINE = "config.sessions"  # the database backend, read with plain SQL
