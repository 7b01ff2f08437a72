"""Run by tests/config/test_db_router.py in a process of its own, with DATABASE_REPLICA_URL
the test database itself (TEST MIRROR): the "replica" alias is a second connection to the
same PostgreSQL database, so what each alias is sent can be counted. Not collected by
itself (no ``test_`` prefix)."""

import time

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config import db_router

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def queries(client, method, path, **kwargs):
    with (CaptureQueriesContext(connections["default"]) as primary,
          CaptureQueriesContext(connections["replica"]) as replica):
        response = getattr(client, method)(path, **kwargs)
    return response, len(primary.captured_queries), len(replica.captured_queries)


def quiet():
    """The cache versions this process knows have not changed for the delay."""
    db_router.versions_changed_recently(0)
    time.sleep(settings.DATABASE_REPLICA_PRIMARY_SECONDS + 0.05)


def test_the_replica_is_configured_as_a_mirror():
    assert settings.DATABASE_ROUTERS == ["config.db_router.ReplicaRouter"]
    assert connections["replica"].settings_dict["NAME"] == (
        connections["default"].settings_dict["NAME"])


def test_a_dashboard_read_goes_through_the_replica_alias(client):
    client.get("/api/v1/lieux/1")  # reads the cache versions once
    quiet()
    response, primary, replica = queries(client, "get", "/api/v1/lieux/987654")
    assert response.status_code == 404
    assert replica >= 1 and primary == 0
    # A page that is no dashboard: the primary.
    response, primary, replica = queries(client, "get", "/robots.txt")
    assert replica == 0


def test_right_after_a_write_the_writer_reads_the_primary(client, django_user_model):
    from django.test import Client

    client.get("/api/v1/lieux/1")
    quiet()
    response = client.post("/api/v1/lieux/1")  # any non-safe request
    assert db_router.COOKIE in response.cookies
    response, primary, replica = queries(client, "get", "/api/v1/lieux/987654")
    assert (response.status_code, primary >= 1, replica) == (404, True, 0), (
        response.status_code, response.content[:300])
    # Somebody else reads the replica meanwhile.
    _, primary, replica = queries(Client(), "get", "/api/v1/lieux/987654")
    assert replica >= 1 and primary == 0
    # And so does the writer once the delay has passed.
    time.sleep(settings.DATABASE_REPLICA_PRIMARY_SECONDS + 0.05)
    quiet()
    _, primary, replica = queries(client, "get", "/api/v1/lieux/987654")
    assert replica >= 1 and primary == 0
