"""Renewing a version after a change: once when the change is already committed, now and
again at the commit inside a transaction, and, for the receivers of one save, in one round
trip to the cache (an enrolment renews the kept pages', the dashboards', the open data's and
the person's versions)."""

import pytest
from django.core.cache import cache, caches
from django.db import transaction

from core import cache_versions


@pytest.fixture
def writes(monkeypatch):
    calls = []
    real = caches["default"]
    set_many = real.set_many
    monkeypatch.setattr(real, "set_many",
                        lambda values, *a, **k: (calls.append(dict(values)),
                                                 set_many(values, *a, **k))[1])
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_renews_once_and_a_change_in_a_transaction_twice(writes):
    version = cache_versions.CacheVersion("test:renewals:once")
    version.bump()
    assert len(writes) == 1
    with transaction.atomic():
        version.bump()
        assert len(writes) == 2
    assert len(writes) == 3  # again at the commit
    assert cache.get("test:renewals:once") == version.current()


def test_renewals_together_are_written_in_one_round_trip_and_seen_here_at_once(writes):
    first = cache_versions.CacheVersion("test:renewals:first")
    second = cache_versions.CacheVersion("test:renewals:second")
    before = first.current(), second.current()
    with cache_versions.renewals_together():
        first.renew()
        second.renew()
        cache_versions.write_versions({"test:renewals:person": "p2"})
        assert writes == []
        assert first.current() != before[0]  # this process sees its own renewal
    assert len(writes) == 1
    assert set(writes[0]) == {"test:renewals:first", "test:renewals:second",
                              "test:renewals:person"}
    assert cache.get("test:renewals:first") == first.current()
    assert cache.get("test:renewals:person") == "p2"
