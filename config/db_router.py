"""Reads of the dashboards and of the open data on a PostgreSQL replica
(``DATABASE_REPLICA_URL``), everything else and every write on the primary.

Installed only when ``DATABASE_REPLICA_URL`` is set (config/settings/database.py): the
"replica" alias, ``ReplicaRouter`` and ``ReadYourWritesMiddleware``. Without it, nothing here
runs and every query goes to the one database, as before.

A request's reads go to the replica when all of these hold:

- it is a GET or HEAD of a reporting page: the dashboards (``dashboards`` namespace:
  national, régional, départemental, structure and personal statistics) and the open data
  (``opendata`` pages, the API ``/api/v1/``);
- the person has not written in the last ``DATABASE_REPLICA_PRIMARY_SECONDS``
  (read-your-writes): any POST, PUT, PATCH or DELETE, and any request that wrote to the
  database, sets a signed cookie for that long, and their next pages read the primary;
- nothing was written earlier in this request, and no transaction is open on the primary;
- no cache version (core/cache_versions.py: dashboards, activity, open data) changed in
  this process in the last ``DATABASE_REPLICA_PRIMARY_SECONDS``: figures computed right
  after a change are computed from the primary, so that an entry kept in the cache under the
  new version is never computed from a replica that has not replayed the change yet (the
  replica then serves only data older than that delay).

The session, the user and their authenticators are always read from the primary (a login
just made is found whatever the replica's delay). Celery tasks and management commands run
outside any request: primary.
"""

import contextvars
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from core import personal_pages

REPLICA = "replica"
COOKIE = "db_primary"
COOKIE_SALT = "config.db_router.read-your-writes"
REPORTING_NAMESPACES = {"dashboards", "opendata", "api-v1"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Always the primary: who is signed in, and with what.
PRIMARY_ONLY_MODELS = {"sessions.session", "mfa.authenticator", "account.emailaddress"}


def primary_seconds():
    return float(getattr(settings, "DATABASE_REPLICA_PRIMARY_SECONDS", 5))


@dataclass
class RequestState:
    reporting: bool = False  # a GET of a dashboard or of the open data
    sticky: bool = False  # the person wrote less than primary_seconds() ago (cookie)
    wrote: bool = False  # this request wrote (or is not a safe method)
    read_replica: bool = False  # this request read from the replica (never kept whole)


_state = contextvars.ContextVar("db_router_state", default=None)


def current_state():
    return _state.get()


# --- Cache versions seen by this process ----------------------------------------------------
_version_changes = {"values": {}, "changed_at": None}


def versions_changed_recently(seconds, now=None):
    """Whether a cache version this process knows took a new value (or was first read) less
    than ``seconds`` ago."""
    from core.cache_versions import known_versions

    now = time.monotonic() if now is None else now
    values = _version_changes["values"]
    for key, value in known_versions().items():
        if values.get(key) != value:
            values[key] = value
            _version_changes["changed_at"] = now
    changed_at = _version_changes["changed_at"]
    return changed_at is not None and now - changed_at < seconds


def forget_versions_seen():
    _version_changes["values"].clear()
    _version_changes["changed_at"] = None


def read_replica():
    """Whether this request read from the replica: such a page is never kept whole
    (``core.personal_pages``), for it may be behind the versions it would be kept under."""
    state = current_state()
    return state is not None and state.read_replica


personal_pages.never_keep_when(read_replica)


def replica_allowed(state):
    if state is None or not state.reporting or state.sticky or state.wrote:
        return False
    if connections["default"].in_atomic_block:
        return False
    return not versions_changed_recently(primary_seconds())


class ReplicaRouter:
    """Reads of a reporting request on the replica (see the module); writes on the primary,
    and a write marks the request (its later reads, and the person's next pages, read the
    primary)."""

    def db_for_read(self, model, **hints):
        if model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return "default"
        if model._meta.label_lower == settings.AUTH_USER_MODEL.lower():
            return "default"
        state = current_state()
        if replica_allowed(state):
            state.read_replica = True
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        state = current_state()
        if state is not None and model._meta.label_lower != "sessions.session":
            state.wrote = True
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def is_reporting(request):
    if request.method not in ("GET", "HEAD"):
        return False
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return bool(REPORTING_NAMESPACES & set(match.namespaces))


def primary_until(request):
    """The time (epoch seconds) until which the person's reads go to the primary: the
    signed deadline of their cookie, 0 without one (or with a forged one)."""
    value = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT)
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0


class ReadYourWritesMiddleware:
    """Holds the request's routing state (a context variable the router reads) and sets
    the read-your-writes cookie on the answer to a request that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = RequestState(sticky=primary_until(request) > time.time(),
                             wrote=request.method not in SAFE_METHODS)
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote:
            seconds = primary_seconds()
            response.set_signed_cookie(
                COOKIE, f"{time.time() + seconds:.3f}", salt=COOKIE_SALT,
                max_age=math.ceil(seconds), httponly=True,
                secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = current_state()
        if state is not None:
            state.reporting = is_reporting(request)
