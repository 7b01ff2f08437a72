"""Copies, in this process's memory, of answers kept in the shared cache (Redis).

The anonymous page cache (``cms/page_cache.py``) and the API's kept answers
(``opendata/cache.py``) store each answer in Redis under a key that holds the current
*version* (``core.cache_versions``), and each answer carries the wall-clock time it expires.
An answer read once from Redis is the same bytes for every later request under the same key
until then, so a process keeps a copy of it here and answers the next requests without a
Redis round trip (at national scale under load, the round trip and the transfer of 30 kB
were most of a hit's cost).

Freshness is exactly that of the shared entry: the key holds the version, which each process
reads back from Redis at least every ``core.cache_versions.LOCAL_SECONDS`` (a change made
through another instance shows here within that delay, as for the shared entries), and a copy
is never used past the expiry of the entry it was read from. Memory is bounded: past
``max_bytes`` the oldest copies are dropped first (those of an old version come first).
"""

import threading
import time


class LocalCopies:
    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._entries = {}  # key -> (value, size, expires); insertion order = age
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        item = self._entries.get(key)  # a dict read needs no lock
        if item is None:
            return None
        if item[2] <= time.time():
            self.discard(key)
            return None
        return item[0]

    def put(self, key, value, size, expires):
        if size > self.max_bytes // 4 or expires <= time.time():
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size, expires)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                oldest = next(iter(self._entries))
                self._bytes -= self._entries.pop(oldest)[1]

    def discard(self, key):
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self):
        return len(self._entries)
