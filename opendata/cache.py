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

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from ninja import NinjaAPI

from core.cache_versions import CacheVersion

VERSION = CacheVersion("opendata:version")
bump = VERSION.bump
HIT_HEADER = "X-Api-Cache"


def _key(request):
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"opendata:{VERSION.current()}:{address}"


def kept_for_everyone(view):
    """Put between ``@api.get`` and ``@paginate``: a page built once per version."""

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            response = HttpResponse(kept, content_type="application/json; charset=utf-8")
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
            cache.set(key, response.content,
                      timeout=getattr(settings, "OPEN_DATA_CACHE_SECONDS", 300))
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
