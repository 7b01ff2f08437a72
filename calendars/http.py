"""HTTP answers for calendars: the right content type, a download name, and conditional
GET (ETag / Last-Modified → 304) decided from a cheap fingerprint before any feed is built."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from .events import Feed
from .ical import to_ics

CONTENT_TYPE = "text/calendar; charset=utf-8"
# A built feed is kept under its ETag: every subscriber polling an unchanged feed shares one
# build. The ETag changes with the content, so nothing stale is ever served.
BUILT_FEED_TIMEOUT = 6 * 3600


def etag_for(*parts) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return quote_etag(digest)


def calendar_response(request, *, fingerprint: tuple, last_modified: datetime | None,
                      build: Callable[[], Feed], filename: str, private: bool = False):
    """Answers 304 when the client's copy is current; otherwise builds and sends the feed.

    ``fingerprint`` must change whenever the feed's content would: typically the ids
    concerned, their count and the latest change among them, plus any filter."""
    etag = etag_for(*fingerprint)
    timestamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if not_modified is not None:
        response = not_modified
    else:
        key = f"calendars:ics:{etag.strip(chr(34))}"
        body = cache.get(key)
        if body is None:
            body = to_ics(build())
            cache.set(key, body, BUILT_FEED_TIMEOUT)
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    if timestamp:
        response["Last-Modified"] = http_date(timestamp)
    # Feeds are polled by calendar clients: let them revalidate cheaply. Personal feeds
    # must never sit in a shared cache.
    patch_cache_control(response, max_age=900, **({"private": True} if private
                                                   else {"public": True}))
    return response
