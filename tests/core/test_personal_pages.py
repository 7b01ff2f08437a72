"""Signed-in pages kept whole for the session that saw them (core/personal_pages.py): the
next visit is the same page without rendering it, with a new CSP nonce and a CSRF token
that works; any change the page shows, a change of the person (password, deactivation,
deletion), a new message, a logout, another session: the page is rendered again, never
served to someone it was not rendered for."""

import html
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy import services
from academy.models import Mandate, OfficialProfile, Session
from accounts.roles import Role
from tests import factories as make

pytestmark = pytest.mark.django_db
HIT = "X-Page-Cache"


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def elu(communes):
    user = get_user_model().objects.create_user(email="lucie@example.org", password="x",
                                                first_name="Lucie", last_name="Martin")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 1))
    return user


def visit(client, path="/espace/"):
    response = client.get(path, secure=True)
    return response, html.unescape(response.content.decode())


def kept_visit(client, path="/espace/"):
    """Two visits: the first renders (and, the first time in this process, makes the route
    known), the next one is answered from what was kept."""
    visit(client, path)
    visit(client, path)
    return visit(client, path)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def nonce_of(response):
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_the_next_visit_is_the_same_page_without_rendering_it(elu):
    client = signed_in(elu)
    first, first_text = visit(client)
    visit(client)
    with CaptureQueriesContext(connection) as queries:
        kept, kept_text = visit(client)
    assert kept.status_code == 200 and kept[HIT] == "personal"
    assert len(queries) == 2  # the session and the account's password and status
    assert "Lucie" in kept_text
    # The same page but its nonce, new for each answer, in the header and the body.
    assert nonce_of(kept) != nonce_of(first)
    assert nonce_of(kept) in kept_text
    assert kept["Content-Security-Policy"].replace(nonce_of(kept), "") == \
        first["Content-Security-Policy"].replace(nonce_of(first), "")


def test_the_logout_button_of_a_kept_page_works(elu):
    client = Client(enforce_csrf_checks=True)
    client.force_login(elu)
    response, text = kept_visit(client)
    assert response[HIT] == "personal"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
    logout = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token},
                         secure=True, headers={"referer": "https://testserver/espace/"})
    assert logout.status_code == 302
    # Logged out: the kept page is not served to the old cookie, the login page is.
    after = Client()
    after.cookies = client.cookies
    assert visit(after)[0].status_code == 302


def test_two_answers_never_carry_the_same_csrf_token(elu):
    client = signed_in(elu)
    tokens = set()
    for _ in range(4):
        _response, text = visit(client)
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1))
    assert len(tokens) == 4


def test_a_new_enrolment_shows_on_the_next_visit(elu, communes):
    client = signed_in(elu)
    assert kept_visit(client)[0][HIT] == "personal"
    session = make.session(make.course("Gérer l'eau potable"), communes["Beauvais"])
    services.enrol(session.pk, elu)
    response, text = visit(client)
    assert HIT not in response
    assert "Gérer l'eau potable" in text


def test_a_cancelled_session_shows_on_the_next_visit(elu, communes):
    session = make.session(make.course("Budget communal"), communes["Beauvais"])
    services.enrol(session.pk, elu)
    client = signed_in(elu)
    assert kept_visit(client)[0][HIT] == "personal"
    services.cancel_session(session.pk, "Formateur absent")
    assert Session.objects.get(pk=session.pk).status == Session.Status.CANCELLED
    response, text = visit(client)
    assert HIT not in response


def test_a_changed_password_ends_the_other_sessions(elu):
    client = signed_in(elu)
    assert kept_visit(client)[0][HIT] == "personal"
    elu.set_password("another-password-2026")
    elu.save()
    assert visit(client)[0].status_code == 302  # to the login page


def test_a_deactivated_or_deleted_account_is_never_served(elu):
    client = signed_in(elu)
    assert kept_visit(client)[0][HIT] == "personal"
    elu.is_active = False
    elu.save()
    assert visit(client)[0].status_code == 302
    other = get_user_model().objects.create_user(email="marc@example.org", password="x")
    other_client = signed_in(other)
    assert kept_visit(other_client)[0][HIT] == "personal"
    other.delete()
    assert visit(other_client)[0].status_code == 302


def test_a_page_kept_for_one_session_is_never_served_to_another(elu):
    other = get_user_model().objects.create_user(email="marc@example.org", password="x",
                                                 first_name="Marc", last_name="Petit")
    assert kept_visit(signed_in(elu))[0][HIT] == "personal"
    response, text = visit(signed_in(other))
    assert HIT not in response
    assert "Marc" in text and "Lucie" not in text
    # The same person in a second browser: a session of its own, rendered for it.
    assert HIT not in visit(signed_in(elu))[0]


def test_a_message_shows_instead_of_the_kept_page(elu, communes):
    client = signed_in(elu)
    assert kept_visit(client)[0][HIT] == "personal"
    session = make.session(make.course("Urbanisme"), communes["Beauvais"])
    client.post(f"/inscriptions/sessions/{session.pk}/", secure=True)
    response, text = visit(client)
    assert HIT not in response


def test_a_renamed_role_group_is_not_held_by_a_kept_page():
    admin = make.staff_user(Role.ANCT_ADMIN, "anne@example.org")
    client = signed_in(admin)
    response, _text = kept_visit(client, "/tableau-de-bord/national/")
    assert response[HIT] == "personal"
    Group.objects.filter(name=Role.ANCT_ADMIN).update(name="Ancien groupe")  # no signal
    group = Group.objects.get(name="Ancien groupe")
    group.save()  # renamed through the admin: saved
    assert visit(client, "/tableau-de-bord/national/")[0].status_code == 403


def test_the_password_is_checked_even_if_a_version_was_not_renewed(elu):
    """A Redis outage may lose a renewed version: the account's password and status are
    read from the database on every answer."""
    client = signed_in(elu)
    assert kept_visit(client)[0][HIT] == "personal"
    get_user_model().objects.filter(pk=elu.pk).update(password="changed elsewhere")
    assert visit(client)[0].status_code == 302
    other = signed_in(get_user_model().objects.create_user(email="marc@example.org",
                                                           password="x"))
    assert kept_visit(other)[0][HIT] == "personal"
    get_user_model().objects.filter(email="marc@example.org").update(is_active=False)
    assert visit(other)[0].status_code == 302


def test_a_revalidating_signed_in_browser_is_answered_by_the_view(elu):
    client = signed_in(elu)
    assert kept_visit(client)[0][HIT] == "personal"
    response = client.get("/espace/", secure=True, headers={"if-modified-since":
                                                            "Sun, 06 Dec 2026 10:00:00 GMT"})
    assert HIT not in response
