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


# --- Answered before sessions and authentication -------------------------------------------

@pytest.fixture
def test_routes(settings, db):
    from cms import page_cache

    settings.ROOT_URLCONF = "tests.cms.page_cache_urls"
    names = ("test_plain", "test_with_form", "test_varies_on_origin")
    for name in names:
        page_cache.keep_route(name)
    yield
    for name in names:
        page_cache._routes.pop(name, None)


def test_a_kept_page_keeps_the_headers_of_the_rendered_one_with_its_own_nonce(client, course):
    first = client.get(course.url)
    second = client.get(course.url)
    assert second[HIT_HEADER] == "hit"
    for header in ("Content-Type", "X-Frame-Options", "Permissions-Policy", "Vary",
                   "Content-Language", "Strict-Transport-Security", "X-Content-Type-Options",
                   "Referrer-Policy", "Cross-Origin-Opener-Policy"):
        assert second.get(header) == first.get(header), header
    assert second["X-Request-ID"] != first["X-Request-ID"]  # each answer its own
    assert second["Content-Length"] == str(len(second.content))
    nonce = _nonce(second)
    assert (second["Content-Security-Policy"].replace(nonce, "N")
            == first["Content-Security-Policy"].replace(_nonce(first), "N"))


def test_a_head_request_is_answered_from_the_cache(client, course):
    client.get(course.url)
    response = client.head(course.url)
    assert response[HIT_HEADER] == "hit" and response["Content-Type"].startswith("text/html")


def test_a_query_string_is_one_address_whatever_the_order_of_its_parameters(client, course):
    catalogue = make.catalog().url
    assert client.get(f"{catalogue}?format=remote&theme=t")[HIT_HEADER] == "miss"
    assert client.get(f"{catalogue}?theme=t&format=remote")[HIT_HEADER] == "hit"
    assert client.get(f"{catalogue}?theme=t&format=%72emote")[HIT_HEADER] == "hit"
    assert client.get(f"{catalogue}?theme=t&format=onsite")[HIT_HEADER] == "miss"
    assert client.get(f"{catalogue}?theme=t")[HIT_HEADER] == "miss"


def test_any_session_cookie_goes_past_the_cache(client, course):
    """Even an expired or made-up session: the page is rendered for that request."""
    client.get(course.url)
    client.cookies["sessionid"] = "inconnue"
    response = client.get(course.url)
    assert response.status_code == 200 and HIT_HEADER not in response


def test_a_logged_in_person_never_gets_the_kept_page_of_the_same_address(client, course):
    client.get(course.url)
    assert client.get(course.url)[HIT_HEADER] == "hit"
    person = get_user_model().objects.create_user(email="nadia@mairie.fr", password="x")
    client.force_login(person)
    for _ in range(2):
        response = client.get(course.url)
        assert HIT_HEADER not in response
        assert "/comptes/login/?next=" not in response.content.decode()
    assert "Vary" in response and "Cookie" in response["Vary"]


def test_pending_messages_are_shown_not_a_kept_page(client, course):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    client.get(course.url)
    storage = CookieStorage(HttpRequest())
    carrier = HttpResponse()
    storage._store([Message(constants.SUCCESS, "Votre compte est supprimé.")], carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    response = client.get(course.url)
    assert HIT_HEADER not in response
    assert "Votre compte est supprimé." in response.content.decode()


def test_a_change_made_through_another_instance_shows_once_the_version_is_read_again(
        client, course):
    """Each process keeps a copy of what it read; a version renewed elsewhere (written to the
    shared cache only) makes it unused once this process reads the version again."""
    from django.core.cache import cache

    from cms import page_cache
    from core.cache_versions import forget_local_versions

    client.get(course.url)
    assert client.get(course.url)[HIT_HEADER] == "hit"
    cache.set(page_cache.VERSION_KEY, "renouvelee-ailleurs", timeout=None)
    forget_local_versions()  # as LOCAL_SECONDS later
    assert client.get(course.url)[HIT_HEADER] == "miss"


def test_a_local_copy_is_not_used_past_the_expiry_of_its_entry(client, course, monkeypatch):
    import time

    client.get(course.url)
    assert client.get(course.url)[HIT_HEADER] == "hit"
    later = time.time() + 301  # ANONYMOUS_PAGE_CACHE_SECONDS is 300
    monkeypatch.setattr("core.local_copies.time.time", lambda: later)
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert client.get(course.url)[HIT_HEADER] == "miss"


def test_a_page_that_asked_for_a_csrf_token_is_never_kept(client, test_routes):
    for _ in range(2):
        response = client.get("/essai/formulaire/")
        assert response.status_code == 200 and HIT_HEADER not in response


def test_a_page_varying_on_another_request_header_is_never_kept(client, test_routes):
    client.get("/essai/origine/")
    assert HIT_HEADER not in client.get("/essai/origine/")


def test_a_registered_route_is_kept_per_normalized_address(client, test_routes):
    assert client.get("/essai/simple/?nom=Ana")[HIT_HEADER] == "miss"
    assert client.get("/essai/simple/?nom=Ana")[HIT_HEADER] == "hit"
    assert client.get("/essai/simple/?nom=Ana&x=")[HIT_HEADER] == "miss"
    response = client.get("/essai/simple/?nom=L%C3%A9a")
    assert response[HIT_HEADER] == "miss" and "Léa" in response.content.decode()


# --- Routes whose app keeps its answers itself (answer_early) ------------------------------

@pytest.fixture
def early_route(test_routes):
    """test_plain answered early from a dict when ``?tot`` is asked (the other requests of
    the route go through the shared cache as before)."""
    from cms import page_cache

    kept = {}

    def keep(request, response):
        if response.status_code == 200 and not request.user.is_authenticated:
            kept[request.get_full_path()] = page_cache.kept_answer(request, response, 2e9)

    page_cache.answer_early("test_plain", lambda request: "tot" in request.GET,
                            lambda request: kept.get(request.get_full_path()), keep)
    yield kept
    page_cache._early_routes.pop("test_plain", None)


def test_an_app_answers_its_route_before_sessions_with_the_rendered_headers(
        client, early_route):
    first = client.get("/essai/simple/?tot=1&nom=Ana")
    assert HIT_HEADER not in first and hasattr(first.wsgi_request, "user")
    second = client.get("/essai/simple/?tot=1&nom=Ana")
    assert not hasattr(second.wsgi_request, "user")  # neither sessions nor authentication ran
    assert HIT_HEADER not in second and second.content == first.content
    assert ({k: v for k, v in second.items() if k != "X-Request-ID"}
            == {k: v for k, v in first.items() if k != "X-Request-ID"})
    # The route's other requests: the shared cache as before.
    assert client.get("/essai/simple/?nom=Ana")[HIT_HEADER] == "miss"
    assert client.get("/essai/simple/?nom=Ana")[HIT_HEADER] == "hit"


def test_an_app_answer_is_never_given_to_a_signed_in_person_a_head_or_messages(
        client, early_route):
    client.get("/essai/simple/?tot=1&nom=Ana")
    assert len(early_route) == 1
    head = client.head("/essai/simple/?tot=1&nom=Ana")
    assert head.status_code == 200 and hasattr(head.wsgi_request, "user")
    client.cookies["messages"] = "x"
    assert hasattr(client.get("/essai/simple/?tot=1&nom=Ana").wsgi_request, "user")
    del client.cookies["messages"]
    client.force_login(get_user_model().objects.create_user(
        email="lea@exemple.fr", password="x" * 16))
    response = client.get("/essai/simple/?tot=1&nom=Ana")
    assert response.wsgi_request.user.is_authenticated
    assert len(early_route) == 1
