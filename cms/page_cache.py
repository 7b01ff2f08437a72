"""Pages served by Wagtail to anonymous visitors, kept in the cache.

Most visitors of the home page, the catalogue and the course pages are not logged in, and
they all get the same HTML. ``AnonymousPageCacheMiddleware`` keeps that HTML in the cache
(Redis in production, shared by every gunicorn worker) and answers the next anonymous
request for the same address without routing, querying or rendering.

What is kept, and what is not:

- only Wagtail pages (the ``wagtail_serve`` route) and the routes a feature app registers
  with ``keep_route`` (the public directory), answered 200 to a GET from a visitor with
  neither a session nor pending messages, whose rendering neither set a cookie nor asked
  for a CSRF token (a page showing a form to anonymous visitors is never kept);
- the Content-Security-Policy nonce of the request that rendered the page is swapped for each
  later request's own nonce, so inline scripts keep matching the header;
- every entry lives under a *version*: publishing, unpublishing, moving or deleting a page,
  editing a snippet, and any change the feature apps report (``bump()``: the academy reports
  sessions and enrolments, which change the seats shown) make all kept pages unused at once.
  Entries also expire after ``ANONYMOUS_PAGE_CACHE_SECONDS`` (dates such as "inscriptions
  closes" move with the clock). A registered route adds a version of its own app's and its
  own lifetime.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from core.cache_versions import CacheVersion

VERSION_KEY = "pages:anonymous:version"
NONCE_PLACEHOLDER = "__csp_nonce__"
HIT_HEADER = "X-Page-Cache"


VERSION = CacheVersion(VERSION_KEY)
bump = VERSION.bump
WAGTAIL_ROUTE = "wagtail_serve"


@dataclass(frozen=True)
class KeptRoute:
    version: CacheVersion | None  # the feature app's own data version, if any
    seconds: int | None  # lifetime, ANONYMOUS_PAGE_CACHE_SECONDS by default


_routes = {WAGTAIL_ROUTE: KeptRoute(None, None)}


def keep_route(view_name, version=None, seconds=None):
    """Lets anonymous visits of a route (e.g. "directory:search") be kept like Wagtail's
    pages; ``version`` is renewed by the feature app when what the route shows changes."""
    _routes[view_name] = KeptRoute(version, seconds)


def _kept_route(request):
    """The KeptRoute of an anonymous GET to a route that may be kept, else None: other
    addresses (API, feeds, personal pages…) never reach the cache, not even for a lookup."""
    if (request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES):
        return None
    try:
        return _routes.get(resolve(request.path_info).view_name)
    except Resolver404:
        return None


def _key(request, route):
    version = VERSION.current()
    if route.version is not None:
        version += "-" + route.version.current()
    address = f"{request.get_host()}{request.get_full_path()}"
    return f"pages:anonymous:{version}:{hashlib.sha256(address.encode()).hexdigest()}"


def _nonce(request):
    nonce = getattr(request, "_csp_nonce", None)  # set once django-csp's nonce was used
    return nonce if isinstance(nonce, str) else None


class AnonymousPageCacheMiddleware:
    """Last in MIDDLEWARE, so that sessions, authentication, CSRF, messages and the security
    headers (CSP included) run around a kept page exactly as around a rendered one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = _kept_route(request)
        key = _key(request, route) if route is not None else None
        if key is not None:
            kept = cache.get(key)
            if kept is not None:
                return self._answer(request, kept)
        response = self.get_response(request)
        if key is not None and self._keepable(request, response):
            content = response.content.decode(response.charset)
            nonce = _nonce(request)
            if nonce:
                content = content.replace(nonce, NONCE_PLACEHOLDER)
            cache.set(key, {"content": content, "type": response["Content-Type"]},
                      timeout=route.seconds or settings.ANONYMOUS_PAGE_CACHE_SECONDS)
            response[HIT_HEADER] = "miss"
        return response

    @staticmethod
    def _keepable(request, response):
        match = getattr(request, "resolver_match", None)
        return (match is not None and match.view_name in _routes
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
                and "no-store" not in response.get("Cache-Control", "")
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not request.user.is_authenticated
                and not getattr(request, "is_preview", False))

    @staticmethod
    def _answer(request, kept):
        content = kept["content"]
        if NONCE_PLACEHOLDER in content:
            content = content.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
        response = HttpResponse(content, content_type=kept["type"])
        response[HIT_HEADER] = "hit"
        return response


def connect_signals():
    """Wagtail's publishing signals and every cms model (snippets, navigation) bump the
    version. Feature apps connect their own models (see ``academy.apps``)."""
    from django.apps import apps
    from django.db.models.signals import post_delete

    VERSION.renew_on_changes(*apps.get_app_config("cms").get_models(), publishing=True)
    post_delete.connect(_page_deleted, dispatch_uid="page-cache-page-deleted")


def _page_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump()
