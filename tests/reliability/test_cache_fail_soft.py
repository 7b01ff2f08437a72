"""The Redis cache fails soft (config/cache.py), against a real redis-server of the test's
own, stopped and started by the test."""

import logging
import time

import pytest
from django.core.cache import cache

from core import cache_versions
from tests.reliability.servers import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path, persist=True).start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(settings, redis_server):
    """The platform's Redis cache settings, on the test's own server."""
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailSoftRedisCache",
                                   "LOCATION": redis_server.url(),
                                   "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    cache_versions.forget_local_versions()
    cache.clear()
    yield cache
    cache_versions.forget_local_versions()


def cache_warnings(caplog):
    return [r for r in caplog.records
            if r.name == "config.cache" and r.levelno == logging.WARNING]


def test_with_redis_stopped_reads_are_misses_and_writes_are_skipped(redis_cache, redis_server,
                                                                     caplog):
    redis_cache.set("menus", "header")
    assert redis_cache.get("menus") == "header"
    redis_server.stop()

    started = time.monotonic()
    for _ in range(500):  # as many requests
        assert redis_cache.get("menus") is None
        assert redis_cache.get("menus", "default") == "default"
        assert redis_cache.get_many(["menus", "other"]) == {}
        assert redis_cache.has_key("menus") is False
        redis_cache.set("menus", "changed")
        assert redis_cache.add("new", 1) is False
        redis_cache.delete("menus")
        redis_cache.set_many({"a": 1})
        redis_cache.touch("menus")
    with pytest.raises(ValueError):
        redis_cache.incr("counter")
    assert redis_cache.get_or_set("computed", lambda: 42) == 42
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"4,500 operations without Redis took {elapsed:.1f} s"
    # One warning (once a minute at most), not one per operation.
    assert len(cache_warnings(caplog)) == 1
    assert "unreachable" in cache_warnings(caplog)[0].getMessage()


def test_rate_limit_keys_are_kept_in_the_process_while_redis_is_down(redis_cache,
                                                                     redis_server):
    redis_server.stop()
    key = "allauth:rl:account:login_failed:5/300.0/ip:ip:192.0.2.1"
    assert redis_cache.get(key, []) == []
    redis_cache.set(key, [1.0, 2.0], 300)
    assert redis_cache.get(key) == [1.0, 2.0]  # the limit keeps counting
    assert redis_cache.add(f"{key}:lock", True) is True  # allauth's lock is taken...
    assert redis_cache.add(f"{key}:lock", True) is False  # ...once
    redis_cache.add("login-failures-account:abc", 0)
    assert redis_cache.incr("login-failures-account:abc") == 1
    assert redis_cache.get("throttle_anon_192.0.2.1") is None


def test_a_write_lost_during_the_outage_forgets_the_old_value_when_redis_is_back(
        redis_cache, redis_server, caplog):
    """A page version renewed (an enrolment) while Redis was down must not leave the
    pages kept before the outage in use once Redis, restarted with its data, answers."""
    version = cache_versions.CacheVersion("test:pages:version")
    before = version.current()
    redis_cache.set(f"page:{before}", "<p>12 places</p>")
    redis_server.stop()  # saves its data to disk

    version.renew()  # lost: Redis is down
    during = version.current()
    assert during != before
    cache_versions.forget_local_versions()
    assert version.current() not in (None, before)  # unknown: a version of its own

    redis_server.start()  # reads its data back: the old version is there
    time.sleep(5.1)  # RETRY_AFTER: Redis is left alone that long after a failure
    redis_cache.get("anything")
    cache_versions.forget_local_versions()
    assert version.current() != before
    assert any("reachable again" in r.getMessage() for r in cache_warnings(caplog))


@pytest.mark.django_db
def test_with_redis_stopped_the_api_limit_still_holds_per_process(redis_cache, redis_server,
                                                                  client, settings):
    """The documented direction: limits counted in the process's memory, not lifted and
    not refusing everyone."""
    settings.API_RATE_LIMIT = "5/min"
    redis_server.stop()
    answers = [client.get("/api/v1/lieux", REMOTE_ADDR="192.0.2.7").status_code
               for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert client.get("/api/v1/lieux", REMOTE_ADDR="192.0.2.8").status_code == 200
