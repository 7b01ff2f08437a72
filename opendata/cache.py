"""Public answers of the read-only API kept in the cache.

Every anonymous client asking for the same page of the same list gets the same JSON, and at
national scale building a page (structures with their posts, service points with hours and
services) costs far more than reading it back. ``kept_for_everyone`` wraps an API list: the
page is answered from the cache when it was built under the current *version*, else built
and kept (``CachingNinjaAPI.create_response``). Rate limits and parameter checks run before
it, so a kept answer is never a way around them; only 200 answers are kept.

The version changes with any saved or deleted record the lists read, with the bulk writes
advisors announces (``advisors.signals.records_bulk_changed``) and with publishing (course
pages; signals below, connected by ``OpendataConfig.ready``), and entries expire after
``OPEN_DATA_CACHE_SECONDS`` (seats left and enrolment dates move with the clock).
"""

import functools
import hashlib
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from ninja import NinjaAPI

from core.cache_versions import CacheVersion
from core.local_copies import LocalCopies

VERSION = CacheVersion("opendata:version")
bump = VERSION.bump
HIT_HEADER = "X-Api-Cache"
CONTENT_TYPE = "application/json; charset=utf-8"
# Each process keeps a copy of the answers it read (core.local_copies): a kept answer then
# costs no Redis round trip, with the same freshness (the key holds the versions).
LOCAL = LocalCopies(max_bytes=int(os.environ.get("OPEN_DATA_LOCAL_BYTES", 16 << 20)))


def _key(request, versions):
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    version = "-".join(version.current() for version in versions)
    return f"opendata:{version}:{address}"


def kept_for_everyone(view=None, *, also=()):
    """Put between ``@api.get`` and ``@paginate``: a page built once per version.
    ``also``: other versions the answer depends on (e.g. the dashboards' figures)."""
    if view is None:
        return functools.partial(kept_for_everyone, also=also)
    versions = (VERSION, *also)

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        key = _key(request, versions)
        content = LOCAL.get(key)
        if content is None:
            stored = cache.get(key)
            if isinstance(stored, tuple) and len(stored) == 2:
                content, expires = stored
                LOCAL.put(key, content, len(content), expires)
        if content is not None:
            response = HttpResponse(content, content_type=CONTENT_TYPE)
            response[HIT_HEADER] = "hit"
            return response
        request._open_data_cache_key = key  # read by CachingNinjaAPI.create_response
        return view(request, *args, **kwargs)

    return answer


class CachingNinjaAPI(NinjaAPI):
    def create_response(self, request, data, *args, **kwargs):
        response = super().create_response(request, data, *args, **kwargs)
        key = getattr(request, "_open_data_cache_key", None)
        if key is not None and response.status_code == 200:
            seconds = getattr(settings, "OPEN_DATA_CACHE_SECONDS", 300)
            expires = time.time() + seconds
            cache.set(key, (response.content, expires), timeout=seconds)
            LOCAL.put(key, response.content, len(response.content), expires)
            response[HIT_HEADER] = "miss"
        return response


def connect_signals():
    from academy.models import Enrolment, Session
    from advisors import signals
    from advisors.models import (
        Advisor,
        Application,
        Closure,
        Contract,
        OpeningRange,
        ServicePoint,
        Structure,
    )
    from territories.models import Commune

    VERSION.renew_on_changes(Structure, Application, Contract, Advisor, ServicePoint,
                             OpeningRange, Closure, Commune, Session, Enrolment, publishing=True)
    # Bulk writes (a service point's hours replaced at once) send no post_save.
    signals.records_bulk_changed.connect(VERSION.bump, weak=False,
                                         dispatch_uid="opendata:bulk-changed")
    # A contract's end or rupture takes effect with the date: the daily job tells.
    signals.contracts_turned.connect(VERSION.bump, weak=False,
                                     dispatch_uid="opendata:contracts-turned")
