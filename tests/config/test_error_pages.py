"""Database errors answer the French 500 page, never a traceback, even when every query
fails (the database is down): the 500 page itself needs no database."""

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_errors(settings, client):
    settings.DEBUG = False
    client.raise_request_exception = False  # answer like the server, don't re-raise
    make.ensure_site()
    return client


def database_down(error_class):
    def refuse(execute, sql, params, many, context):
        raise error_class('could not connect to server: Connection refused\n'
                          '\tIs the server running on host "db" and accepting TCP/IP '
                          'connections on port 5432?')
    return connection.execute_wrapper(refuse)


def assert_french_error_page(response):
    body = response.content.decode()
    assert response.status_code == 500
    assert "Erreur inattendue" in body
    assert "Désolé, le service rencontre un problème" in body
    assert 'class="fr-header"' in body and 'id="footer"' in body  # the DSFR layout
    for leak in ("Traceback", "Error", "Connection refused", "5432", "SELECT", 'File "'):
        assert leak not in body, leak


@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError, DatabaseError])
@pytest.mark.parametrize("url", ["/", "/formations/", "/territoires/communes/?q=beauv",
                                 "/comptes/login/"])
def test_database_down_answers_the_french_error_page(production_errors, url, error_class):
    with database_down(error_class):
        response = production_errors.get(url)
    assert_french_error_page(response)


def test_database_down_for_a_logged_in_person(production_errors):
    """Their session and account are read from the database: that fails first."""
    production_errors.force_login(get_user_model().objects.create_user(
        email="elu@example.fr", password="x"))
    with database_down(OperationalError):
        for url in ("/espace/", "/formations/", "/admin/"):
            assert_french_error_page(production_errors.get(url))


def test_a_query_failing_in_a_view_answers_the_french_error_page(production_errors,
                                                                monkeypatch):
    """The database answers, but one query of the view fails (a lock timeout…)."""
    from territories.models import Commune

    def failing(*args, **kwargs):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(type(Commune.objects.all()), "__iter__", failing)
    response = production_errors.get("/territoires/communes/?q=beauv")
    assert_french_error_page(response)
