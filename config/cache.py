"""The Redis cache, failing soft: when Redis does not answer, the site goes on without it.

Everything the platform keeps in the cache can be computed again (pages, menus, dashboard
figures, API answers, Wagtail's site roots) or is a rate limit. So with Redis stopped:

- a read is a miss and a write is skipped, never an exception; after a failure, Redis is
  left alone for ``RETRY_AFTER`` seconds (every operation meanwhile is a miss at once, so a
  Redis that does not even refuse connections costs one timeout per process per period,
  not one per request), then tried again;
- one warning per ``LOG_EVERY`` seconds per process says how many operations were answered
  without Redis, instead of one per request, and one line says when it answers again;
- keys under ``LOCAL_KEY_PREFIXES`` (rate limits, sign-in failure counts) are kept in this
  process's memory meanwhile: limits still hold, per process (with N processes, a limit of
  L lets up to N × L through), instead of letting everything through or refusing everyone;
- the keys whose write was skipped (a version renewed by an enrolment, a forgotten entry…)
  are deleted from Redis when it answers again, so that nothing written before the outage
  is read back as if the outage had not changed it. A process stopped before Redis comes
  back forgets its list: its entries then live until their own expiry (minutes).

Sessions do not use the cache (database sessions, ``SESSION_ENGINE``) and Celery's broker
is handled apart (``accounts.emails``, ``docs/faults.md``)."""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

OWN_OPTIONS = ("RETRY_AFTER", "LOG_EVERY", "LOCAL_KEY_PREFIXES", "MAX_LOST_KEYS")
UNREACHABLE = (RedisError, OSError)


class _Health:
    """What this process knows of one Redis server, shared by the backend's instances
    (Django makes one per thread)."""

    def __init__(self, retry_after, log_every, max_lost_keys):
        self.retry_after = retry_after
        self.log_every = log_every
        self.max_lost_keys = max_lost_keys
        self.lock = threading.Lock()
        self.down_until = 0.0  # monotonic time before which Redis is not tried
        self.down_since = None
        self.last_log = None
        self.unanswered = 0  # operations answered without Redis since the last warning
        self.lost = set()  # (key, version) whose write was skipped

    def usable(self) -> bool:
        return time.monotonic() >= self.down_until

    def failed(self, location, error=None, lost=()):
        now = time.monotonic()
        with self.lock:
            if error is not None:
                self.down_until = now + self.retry_after
                if self.down_since is None:
                    self.down_since = now
            self.unanswered += 1
            for item in lost:
                if len(self.lost) < self.max_lost_keys:
                    self.lost.add(item)
            if self.last_log is not None and now - self.last_log < self.log_every:
                return
            self.last_log = now
            count, self.unanswered = self.unanswered, 0
        logger.warning("Cache %s unreachable (%s): %s operation(s) answered without it "
                       "(misses, writes skipped); next message in %s s at most.", location,
                       error or "not retried yet", count, self.log_every)

    def answered(self):
        """Redis answered: returns the keys to delete now if it was down (else empty)."""
        if self.down_since is None and not self.lost:
            return set()
        with self.lock:
            lost, self.lost = self.lost, set()
            was_down, self.down_since = self.down_since, None
            self.last_log = None
            self.unanswered = 0
        if was_down is not None:
            logger.warning("Cache reachable again after %.0f s; %s key(s) written meanwhile "
                           "are forgotten.", time.monotonic() - was_down, len(lost))
        return lost


_healths = {}
_healths_lock = threading.Lock()


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        own = {name: options.pop(name) for name in OWN_OPTIONS if name in options}
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server if isinstance(server, str) else ",".join(server)
        self._local_prefixes = tuple(own.get("LOCAL_KEY_PREFIXES", ()))
        with _healths_lock:
            self._health = _healths.setdefault(self._location, _Health(
                float(own.get("RETRY_AFTER", 5)), float(own.get("LOG_EVERY", 60)),
                int(own.get("MAX_LOST_KEYS", 10000))))
        # Shared by the threads of this process (LocMemCache stores per name).
        self._fallback = LocMemCache(f"fail-soft:{self._location}",
                                     {"TIMEOUT": params.get("TIMEOUT", 300),
                                      "OPTIONS": {"MAX_ENTRIES": 10000}})

    # -- the guard around every operation -------------------------------------------------

    def _local(self, keys):
        return bool(self._local_prefixes) and all(
            str(key).startswith(self._local_prefixes) for key in keys)

    def _run(self, operation, args, kwargs, *, keys, miss, writes):
        local = self._local(keys)
        version = kwargs.get("version")
        lost = [(key, version) for key in keys] if writes and not local else ()
        if not self._health.usable():
            self._health.failed(self._location, lost=lost)
            return getattr(self._fallback, operation)(*args, **kwargs) if local else miss()
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except UNREACHABLE as error:
            self._health.failed(self._location, error, lost=lost)
            return getattr(self._fallback, operation)(*args, **kwargs) if local else miss()
        self._forget(self._health.answered())
        return result

    def _forget(self, lost):
        if not lost:
            return
        by_version = {}
        for key, version in lost:
            by_version.setdefault(version, []).append(key)
        try:
            for version, keys in by_version.items():
                super().delete_many(keys, version=version)
        except UNREACHABLE as error:
            self._health.failed(self._location, error, lost=lost)

    # -- Django's cache API ---------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._run("get", (key, default), {"version": version}, keys=[key],
                         miss=lambda: default, writes=False)

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._run("get_many", (keys,), {"version": version}, keys=keys,
                         miss=dict, writes=False)

    def has_key(self, key, version=None):
        return self._run("has_key", (key,), {"version": version}, keys=[key],
                         miss=lambda: False, writes=False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("add", (key, value, timeout), {"version": version}, keys=[key],
                         miss=lambda: False, writes=True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", (key, value, timeout), {"version": version}, keys=[key],
                         miss=lambda: None, writes=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        data = dict(data)
        return self._run("set_many", (data, timeout), {"version": version}, keys=list(data),
                         miss=lambda: list(data), writes=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", (key, timeout), {"version": version}, keys=[key],
                         miss=lambda: False, writes=False)

    def delete(self, key, version=None):
        return self._run("delete", (key,), {"version": version}, keys=[key],
                         miss=lambda: False, writes=True)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._run("delete_many", (keys,), {"version": version}, keys=keys,
                         miss=lambda: None, writes=True)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (cache unreachable)")

        return self._run("incr", (key, delta), {"version": version}, keys=[key],
                         miss=missing, writes=True)

    def clear(self):
        return self._run("clear", (), {}, keys=[], miss=lambda: False, writes=False)
