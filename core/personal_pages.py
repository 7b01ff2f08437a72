"""Signed-in pages kept whole, for the session that saw them, until something they show changes.

A signed-in person's page ("Mon espace", an advisor's reports, a structure's page, a préfet's
applications, the statistics, the dashboards) costs a full pass through authentication,
the view and the templates: 10 to 15 ms of Python when its figures are already kept. Most
visits see the very page they saw a moment ago. ``PersonalPageCacheMiddleware`` keeps the
finished answer and sends it again, right after the session is read, while three things
hold:

- **the same session, as it was**: an entry is found under the session's key *and* a digest
  of its content (who is signed in, their authentication hash, pending messages, allauth's
  state…); a session logged out, expired, or changed in any way finds nothing; and, as
  Django's authentication checks it, read from the database on every request: the account
  exists, is active, and its password is still the one the session was opened with;
- **the same versions**: a view that lets its page be kept names, before reading anything,
  the versions of what it shows (``depend``): the person's own version
  (``accounts.space_cache``, renewed by any change of the person: password, roles, groups,
  two-factor authentication, deactivation, deletion), the header's (``cms``), and the
  view's own (a structure's, the applications', the dashboards' figures…). They are read
  back from the cache on every request: one changed and the page is rendered again;
- **the same day and not too old**: an entry lives ``PERSONAL_PAGE_CACHE_SECONDS`` at most,
  never past midnight (dates read "aujourd'hui"), nor past the instant a view gives
  (``valid_until``).

Only GET requests to routes whose view asked to be kept are looked up (the first request of
a route in a process renders it: the route is known from then on). What the middleware
below does for a rendered page is done for a kept one too: its headers are the rendered
page's (CSP, frames, permissions policy, Vary), with a new CSP nonce, and the CSRF token of
the forms (the header's logout button) is the request's own, masked anew, with the cookie
set as Django's CSRF middleware sets it.

A page is never kept when its rendering set a cookie other than CSRF's, changed the session,
used messages, or answered anything but 200; nor when a view says so (``never``: a part
read on every request). A view's permission checks run when the page is rendered; a kept
page is served only while the versions that decided them hold (the person's and the view's).
"""

import hashlib
import json
import os
import re
import time
import uuid
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.middleware.csrf import (
    InvalidTokenFormat,
    _check_token_format,
    _get_new_csrf_string,
    _mask_cipher_secret,
    _unmask_cipher_token,
)
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.crypto import constant_time_compare

from .cache_versions import VERSION_TIMEOUT, align_local_versions
from .kept_answers import Kept, code_version, stored_answer, view_name
from .local_copies import LocalCopies

HIT = "personal"
CSRF_PLACEHOLDER = b"__personal_csrf_token__"
LOCAL = LocalCopies(max_bytes=int(os.environ.get("PERSONAL_PAGE_LOCAL_BYTES", 16 << 20)))
_TOKEN_RE = re.compile(rb"[A-Za-z0-9]{64}")

_routes = set()  # view names whose view called ``depend``: looked up from then on
# View names whose answer is a function of the address alone (a secret token in it, as a
# calendar feed's): looked up for requests without a session too (``depend_on_address``).
_address_routes = set()
# A client revalidating its copy is answered by the view (304), never from here.
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE")
_always = []  # functions user id -> version keys every kept page depends on
_refusals = []  # functions () -> True: the page just rendered must not be kept


def never_keep_when(refuses):
    """``refuses()`` true after a page was rendered: that page is sent, not kept (the
    database router: a page read from a lagging replica)."""
    if refuses not in _refusals:
        _refusals.append(refuses)


def always_depend_on(keys_of_user):
    """``keys_of_user(user_id)``: version keys every kept page of that person depends on
    (registered by the apps at start: the person's own version, the header's)."""
    if keys_of_user not in _always:
        _always.append(keys_of_user)


def _state(request):
    return request.__dict__.get("_personal_page")


def depend(request, *keys):
    """The page may be kept while these version keys hold their current value. Called by
    the view *before* it reads what they cover; may be called again as the view learns
    more (the advisor's own version once it knows who the advisor is)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and request.method == "GET":
        _routes.add(match.view_name)
    state = _state(request)
    if state is None or state["never"]:
        return
    missing = [key for key in keys if key not in state["versions"]]
    if missing:
        found = _read(missing)
        if found is None:
            state["never"] = True
        else:
            state["versions"].update(found)
            align_local_versions(found)
    state["asked"] = True


def depend_on_address(request, *keys):
    """Like ``depend``, for a view whose answer is the same for whoever asks with this
    address (a secret token in it, no session needed): kept for the address itself."""
    match = getattr(request, "resolver_match", None)
    if match is not None and request.method == "GET":
        _address_routes.add(match.view_name)
    depend(request, *keys)


def valid_until(request, instant):
    """What the page shows changes at ``instant`` with the clock alone (an aware datetime)."""
    state = _state(request)
    if state is not None and instant is not None:
        state["until"] = instant if state["until"] is None else min(state["until"], instant)


def never(request):
    """This request's page must not be kept (a part of it is read on every request)."""
    state = _state(request)
    if state is not None:
        state["never"] = True


def _read(keys):
    """{key: current value} for ``keys``, a value made for each one missing (never set or
    evicted); None when the cache does not answer."""
    found = cache.get_many(keys)
    absent = [key for key in keys if key not in found]
    if absent:
        for key in absent:
            cache.add(key, uuid.uuid4().hex, VERSION_TIMEOUT)
        found.update(cache.get_many(absent))
        if any(key not in found for key in keys):
            return None
    return found


def _secret_digest():
    return hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:8]


def _entry_key(request, session_key, session_data):
    digest = hashlib.sha256()
    for part in (session_key, json.dumps(session_data, sort_keys=True, default=str),
                 request.scheme, request.get_host(), request.path_info,
                 request.META.get("QUERY_STRING", "")):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return f"pages:personal:{code_version()}:{_secret_digest()}:{digest.hexdigest()}"


def _next_midnight():
    now = timezone.localtime()
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    return timezone.make_aware(tomorrow, now.tzinfo).timestamp()


class PersonalPageCacheMiddleware:
    """Right after ``SessionMiddleware`` (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        looked = self._look_up(request)
        if isinstance(looked, Kept):
            return self._answer(request, looked)
        response = self.get_response(request)
        if looked is not None:
            self._keep(request, response, *looked)
        return response

    # --- lookup ---------------------------------------------------------------------------
    @staticmethod
    def _look_up(request):
        """A ``Kept`` to send, or (key, session key, session data) to keep the rendered page
        under, or None (not a page that may be kept)."""
        if (request.method != "GET" or settings.CSRF_USE_SESSIONS
                or request.COOKIES.get("messages")  # emptied: no message waits
                or any(header in request.META for header in CONDITIONAL_HEADERS)):
            return None
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return PersonalPageCacheMiddleware._look_up_address(request)
        if view_name(request.path_info) not in _routes:
            return None
        session = request.session
        data = _session_content(session)
        user_id = data.get("_auth_user_id") if data else None
        if not user_id or not _still_signed_in(user_id, data):
            return None
        key = _entry_key(request, session.session_key, data)
        always = [k for keys_of_user in _always for k in keys_of_user(user_id)]
        kept = _kept(key)
        wanted = list(dict.fromkeys([*always, *(kept.versions if kept else ())]))
        current = _read(wanted)
        if current is None:
            return None  # the cache does not answer: rendered, not kept
        align_local_versions(current)
        if kept is not None and all(current.get(k) == v for k, v in kept.versions.items()):
            LOCAL.put(key, kept, kept.size, kept.expires)
            return kept
        if kept is not None:
            LOCAL.discard(key)
        # The versions as they are before the view reads anything: the page is kept under
        # these (a change made while it renders leaves it unused, never stale).
        request._personal_page = {"versions": {k: current[k] for k in always},
                                  "never": False, "asked": False, "until": None,
                                  "user_id": str(user_id)}
        return key, session.session_key, data

    @staticmethod
    def _look_up_address(request):
        """The same, for a request without a session to an address-only route."""
        if view_name(request.path_info) not in _address_routes:
            return None
        key = _entry_key(request, "", {})
        kept = _kept(key)
        if kept is not None:
            current = _read(list(kept.versions))
            if current is not None and all(current.get(k) == v
                                           for k, v in kept.versions.items()):
                LOCAL.put(key, kept, kept.size, kept.expires)
                return kept
            LOCAL.discard(key)
        request._personal_page = {"versions": {}, "never": False, "asked": False,
                                  "until": None, "user_id": None}
        return key, None, None

    # --- keeping --------------------------------------------------------------------------
    def _keep(self, request, response, key, session_key, data):
        state = _state(request)
        if (state is None or state["never"] or not state["asked"]
                or response.status_code != 200 or response.streaming
                or set(response.cookies) - {settings.CSRF_COOKIE_NAME}
                or "no-store" in response.get("Cache-Control", "")
                or getattr(request, "is_preview", False)
                or getattr(getattr(request, "_messages", None), "used", False)
                or any(refuses() for refuses in _refusals)):
            return
        if session_key is None:  # an address-only route: nothing of a session in it
            if response.cookies or request.session.modified:
                return
        elif not self._same_person(request, session_key, state):
            return
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",")
                if part.strip()}
        if not vary <= {"accept-language", "cookie"}:
            return
        content, uses_csrf = response.content, False
        secret = request.META.get("CSRF_COOKIE")
        # The CSRF middleware sends its cookie whenever the page used a token (get_token).
        if settings.CSRF_COOKIE_NAME in response.cookies and secret:
            content, uses_csrf = _without_tokens(content, secret), True
        expires = min(time.time() + settings.PERSONAL_PAGE_CACHE_SECONDS, _next_midnight())
        if state["until"] is not None:
            expires = min(expires, state["until"].timestamp())
        seconds = int(expires - time.time())
        if seconds < 1:
            return
        body, headers, _ = stored_answer(request, response, seconds, content=content)
        stored = (body, headers, expires, dict(state["versions"]), uses_csrf)
        cache.set(key, stored, timeout=seconds)
        kept = _KeptPage(stored)
        LOCAL.put(key, kept, kept.size, kept.expires)

    @staticmethod
    def _same_person(request, session_key, state):
        user = getattr(request, "user", None)
        return (user is not None and user.is_authenticated
                and str(user.pk) == state["user_id"]
                and not request.session.modified
                and request.session.session_key == session_key)

    # --- answering ------------------------------------------------------------------------
    @staticmethod
    def _answer(request, kept):
        response = kept.answer(hit=HIT)
        if kept.uses_csrf:
            secret = _request_secret(request) or _get_new_csrf_string()
            response.content = response.content.replace(
                CSRF_PLACEHOLDER, _mask_cipher_secret(secret).encode())
            response.headers["Content-Length"] = str(len(response.content))
            # As CsrfViewMiddleware does whenever a page uses the token: the cookie is sent
            # again (its expiry renewed), and the answer varies on cookies.
            response.set_cookie(
                settings.CSRF_COOKIE_NAME, secret, max_age=settings.CSRF_COOKIE_AGE,
                domain=settings.CSRF_COOKIE_DOMAIN, path=settings.CSRF_COOKIE_PATH,
                secure=settings.CSRF_COOKIE_SECURE, httponly=settings.CSRF_COOKIE_HTTPONLY,
                samesite=settings.CSRF_COOKIE_SAMESITE)
            patch_vary_headers(response, ("Cookie",))
        return response


def _one_row(model, sql, params):
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql.format(table=connection_quote(model._meta.db_table)), params)
        return cursor.fetchone()


def connection_quote(name):
    return connections["default"].ops.quote_name(name)


def _database_sessions():
    """Whether the sessions are Django's database sessions (or a subclass reading them)."""
    from django.contrib.sessions.backends import cached_db, db

    engine = import_module(settings.SESSION_ENGINE).SessionStore
    return issubclass(engine, db.SessionStore) and not issubclass(engine, cached_db.SessionStore)


def _session_content(session):
    """The session's content, read as the database sessions read it (the row of this key,
    unexpired) by one plain query, and handed to the session so that the view does not read
    it again; None when there is no such session."""
    if not session.session_key:
        return None
    if not _database_sessions():
        return dict(session.items()) or None
    row = _one_row(session.model,
                   "SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                   [session.session_key, timezone.now()])
    if row is None:
        return None  # the view's own reading of the session decides what follows
    data = session.decode(row[0])
    session._session_cache = data
    return data


def _still_signed_in(user_id, data):
    """What Django's authentication checks on every request, read here from the database
    (not from a version in the cache, which a Redis outage could leave behind): the account
    exists, is active, and the session's hash still matches its password."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return False
    row = _one_row(model, f"SELECT password, is_active FROM {{table}} WHERE "
                          f"{connection_quote(model._meta.pk.column)} = %s", [pk])
    if row is None or not row[1]:
        return False
    user = model(pk=pk, password=row[0])
    return constant_time_compare(data.get(HASH_SESSION_KEY, ""),
                                 user.get_session_auth_hash())


def _kept(key):
    kept = LOCAL.get(key)
    if kept is None:
        stored = cache.get(key)
        if isinstance(stored, tuple) and len(stored) == 5:
            kept = _KeptPage(stored)
    return kept


class _KeptPage(Kept):
    __slots__ = ("versions", "uses_csrf")

    def __init__(self, stored):
        super().__init__(stored)
        self.versions, self.uses_csrf = stored[3], stored[4]


def _without_tokens(content, secret):
    """The body with each CSRF token masked from ``secret`` swapped for the placeholder."""
    def swap(match):
        token = match.group(0).decode("ascii")
        return CSRF_PLACEHOLDER if _unmask_cipher_token(token) == secret else match.group(0)

    return _TOKEN_RE.sub(swap, content)


def _request_secret(request):
    """The CSRF secret of the request's cookie, as CsrfViewMiddleware reads it, or None."""
    value = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not value:
        return None
    try:
        _check_token_format(value)
    except InvalidTokenFormat:
        return None
    return _unmask_cipher_token(value) if len(value) == 64 else value
