"""Anonymous visitors get kept pages; nobody ever gets a stale or someone else's page."""

import re

import pytest
from django.contrib.auth import get_user_model

from academy import services
from cms.page_cache import HIT_HEADER
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    from wagtail.models import Site

    from cms.models import SiteNavigation

    make.geography()
    make.ensure_site()
    page = make.course("Gérer une crise sur son territoire")
    make.session(page, capacity=2)
    # Created on a site's first visit otherwise, which (as any snippet edit) forgets pages.
    SiteNavigation.for_site(Site.objects.get(is_default_site=True))
    return page


def test_a_second_anonymous_visit_is_answered_from_the_cache_without_queries(
        client, course, django_assert_num_queries):
    first = client.get(course.url)
    assert first.status_code == 200 and first[HIT_HEADER] == "miss"
    with django_assert_num_queries(0):
        second = client.get(course.url)
    assert second[HIT_HEADER] == "hit"
    assert _without_nonces(second) == _without_nonces(first)
    assert "Gérer une crise sur son territoire" in second.content.decode()


def _without_nonces(response):
    return re.sub(r'nonce="[^"]+"', 'nonce=""', response.content.decode())


def _nonce(response):
    found = re.search(r'nonce="([^"]+)"', response.content.decode())
    return found.group(1) if found else None


def test_a_kept_page_carries_the_nonce_of_its_own_response(client, course):
    client.get(course.url)
    second = client.get(course.url)
    nonce = _nonce(second)
    assert nonce is not None  # DSFR's scripts carry the nonce on every page
    assert second[HIT_HEADER] == "hit"
    assert f"'nonce-{nonce}'" in second["Content-Security-Policy"]
    assert nonce != _nonce(client.get(course.url))  # each answer has its own


def test_a_logged_in_person_never_gets_a_kept_page(client, course):
    client.get(course.url)
    person = get_user_model().objects.create_user(email="lucie@mairie.fr", password="x")
    client.force_login(person)
    response = client.get(course.url)
    assert HIT_HEADER not in response
    assert 'action="/inscriptions/sessions/' in response.content.decode()  # their own form


def test_anonymous_visitors_get_a_login_link_not_a_form(client, course):
    html = client.get(course.url).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "/comptes/login/?next=" in html and "S'inscrire" in html.replace("&#x27;", "'")


def test_publishing_a_change_shows_at_once(client, course, django_capture_on_commit_callbacks):
    client.get(course.url)
    course.title = "Gérer une inondation"
    with django_capture_on_commit_callbacks(execute=True):
        course.save_revision().publish()
    response = client.get(course.url)
    assert HIT_HEADER not in response or response[HIT_HEADER] == "miss"
    assert "Gérer une inondation" in response.content.decode()


def test_an_enrolment_updates_the_seats_shown(client, course, django_capture_on_commit_callbacks):
    assert "2 places restantes" in client.get(course.url).content.decode()
    person = get_user_model().objects.create_user(email="paul@mairie.fr", password="x")
    session = course.sessions.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(session.pk, person, by_staff=person)
    html = client.get(course.url).content.decode()
    assert "1 place restante" in html and "2 places restantes" not in html


def test_the_catalogue_is_kept_per_address(client, course):
    catalogue = make.catalog().url
    client.get(catalogue)
    assert client.get(catalogue)[HIT_HEADER] == "hit"
    filtered = client.get(f"{catalogue}?format=remote")
    assert filtered[HIT_HEADER] == "miss"


def test_other_addresses_do_not_touch_the_page_cache(client, course, monkeypatch):
    from django.core.cache import caches

    backend = caches["default"]
    looked_up = []
    original = backend.get
    monkeypatch.setattr(backend, "get", lambda key, *a, **k: looked_up.append(key) or original(
        key, *a, **k))
    client.get("/api/v1/lieux")
    assert not [key for key in looked_up if key.startswith("pages:anonymous")]
    client.get(course.url)
    assert [key for key in looked_up if key.startswith("pages:anonymous")]
