"""Pages served by Wagtail to anonymous visitors, kept in the cache.

Most visitors of the home page, the catalogue and the course pages are not logged in, and
they all get the same HTML. ``AnonymousPageCacheMiddleware`` keeps that HTML in the cache
(Redis in production, shared by every gunicorn worker) and answers the next anonymous
request for the same address without routing, querying or rendering.

What is kept, and what is not:

- only Wagtail pages (the ``wagtail_serve`` route), answered 200 to a GET from a visitor
  with neither a session nor pending messages, whose rendering neither set a cookie nor asked
  for a CSRF token (a page showing a form to anonymous visitors is never kept);
- the Content-Security-Policy nonce of the request that rendered the page is swapped for each
  later request's own nonce, so inline scripts keep matching the header;
- every entry lives under a *version*: publishing, unpublishing, moving or deleting a page,
  editing a snippet, and any change the feature apps report (``bump()``: the academy reports
  sessions and enrolments, which change the seats shown) make all kept pages unused at once.
  Entries also expire after ``ANONYMOUS_PAGE_CACHE_SECONDS`` (dates such as "inscriptions
  closes" move with the clock).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from config.cache_versions import CacheVersion

VERSION_KEY = "pages:anonymous:version"
NONCE_PLACEHOLDER = "__csp_nonce__"
HIT_HEADER = "X-Page-Cache"


VERSION = CacheVersion(VERSION_KEY)
bump = VERSION.bump


def _is_anonymous_visit(request):
    return (request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and _serves_a_page(request))


def _serves_a_page(request):
    """Routed to Wagtail's page serving: other addresses (API, feeds, directory…) never
    reach the cache, not even for a lookup."""
    try:
        return resolve(request.path_info).url_name == "wagtail_serve"
    except Resolver404:
        return False


def _key(request, version):
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
        key = _key(request, VERSION.current()) if _is_anonymous_visit(request) else None
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
                      timeout=settings.ANONYMOUS_PAGE_CACHE_SECONDS)
            response[HIT_HEADER] = "miss"
        return response

    @staticmethod
    def _keepable(request, response):
        match = getattr(request, "resolver_match", None)
        return (match is not None and match.url_name == "wagtail_serve"
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
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
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(bump, dispatch_uid=f"page-cache-{signal}")
    post_delete.connect(_page_deleted, dispatch_uid="page-cache-page-deleted")
    for model in apps.get_app_config("cms").get_models():
        post_save.connect(bump, sender=model, dispatch_uid=f"page-cache-{model.__name__}")
        post_delete.connect(bump, sender=model,
                            dispatch_uid=f"page-cache-{model.__name__}-delete")


def _page_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump()
