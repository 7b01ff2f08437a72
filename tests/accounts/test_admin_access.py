"""Nobody without staff rights reaches the back office: every URL of the Wagtail admin, ours
included (imports, enrolments, contracts), is tried as a signed-in élu and as a structure
manager."""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import URLResolver, get_resolver

from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db

CONVERTERS = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.UUID(int=1))}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route


def _sample(route):
    """A concrete path for a route: regex groups and converters get a sample value."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    path = path.replace(".*", "x").replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTERS.get(m.group(1) or "str", "x"),
                  path)
    return "/" + path


LOGIN_PAGES = ("/comptes/login/", "/comptes/password/", "/admin/login/")
# The admin's translations and icons, the same for everyone and without data.
PUBLIC_ASSETS = {"/admin/jsi18n/", "/admin/sprite/"}


def admin_paths():
    routes = [r for r in _walk(get_resolver().url_patterns) if r.startswith("admin/")]
    return sorted({_sample(route) for route in routes})


def test_the_admin_has_many_urls_to_try():
    paths = admin_paths()
    assert len(paths) > 200
    assert "/admin/" in paths and any("/importer" in p or "import" in p for p in paths)


def person(role=None):
    user = User.objects.create_user(email=f"{role or 'elu'}@mairie.fr".replace(" ", ""),
                                    password="x", first_name="É", last_name="L")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.mark.parametrize("role", [None, Role.STRUCTURE_MANAGER])
def test_no_admin_url_answers_a_user_without_staff_rights(client, role):
    client.force_login(person(role))
    reached = []
    for path in admin_paths():
        response = client.get(path)
        refused = (
            (response.status_code in (301, 302)
             and response["Location"].startswith(LOGIN_PAGES))
            or response.status_code in (403, 404, 405)
            or path in PUBLIC_ASSETS
        )
        if not refused:
            reached.append((path, response.status_code))
    assert reached == [], "\n".join(f"{p} {s}" for p, s in reached)


def test_a_signed_in_elu_opening_the_admin_gets_a_french_403_with_ways_out(client):
    """Wagtail sent them to the login page, which sends a signed-in person back to /admin/:
    the browser gave up with "too many redirects"."""
    client.force_login(person())
    response = client.get("/admin/pages/", follow=True)
    assert response.redirect_chain == []
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html and "réservé aux équipes de l'ANCT" in html
    assert 'href="/espace/"' in html  # their space
    assert 'action="/comptes/logout/"' in html and "Changer de compte" in html
    # "Changer de compte" signs out and leads to the login page, back to where they were.
    client.post("/comptes/logout/", {"next": "/comptes/login/?next=/admin/pages/"})
    assert "_auth_user_id" not in client.session
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")


def test_staff_still_reach_the_admin(client):
    from allauth.mfa.models import Authenticator

    user = User.objects.create_user(email="agent@anct.gouv.fr", password="x", is_staff=True,
                                    first_name="A", last_name="B")
    user.groups.add(Group.objects.get(name=Role.ANCT_ADMIN))
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def test_wagtails_own_login_cannot_skip_the_second_factor(client):
    """A password alone, posted to Wagtail's login form, must not open a session: sign-in
    goes through allauth, which asks staff for their TOTP code and is rate limited."""
    from allauth.mfa.models import Authenticator

    user = User.objects.create_user(email="agent@anct.gouv.fr", password="Secret-Agent-2026",
                                    first_name="A", last_name="B", is_staff=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = client.post("/admin/login/", {"username": "agent@anct.gouv.fr",
                                             "password": "Secret-Agent-2026"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (301, 302)
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/comptes/login/?next=/admin/"


def test_wagtails_own_password_reset_leads_to_the_rate_limited_one(client):
    response = client.get("/admin/password_reset/")
    assert response["Location"] == "/comptes/password/reset/"
