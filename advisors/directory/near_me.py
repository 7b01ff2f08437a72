""""Autour de moi" searches: the visitor's position rounded, and the answers kept in this
process's memory only, while they hold.

The position is rounded to ``DECIMALS`` decimals of a degree (111 m north to south, less
east to west) before anything reads it, and the search measures from that rounded point: every
visitor in the same cell gets the same page, so it can be kept without being wrong for any of
them. The page echoes the rounded position (hidden fields, page links), never the raw one.

It is kept in this process's memory (``core.local_copies``: bounded, the oldest dropped first,
ten minutes at most; never in Redis nor in the browser, as the page promises) as the
middleware finished it (headers included), and answered early, before sessions and
authentication (``cms.page_cache.answer_early``), with a new CSP nonce; for anonymous visitors
only (a GET without the session or messages cookie, rendered for no signed-in person), under
the public records' version (``advisors.public_records``: a service point added, moved, hidden
or closed, its hours changed, an advisor's contract ended… renew it), and for as long as the
clock changes nothing on it (``valid_until``): the page is computed for the start of the
current minute (opening hours are minutes) and holds until a place listed opens or closes or
the day turns; with the filter "ouvert maintenant", for that minute only.

A kept answer is thus the very page the same address would render in that minute."""

import hashlib
import math
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from calendars.open_now import PARIS
from cms.page_cache import kept_answer
from core.local_copies import LocalCopies

from .. import public_records

DECIMALS = 3
POSITION_FIELDS = ("lat", "lon")
# About 30 kB a page: 250 pages at most per process, the oldest dropped first.
SIZE_BYTES = 8 << 20
MAX_SECONDS = 600


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


def key(request, query: QueryDict | None = None) -> str | None:
    """The key of an anonymous "Autour de moi" search (``query``: its rounded parameters,
    ``request.GET`` by default), or None when the answer must not be kept: a signed-in
    visitor (or one with pending messages) sees a page of their own."""
    query = request.GET if query is None else query
    if (request.method != "GET" or not any(name in query for name in POSITION_FIELDS)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES):
        return None
    try:
        address = f"{request.get_host()}{request.path}?{query.urlencode()}".encode()
    except UnicodeEncodeError:  # a lone surrogate, refused in French further in
        return None
    return f"{public_records.VERSION.current()}:{hashlib.sha256(address).hexdigest()}"


def next_midnight(moment: datetime, zone) -> datetime:
    local = moment.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), dt_time(), tzinfo=zone)


def valid_until(minute: datetime, states, *, open_now_filter: bool) -> datetime:
    """Until when the page computed for ``minute`` stays the same, the data unchanged (the
    version sees to that): with the filter "ouvert maintenant", the minute (any place around
    may open or close); else the first change of a label shown (``states``: (OpenState, time
    zone) of each place listed: it opens, it closes, or the day turns in its zone, which
    rewrites "demain" and holidays) or the day turning in Paris (contracts, the places
    staffed that day)."""
    if open_now_filter:
        return minute + timedelta(minutes=1)
    until = next_midnight(minute, PARIS)
    for state, zone in states:
        for change in (state.opens_at, state.closes_at, next_midnight(minute, zone)):
            if change is not None and change < until:
                until = change
    return max(until, minute + timedelta(minutes=1))


def mark(response, key, minute: datetime, until: datetime):
    """Says, on the page the view rendered, under which key it may be kept and from when to
    when it holds; ``keep`` reads it once the inner middleware have finished the answer."""
    response.near_me = (key, minute, until)


def keep(request, response):
    """Keeps the finished answer (body and the headers the middleware gave it: CSP,
    no-store…) of a page every visitor in the same cell would get alike from its minute to
    its ``until``: a 200 the view marked, that set no cookie, asked for no CSRF token and
    was not rendered for a signed-in visitor. Called by ``cms.page_cache`` (``answer_early``,
    registered in ``advisors.apps``)."""
    marked = getattr(response, "near_me", None)
    if marked is None:
        return
    key, minute, until = marked
    if (not key or response.status_code != 200 or response.streaming or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or getattr(request, "user", None) is None or request.user.is_authenticated):
        return
    # Held in memory ten minutes at most, whatever its validity.
    expires = time.time() + min(MAX_SECONDS, (until - minute).total_seconds())
    answer = kept_answer(request, response, expires)
    ANSWERS.put(key, (answer, minute, until), answer.size, expires)


def lookup(request):
    """The answer kept for this anonymous GET (rounded the way the view rounds it), if the
    page it holds is still the one the current minute shows; else None (the view renders)."""
    entry = ANSWERS.get(key(request, with_rounded_position(request.GET)))
    if entry is None:
        return None
    answer, computed, until = entry
    return answer if computed <= this_minute() < until else None
