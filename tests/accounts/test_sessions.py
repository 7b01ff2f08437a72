"""Sessions expire: twelve hours after sign-in the person is signed out."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Mot-de-passe-solide-2026"


@pytest.fixture
def signed_in(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user(email="elu@mairie.fr", password=PASSWORD, first_name="É",
                                    last_name="L")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/comptes/login/", {"login": user.email, "password": PASSWORD,
                                               "remember": "on"})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def later(monkeypatch, hours):
    moment = timezone.now() + timedelta(hours=hours)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_session_is_still_open_eleven_hours_after_sign_in(signed_in, monkeypatch):
    later(monkeypatch, 11)
    assert signed_in.get("/espace/").status_code == 200


def test_a_session_is_closed_twelve_hours_after_sign_in(signed_in, monkeypatch):
    later(monkeypatch, 12.1)
    response = signed_in.get("/espace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


def test_without_remember_me_the_cookie_ends_with_the_browser(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user(email="elu@mairie.fr", password=PASSWORD, first_name="É",
                                    last_name="L")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.post("/comptes/login/", {"login": user.email, "password": PASSWORD})
    assert client.session.get_expire_at_browser_close()
    assert not client.cookies["sessionid"]["expires"]
