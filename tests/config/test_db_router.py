"""The replica router (config/db_router.py): which alias each read goes to, read-your-writes,
and (in a subprocess on PostgreSQL, the replica being a test mirror of the database) the
queries a dashboard read really sends to the "replica" alias."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve

from academy.models import Session
from accounts.models import User
from config import db_router
from config.db_router import COOKIE, ReadYourWritesMiddleware, ReplicaRouter
from core import cache_versions
from tests.ops.fresh_settings import fresh_settings

ROOT = Path(__file__).resolve().parents[2]
router = ReplicaRouter()


@pytest.fixture(autouse=True)
def quiet_versions():
    """No cache version changed recently (each test says when one does)."""
    db_router.forget_versions_seen()
    db_router.versions_changed_recently(0)
    db_router._version_changes["changed_at"] = None
    yield
    db_router.forget_versions_seen()


def serve(request, reads=(Session,), write=None):
    """The middleware around a view that records where its reads (and a write) go."""
    seen = {}

    def view(request):
        if write is not None:
            seen["write"] = router.db_for_write(write)
        seen["reads"] = [router.db_for_read(model) for model in reads]
        return HttpResponse("ok")

    middleware = ReadYourWritesMiddleware(view)

    def get_response(request):
        request.resolver_match = resolve(request.path_info)
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware.get_response = get_response
    response = middleware(request)
    return seen, response


def get(path, cookies=None):
    request = RequestFactory().get(path)
    request.COOKIES.update(cookies or {})
    return request


@pytest.mark.parametrize("path", ["/tableau-de-bord/national/",
                                  "/tableau-de-bord/region/84/",
                                  "/tableau-de-bord/departement/60/",
                                  "/tableau-de-bord/mes-statistiques/",
                                  "/api/v1/lieux", "/api/v1/statistiques/departements",
                                  "/donnees/"])
def test_dashboard_and_open_data_reads_go_to_the_replica(path):
    seen, response = serve(get(path))
    assert seen["reads"] == ["replica"]
    assert COOKIE not in response.cookies


@pytest.mark.parametrize("path", ["/", "/espace/", "/inscriptions/sessions/1/",
                                  "/conseillers/"])
def test_other_pages_read_the_primary(path):
    seen, _ = serve(get(path))
    assert seen["reads"] == ["default"]


def test_sessions_users_and_authenticators_are_always_read_from_the_primary():
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session as LoginSession

    seen, _ = serve(get("/tableau-de-bord/national/"),
                    reads=(LoginSession, User, Authenticator, Session))
    assert seen["reads"] == ["default", "default", "default", "replica"]


def test_outside_a_request_everything_reads_the_primary():
    assert router.db_for_read(Session) == "default"
    assert router.db_for_write(Session) == "default"


def test_writes_go_to_the_primary_and_later_reads_of_the_request_too():
    seen, response = serve(get("/tableau-de-bord/national/"), write=Session)
    assert seen["write"] == "default"
    assert seen["reads"] == ["default"]
    assert COOKIE in response.cookies  # and the person's next pages


def test_saving_the_login_session_is_not_a_write_of_the_person():
    from django.contrib.sessions.models import Session as LoginSession

    seen, response = serve(get("/tableau-de-bord/national/"), write=LoginSession)
    assert seen["reads"] == ["replica"]
    assert COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_after_a_non_safe_request_the_person_reads_the_primary(method):
    seen, response = serve(getattr(RequestFactory(), method)("/tableau-de-bord/national/"))
    assert seen["reads"] == ["default"]
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # Their next dashboard: the primary; somebody else's: the replica.
    seen, _ = serve(get("/tableau-de-bord/national/", {COOKIE: cookie.value}))
    assert seen["reads"] == ["default"]
    seen, _ = serve(get("/tableau-de-bord/national/"))
    assert seen["reads"] == ["replica"]


@override_settings(DATABASE_REPLICA_PRIMARY_SECONDS=0.3)
def test_the_writer_is_back_on_the_replica_after_the_delay():
    _, response = serve(RequestFactory().post("/api/v1/lieux"))
    cookie = {COOKIE: response.cookies[COOKIE].value}
    assert serve(get("/api/v1/lieux", cookie))[0]["reads"] == ["default"]
    time.sleep(0.35)
    assert serve(get("/api/v1/lieux", cookie))[0]["reads"] == ["replica"]


def test_a_forged_cookie_is_ignored():
    seen, _ = serve(get("/tableau-de-bord/national/", {COOKIE: "1"}))
    assert seen["reads"] == ["replica"]


@pytest.mark.django_db
def test_inside_a_transaction_on_the_primary_reads_stay_there():
    from django.db import transaction

    with transaction.atomic():
        seen, _ = serve(get("/tableau-de-bord/national/"))
    assert seen["reads"] == ["default"]


def test_right_after_a_cache_version_changes_dashboards_are_computed_on_the_primary(
        settings, monkeypatch):
    """An entry kept under a new version must not be computed from a replica that has not
    replayed the change yet."""
    versions = {"dashboards:version": "a"}
    monkeypatch.setattr(cache_versions, "known_versions", lambda: dict(versions))
    settings.DATABASE_REPLICA_PRIMARY_SECONDS = 0.3
    db_router.versions_changed_recently(0)
    db_router._version_changes["changed_at"] = None
    assert serve(get("/tableau-de-bord/national/"))[0]["reads"] == ["replica"]
    versions["dashboards:version"] = "b"  # a change seen by this process
    assert serve(get("/tableau-de-bord/national/"))[0]["reads"] == ["default"]
    time.sleep(0.35)
    assert serve(get("/tableau-de-bord/national/"))[0]["reads"] == ["replica"]


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "academy")
    assert not router.allow_migrate("replica", "academy")


def test_without_a_replica_url_nothing_changes(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    values = fresh_settings()
    assert set(values["DATABASES"]) == {"default"}
    assert values["DATABASE_ROUTERS"] == []
    assert "config.db_router.ReadYourWritesMiddleware" not in values["MIDDLEWARE"]


def test_with_a_replica_url_the_alias_router_and_middleware_are_installed(monkeypatch):
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica.internal:5432/anct")
    values = fresh_settings()
    replica = values["DATABASES"]["replica"]
    assert (replica["HOST"], replica["NAME"], replica["USER"]) == (
        "replica.internal", "anct", "reader")
    assert replica["TEST"] == {"MIRROR": "default"}
    assert values["DATABASE_ROUTERS"] == ["config.db_router.ReplicaRouter"]
    middleware = values["MIDDLEWARE"]
    position = middleware.index("config.db_router.ReadYourWritesMiddleware")
    assert middleware[position - 1] == "ops.requestlog.RequestIdMiddleware"
    assert position < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


def test_on_postgresql_a_dashboard_read_goes_through_the_replica_alias(tmp_path):
    """tests/config/replica_mirror_case.py, run with DATABASE_REPLICA_URL set to the test
    database itself (a TEST MIRROR), in a process of its own."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    base, _, name = url.rpartition("/")
    own = f"{base}/{name}_replica_router"  # its own test database: test_<name>_replica_router
    env = {**os.environ, "DATABASE_URL": own, "DATABASE_REPLICA_URL": own,
           "DATABASE_REPLICA_PRIMARY_SECONDS": "0.5", "REDIS_URL": "",
           "CELERY_BROKER_URL": ""}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/config/replica_mirror_case.py", "-q",
         "-p", "no:cacheprovider", "--create-db"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
