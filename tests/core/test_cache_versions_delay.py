"""A change made through one instance is seen by every other process within a second,
rendering included: each process reads a cache version back at least every LOCAL_SECONDS
(a quarter of a second), not every second."""

from django.core.cache import cache

from core import cache_versions


def test_a_version_renewed_by_another_process_is_seen_within_a_quarter_second(monkeypatch):
    assert cache_versions.LOCAL_SECONDS <= 0.25
    clock = [1000.0]
    monkeypatch.setattr(cache_versions.time, "monotonic", lambda: clock[0])
    version = cache_versions.CacheVersion("test:delay:version")
    first = version.current()
    cache.set("test:delay:version", "renewed-by-instance-1")
    clock[0] += 0.2
    assert version.current() == first  # remembered: no cache read
    clock[0] += 0.06
    assert version.current() == "renewed-by-instance-1"


def test_known_versions_lists_what_this_process_holds():
    version = cache_versions.CacheVersion("test:known:version")
    assert "test:known:version" not in cache_versions.known_versions()
    value = version.current()
    assert cache_versions.known_versions()["test:known:version"] == value
    version.renew()
    assert cache_versions.known_versions()["test:known:version"] != value
