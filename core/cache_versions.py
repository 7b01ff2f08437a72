"""A version number kept in the cache, for caches invalidated all at once: entries are stored
under the current version; ``bump()`` starts a new one, which leaves the old entries unused
until they expire. Used by the anonymous page cache (``cms/page_cache.py``), the dashboards'
figures (``dashboards/cache.py``) and the API's kept answers
(``opendata/cache.py``).

Each process remembers the version it read for ``LOCAL_SECONDS``, so that a page served from
the cache costs one cache read instead of two: a version renewed by another process is seen
here at most that long afterwards (this process sees its own renewals at once). A quarter
of a second keeps a change made through one instance visible on another within a second,
rendering included (bench/instances.py measures it), for at most four cache reads a second
per version and process."""

import threading
import time
import uuid
from contextlib import contextmanager

from django.core.cache import cache
from django.db import transaction

LOCAL_SECONDS = 0.25
# A version lives longer than any entry kept under it; one gone (evicted, or not renewed for
# that long) is replaced by a new one, which leaves the old entries unused.
VERSION_TIMEOUT = 30 * 24 * 3600
_versions = []
_together = threading.local()


def write_versions(values):
    """Stores {key: new version} in the cache: at once, or with the others at the end of
    ``renewals_together()``."""
    pending = getattr(_together, "pending", None)
    if pending is not None:
        pending.update(values)
    else:
        cache.set_many(values, VERSION_TIMEOUT)


@contextmanager
def renewals_together():
    """The versions renewed inside (by the receivers of one save's signal: the kept pages',
    "Mon espace"'s, the dashboards'…) are written in one round trip to the cache, when it
    ends; this process sees its own renewals at once."""
    if getattr(_together, "pending", None) is not None:
        yield  # already inside one
        return
    _together.pending = {}
    try:
        yield
    finally:
        pending, _together.pending = _together.pending, None
        if pending:
            cache.set_many(pending, VERSION_TIMEOUT)


def known_versions():
    """{key: version} of the versions this process holds (read or renewed), read by the
    database router (config/db_router.py) to see when one changes."""
    return {version.key: version._local[0] for version in _versions
            if version._local is not None}


def align_local_versions(values):
    """{key: version} just read from the cache for a page that may be kept whole
    (``core.personal_pages``): each process's copy of those versions takes these values, so
    that the page is rendered under the very versions it is kept under."""
    now = time.monotonic()
    for version in _versions:
        if version.key in values:
            version._local = (values[version.key], now)


def renew_now_and_at_commit(renew):
    """Calls ``renew`` now and, inside a transaction, again once it commits (an entry
    computed meanwhile from the data as it was before the commit is then not kept). Outside
    one (autocommit: the change is already committed, as after a save's signal) once."""
    renew()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(renew)


def forget_local_versions():
    """Every version is read from the cache next time (tests that swap the cache)."""
    for version in _versions:
        version._local = None


class CacheVersion:
    def __init__(self, key, local_seconds=LOCAL_SECONDS):
        self.key = key
        self.local_seconds = local_seconds
        self._local = None  # (version, monotonic time it was read)
        _versions.append(self)

    def current(self) -> str:
        local = self._local
        if local is not None and time.monotonic() - local[1] < self.local_seconds:
            return local[0]
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=VERSION_TIMEOUT)
            version = cache.get(self.key)
        if version is None:
            # The cache does not answer (config.cache): a version of this call's own, not
            # remembered, so that nothing is read back under it.
            return uuid.uuid4().hex
        self._local = (version, time.monotonic())
        return version

    def bump(self, **_signal_arguments):
        """A new version now, and again when the transaction commits, so that an entry
        computed meanwhile from the data as it was before the commit is not kept. Outside
        a transaction the change is already committed: once is enough."""
        renew_now_and_at_commit(self.renew)

    def renew_on_changes(self, *models, publishing=False):
        """Bump whenever a row of one of ``models`` is saved or deleted and, with
        ``publishing``, when Wagtail publishes, unpublishes or moves a page."""
        from django.db.models.signals import post_delete, post_save

        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(self.bump, sender=model, weak=False,
                               dispatch_uid=f"{self.key}:{signal}:{model._meta.label}")
        if publishing:
            from wagtail.signals import page_published, page_unpublished, post_page_move

            for signal in (page_published, page_unpublished, post_page_move):
                signal.connect(self.bump, weak=False, dispatch_uid=f"{self.key}:{signal}")

    def renew(self):
        version = uuid.uuid4().hex
        write_versions({self.key: version})
        self._local = (version, time.monotonic())
