"""A préfet or an ANCT staff member who logs in for the first time is sent to set up TOTP:
no second password prompt right after the login, a French explanation of why, and a way
back to the page they wanted once it is on."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
)
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "Mot-de-passe-solide-2026"


@pytest.fixture
def prefet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user(email="prefet@oise.gouv.fr", password=PASSWORD,
                                    first_name="P", last_name="O")
    user.groups.add(Group.objects.get(name=Role.PREFET))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(client):
    response = client.post("/comptes/login/", {"login": "prefet@oise.gouv.fr",
                                               "password": PASSWORD})
    assert response.status_code == 302


def test_after_a_fresh_login_the_totp_setup_does_not_ask_for_the_password_again(
        client, prefet):
    log_in(client)
    response = client.get("/tableau-de-bord/", follow=True)
    assert response.redirect_chain[-1][0] == "/comptes/2fa/totp/activate/"
    html = response.content.decode()
    assert "Veuillez vous réauthentifier" not in html
    assert 'name="code"' in html


def test_an_old_login_still_asks_for_the_password_before_setting_up_totp(client, prefet,
                                                                          settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    log_in(client)
    response = client.get("/comptes/2fa/totp/activate/")
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


def test_the_setup_page_explains_that_the_role_requires_two_factor_authentication(
        client, prefet):
    log_in(client)
    html = client.get("/tableau-de-bord/", follow=True).content.decode()
    assert "Double authentification obligatoire" in html
    assert "Votre rôle de préfet" in html


def test_after_activation_the_recovery_codes_page_offers_to_continue_to_the_wanted_page(
        client, prefet):
    log_in(client)
    client.get("/tableau-de-bord/national/", follow=True)
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/comptes/2fa/totp/activate/", {"code": code}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/comptes/2fa/recovery-codes/"
    assert 'href="/tableau-de-bord/national/"' in html
    assert "Continuer vers le tableau de bord" in html


def test_deactivating_a_totp_set_up_before_this_login_still_asks_for_the_password(
        client, prefet):
    from allauth.mfa.models import Authenticator
    Authenticator.objects.create(user=prefet, type=Authenticator.Type.TOTP,
                                 data={"secret": "x"})
    client.force_login(prefet)
    response = client.get("/comptes/2fa/totp/deactivate/")
    assert "reauthenticate" in response.get("Location", "")
