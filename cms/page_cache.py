"""Pages served by Wagtail to anonymous visitors, kept in the cache.

Most visitors of the home page, the catalogue and the course pages are not logged in, and
they all get the same HTML. ``AnonymousPageCacheMiddleware`` keeps that answer (its body and
headers) in the cache (Redis in production, shared by every gunicorn worker) and answers the
next anonymous request for the same address without routing, querying or rendering.

What is kept, and what is not:

- only Wagtail pages (the ``wagtail_serve`` route) and the routes a feature app registers
  with ``keep_route`` (the public directory), answered 200 to a GET from a visitor with
  neither a session nor pending messages, whose rendering neither set a cookie nor asked
  for a CSRF token (a page showing a form to anonymous visitors is never kept), nor said
  ``private``/``no-store``, nor varies on a request header other than the language and
  the cookies;
- an address is its path and its query string *normalized*: the parameters as the view
  reads them (``request.GET``), sorted by name, so ``?theme=x&department=60`` and
  ``?department=60&theme=x`` are one entry;
- the Content-Security-Policy nonce of the request that rendered the page is swapped, in the
  body and in the headers, for a new nonce per answer, so inline scripts keep matching the
  header;
- every entry lives under a *version*: publishing, unpublishing, moving or deleting a page,
  editing a snippet, and any change the feature apps report (``bump()``: the academy reports
  sessions and enrolments, which change the seats shown) make all kept pages unused at once.
  Entries also expire after ``ANONYMOUS_PAGE_CACHE_SECONDS`` (dates such as "inscriptions
  closes" move with the clock). A registered route adds a version of its own app's and its
  own lifetime.

Where it runs: early in ``MIDDLEWARE``, right after the security middleware (HTTPS redirect,
host check) and the static files, before sessions, CSRF, authentication, messages and the
header middleware. A request that carries the session cookie or the messages cookie, or that
is not a GET/HEAD, passes through untouched and is never answered from the cache, so a
logged-in person (who always has the session cookie) never gets a kept page, and a kept page
is never a way around a check those middleware make for a signed-in person. A kept answer
carries the headers the inner middleware gave the rendered one (CSP, frame options,
permissions policy, Vary, Content-Language), with its own nonce; the outer ones (request id,
HSTS, nosniff, referrer policy) run around it as around any answer.

Each process also keeps a copy of the entries it read (``core.local_copies``): a hit then
costs no Redis round trip at all, with the same freshness (the key holds the version, read
back every ``core.cache_versions.LOCAL_SECONDS``).

A feature app may also keep the answers of a route itself, in its own process's memory and
by its own rules (``answer_early``: "Autour de moi", ``advisors.directory.near_me``, whose
pages carry a position and are never stored in Redis). The same conditions apply (a GET
without the session or messages cookie); the app looks its answer up here, before sessions
and authentication, and is handed the finished answer (with the inner middleware's headers)
to keep; a kept answer is sent like this cache's own, with a new nonce (and without the
header ``X-Page-Cache``: it is the app's answer, not this cache's).
"""

import hashlib
import os
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from core.cache_versions import CacheVersion
from core.kept_answers import (  # noqa: F401 (kept_answer, Kept: this module's interface too)
    HIT_HEADER,
    NONCE_PLACEHOLDER,
    Kept,
    kept_answer,
    new_nonce,
    stored_answer,
    view_name,
)
from core.local_copies import LocalCopies

VERSION_KEY = "pages:anonymous:version"


VERSION = CacheVersion(VERSION_KEY)
bump = VERSION.bump
WAGTAIL_ROUTE = "wagtail_serve"
# A page that varies on anything else than these request headers is not kept.
KEPT_VARY = {"accept-language", "cookie"}
LOCAL = LocalCopies(max_bytes=int(os.environ.get("ANONYMOUS_PAGE_LOCAL_BYTES", 24 << 20)))


@dataclass(frozen=True)
class KeptRoute:
    version: CacheVersion | None  # the feature app's own data version, if any
    seconds: int | None  # lifetime, ANONYMOUS_PAGE_CACHE_SECONDS by default
    never: object = None  # request -> True: a request of the route never kept nor looked up


_routes = {WAGTAIL_ROUTE: KeptRoute(None, None)}


def keep_route(view_name, version=None, seconds=None, never=None):
    """Lets anonymous visits of a route (e.g. "directory:search") be kept like Wagtail's
    pages; ``version`` is renewed by the feature app when what the route shows changes;
    ``never(request)`` true: that request is neither looked up nor kept."""
    _routes[view_name] = KeptRoute(version, seconds, never)


@dataclass(frozen=True)
class EarlyRoute:
    applies: object  # request -> True: a request of the route the app keeps itself
    lookup: object  # request -> Kept or None: the app's kept answer for that request
    keep: object  # (request, response) -> None: the finished answer, to keep or not


_early_routes = {}


def answer_early(view_name, applies, lookup, keep):
    """Lets a feature app answer anonymous GETs of a route (those for which
    ``applies(request)`` is true; the others are handled as usual) from what it keeps itself
    (in this process's memory), here, before sessions, CSRF, authentication and the header
    middleware: ``lookup(request)`` returns a ``Kept`` (made by ``kept_answer``) or None,
    and, when it returns None, ``keep(request, response)`` is given the finished answer (the
    rendered one with the inner middleware's headers). The app decides what is kept and for
    how long."""
    _early_routes[view_name] = EarlyRoute(applies, lookup, keep)


def _anonymous_get(request, methods=("GET", "HEAD")):
    return (request.method in methods
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES)


def _early_route(request):
    """The EarlyRoute of an anonymous GET (never HEAD: those views answer GET only) to a
    route registered with ``answer_early`` that the app keeps itself, else None."""
    if not _early_routes or not _anonymous_get(request, ("GET",)):
        return None
    route = _early_routes.get(view_name(request.path_info))
    return route if route is not None and route.applies(request) else None


def _kept_route(request):
    """The KeptRoute of an anonymous GET to a route that may be kept, else None: other
    addresses (API, feeds, personal pages…) never reach the cache, not even for a lookup."""
    if not _anonymous_get(request):
        return None
    route = _routes.get(view_name(request.path_info))
    return None if route is None or (route.never and route.never(request)) else route


def normalized_address(request):
    """Host, path and the query parameters sorted by name (each name's values in their
    order), decoded as the view reads them: two spellings of one query are one address."""
    address = request.get_host() + request.path
    if request.META.get("QUERY_STRING"):
        address += "?" + urlencode(sorted(request.GET.lists()), doseq=True)
    return address


def _key(request, route):
    version = VERSION.current()
    if route.version is not None:
        version += "-" + route.version.current()
    address = normalized_address(request).encode("utf-8", "surrogatepass")
    return f"pages:anonymous:{version}:{hashlib.sha256(address).hexdigest()}"


class AnonymousPageCacheMiddleware:
    """Early in MIDDLEWARE (see the module's docstring): a kept page is answered before
    sessions, authentication and the header middleware run, with the headers they gave it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        early = _early_route(request)
        if early is not None:
            kept = early.lookup(request)
            if kept is not None:
                return kept.answer(hit=None)  # the very answer the view gave, but the nonce
            response = self.get_response(request)
            early.keep(request, response)
            return response
        route = _kept_route(request)
        if route is None:
            return self.get_response(request)
        key = _key(request, route)
        kept = LOCAL.get(key)
        if kept is None:
            stored = cache.get(key)
            if isinstance(stored, tuple) and len(stored) == 3:
                kept = Kept(stored)
                LOCAL.put(key, kept, kept.size, kept.expires)
        if kept is not None:
            return kept.answer()
        response = self.get_response(request)
        if self._keepable(request, response):
            seconds = route.seconds or settings.ANONYMOUS_PAGE_CACHE_SECONDS
            stored = stored_answer(request, response, seconds)
            cache.set(key, stored, timeout=seconds)
            kept = Kept(stored)
            LOCAL.put(key, kept, kept.size, kept.expires)
            response[HIT_HEADER] = "miss"
        return response

    @staticmethod
    def _keepable(request, response):
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        cache_control = response.get("Cache-Control", "")
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",")
                if part.strip()}
        return (match is not None and match.view_name in _routes
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
                and "no-store" not in cache_control
                and "private" not in cache_control
                and vary <= KEPT_VARY
                # asked for by get_token() (a form with a CSRF token): never shared
                and "CSRF_COOKIE_NEEDS_UPDATE" not in request.META
                and user is not None and not user.is_authenticated
                and not getattr(request, "is_preview", False))


def connect_signals():
    """Wagtail's publishing signals and every cms model (snippets, navigation) bump the
    version. Feature apps connect their own models (see ``academy.apps``)."""
    from django.apps import apps
    from django.db.models.signals import post_delete

    VERSION.renew_on_changes(*apps.get_app_config("cms").get_models(), publishing=True)
    post_delete.connect(_page_deleted, dispatch_uid="page-cache-page-deleted")


def header_keys(user_id):
    """The header's navigation (menus, published pages) is in every signed-in page kept
    whole (``core.personal_pages``): those hold while this version does."""
    return [VERSION_KEY]


def _page_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump()
