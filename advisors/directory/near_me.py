""""Autour de moi" searches: the visitor's position rounded, and the answers kept a minute in
this process's memory only.

The position is rounded to ``DECIMALS`` decimals of a degree (111 m north to south, less
east to west) before anything reads it, and the search measures from that rounded point: every
visitor in the same cell gets the same page, so it can be kept without being wrong for any of
them. The page echoes the rounded position (hidden fields, page links), never the raw one.

It is kept in this process's memory (``core.local_copies``: bounded, the oldest dropped first;
never in Redis nor in the browser, as the page promises), for anonymous visitors only, and
under:

- the public records' version (``advisors.public_records``): a service point added, moved,
  hidden or closed, its hours changed, an advisor's contract ended… renew it;
- the minute: "Ouvert maintenant", "Ferme à 12 h" and the filter "ouvert maintenant" are
  computed for the start of that minute (opening hours are minutes), and the public places
  of the day (contracts) with it. The next minute is another key.

A kept answer is thus the very page the same address would render in that minute."""

import hashlib
import math
import time
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.utils import timezone

from cms.page_cache import NONCE_PLACEHOLDER
from core.local_copies import LocalCopies

from .. import public_records

DECIMALS = 3
POSITION_FIELDS = ("lat", "lon")
# About 30 kB a page: 250 pages at most per process, the oldest dropped first.
SIZE_BYTES = 8 << 20


def carries_position(request) -> bool:
    """A search that sends a position (even a wrong one): never kept by the shared page
    cache (``cms.page_cache``, registered in ``advisors.apps``)."""
    return any(name in request.GET for name in POSITION_FIELDS)


def rounded(value: float) -> float:
    return round(value, DECIMALS)


def _rounded_text(text: str) -> str:
    try:
        value = float(text.strip())
    except (TypeError, ValueError):
        return text
    if not math.isfinite(value):
        return text
    return f"{rounded(value):.{DECIMALS}f}"


def with_rounded_position(query: QueryDict) -> QueryDict:
    """``query`` with every latitude and longitude that reads as a number rounded (the
    others left as they are: the form then refuses them)."""
    if not any(name in query for name in POSITION_FIELDS):
        return query
    query = query.copy()
    for name in POSITION_FIELDS:
        if name in query:
            query.setlist(name, [_rounded_text(v) for v in query.getlist(name)])
    query._mutable = False
    return query


def this_minute(now: datetime | None = None) -> datetime:
    """The start of the current minute (aware): what a kept answer is computed for."""
    return (now or timezone.now()).astimezone(UTC).replace(second=0, microsecond=0)


ANSWERS = LocalCopies(max_bytes=SIZE_BYTES)
PLACEHOLDER = NONCE_PLACEHOLDER.encode()


def key(request, minute: datetime) -> str | None:
    """The key of an anonymous "Autour de moi" search (``request.GET`` already rounded), or
    None when the answer must not be kept: a signed-in visitor (or one with pending
    messages) sees a page of their own."""
    if (request.method not in ("GET", "HEAD") or not carries_position(request)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES):
        return None
    address = f"{request.get_host()}{request.path}?{request.GET.urlencode()}"
    return (f"{public_records.VERSION.current()}:{int(minute.timestamp()) // 60}:"
            f"{hashlib.sha256(address.encode()).hexdigest()}")


def kept(request, key):
    """The page kept under ``key``, with this request's CSP nonce, or None."""
    entry = ANSWERS.get(key) if key else None
    if entry is None:
        return None
    content, content_type = entry
    if PLACEHOLDER in content:
        content = content.replace(PLACEHOLDER, str(request.csp_nonce).encode())
    return HttpResponse(content, content_type=content_type)


def keep(request, key, response):
    """Keeps a page every visitor in the same cell, that minute, would get alike: a 200
    that set no cookie and asked for no CSRF token."""
    if (not key or response.status_code != 200 or response.streaming or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or request.user.is_authenticated):
        return
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if isinstance(nonce, str) and nonce:
        content = content.replace(nonce.encode(), PLACEHOLDER)
    # The key holds the minute: past it the copy is never read again; dropped a minute on.
    ANSWERS.put(key, (content, response["Content-Type"]), len(content), time.time() + 60)
