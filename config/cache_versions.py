"""A version number kept in the cache, for caches invalidated all at once: entries are stored
under the current version; ``bump()`` starts a new one, which leaves the old entries unused
until they expire. Used by the anonymous page cache (``cms/page_cache.py``) and the
dashboards' figures (``advisors/dashboards/cache.py``)."""

import uuid

from django.core.cache import cache
from django.db import transaction


class CacheVersion:
    def __init__(self, key):
        self.key = key

    def current(self) -> str:
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            version = cache.get(self.key)
        return version

    def bump(self, **_signal_arguments):
        """A new version now, and again when the transaction commits, so that an entry
        computed meanwhile from the data as it was before the commit is not kept."""
        self.renew()
        transaction.on_commit(self.renew)

    def renew(self):
        cache.set(self.key, uuid.uuid4().hex, timeout=None)
