"""Finished answers kept to be sent again: what the anonymous page cache
(``cms/page_cache.py``) and the signed-in page cache (``core/personal_pages.py``) share.

An answer is kept as its body and headers, without the per-answer headers (length, cookies,
request id), and with the Content-Security-Policy nonce of the request that rendered it
swapped for a placeholder: each answer sent from it gets a new nonce, in the body and in the
headers, so that inline scripts keep matching the header and no two answers share a nonce.

``view_name`` resolves a path to its view's name once per process (both caches decide from
the route whether a request may be looked up at all, before URL routing runs)."""

import base64
import hashlib
import os
import time
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve

NONCE_PLACEHOLDER = "__csp_nonce__"
HIT_HEADER = "X-Page-Cache"
# Headers never kept: set per answer (length, cache status) or by the outer middleware.
NOT_KEPT_HEADERS = {"content-length", HIT_HEADER.lower(), "x-request-id", "set-cookie"}

_view_names = {}  # (urlconf, path) -> view name or None: URL resolution, remembered
_VIEW_NAMES_MAX = 4096


def view_name(path_info):
    urlconf = get_urlconf()
    known = (urlconf, path_info)
    try:
        return _view_names[known]
    except KeyError:
        pass
    try:
        name = resolve(path_info, urlconf).view_name
    except Resolver404:
        name = None
    if len(_view_names) >= _VIEW_NAMES_MAX:
        _view_names.clear()  # addresses made up by crawlers do not pile up
    _view_names[known] = name
    return name


def request_nonce(request):
    nonce = getattr(request, "_csp_nonce", None)  # set once django-csp's nonce was used
    return nonce if isinstance(nonce, str) else None


def new_nonce():
    return base64.b64encode(os.urandom(16)).decode("ascii")  # as django-csp makes them


class Kept:
    """A stored answer made ready to be sent many times: the body split where the nonce
    goes, the headers in the form HttpResponse keeps them."""

    __slots__ = ("parts", "headers", "nonce_headers", "size", "expires")

    def __init__(self, stored):
        content, headers, self.expires = stored[:3]
        self.parts = content.split(NONCE_PLACEHOLDER.encode())
        self.headers = [(name, value) for name, value in headers
                        if NONCE_PLACEHOLDER not in value]
        self.nonce_headers = [(name, value.split(NONCE_PLACEHOLDER)) for name, value in headers
                              if NONCE_PLACEHOLDER in value]
        self.size = len(content) + sum(len(name) + len(value) for name, value in headers)

    def answer(self, hit="hit"):
        response = HttpResponse()
        store = response.headers._store  # already validated when the page was rendered
        for name, value in self.headers:
            store[name.lower()] = (name, value)
        if len(self.parts) > 1 or self.nonce_headers:
            nonce = new_nonce()
            for name, parts in self.nonce_headers:
                store[name.lower()] = (name, nonce.join(parts))
            response.content = nonce.encode().join(self.parts)
        else:
            response.content = self.parts[0]
        store["content-length"] = ("Content-Length", str(len(response.content)))
        if hit:
            store[HIT_HEADER.lower()] = (HIT_HEADER, hit)
        return response


def stored_answer(request, response, seconds, content=None):
    """(body, headers, expiry time) of ``response`` as kept: the nonce swapped for the
    placeholder, the per-answer headers left out. ``content``: the body to keep instead of
    the response's own (already changed by the caller)."""
    content = response.content if content is None else content
    headers = list(response.items())
    nonce = request_nonce(request)
    if nonce:
        content = content.replace(nonce.encode(), NONCE_PLACEHOLDER.encode())
        headers = [(name, value.replace(nonce, NONCE_PLACEHOLDER)) for name, value in headers]
    headers = tuple((name, value) for name, value in headers
                    if name.lower() not in NOT_KEPT_HEADERS)
    return (content, headers, time.time() + seconds)


def kept_answer(request, response, expires):
    """The finished ``response`` to ``request`` as a ``Kept``, held until ``expires`` (a
    time.time())."""
    content, headers, _ = stored_answer(request, response, 0)
    return Kept((content, headers, expires))


@once
def code_version():
    """A digest of the project's templates and code as this process runs them (read once):
    an answer or a part rendered by other templates (before a deployment) is never served
    after it."""
    root = Path(settings.BASE_DIR)
    apps = [path.parent for path in sorted(root.glob("*/apps.py"))]
    digest = hashlib.sha256()
    for folder in [root / "templates", root / "core", root / "config", *apps]:
        for path in sorted([*folder.rglob("*.html"), *folder.rglob("*.py")]):
            if "migrations" not in path.parts:
                digest.update(path.read_bytes())
    # The static files' names (their digests) as collected for this deployment.
    manifest = Path(settings.STATIC_ROOT or root / "-") / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:12]
