"""Login and password reset are rate limited (settings.ACCOUNT_RATE_LIMITS): the attempt past
the limit is refused, with a French message, even when it would otherwise succeed."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

PASSWORD = "Mot-de-passe-solide-2026"
TOO_MANY_LOGINS = "Trop de tentatives de connexion échouées"


def person(email):
    user = User.objects.create_user(email=email, password=PASSWORD, first_name="Élu",
                                    last_name="Local")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def login(client, email, password, ip="192.0.2.10"):
    return client.post("/comptes/login/", {"login": email, "password": password},
                       REMOTE_ADDR=ip)


def test_the_limits_are_the_ones_documented():
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "30/5m/ip"
    assert settings.ACCOUNT_RATE_LIMITS["reset_password"] == "20/h/ip,5/h/key"


def test_thirty_failures_from_one_address_block_its_next_login_on_any_account(client):
    person("elu@mairie.fr")
    for n in range(30):
        login(client, f"autre{n}@mairie.fr", "mauvais")
    response = login(client, "elu@mairie.fr", PASSWORD)
    # allauth's limits per address: failed logins, and all logins (30 a minute, the 429 page).
    assert TOO_MANY_LOGINS in response.text or (
        response.status_code == 429 and "Trop de tentatives" in response.text)
    assert "_auth_user_id" not in client.session


def test_below_the_limit_the_right_password_logs_in(client):
    person("elu@mairie.fr")
    for _ in range(2):
        login(client, "elu@mairie.fr", "mauvais")
    response = login(client, "elu@mairie.fr", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_sixth_password_reset_for_one_address_gets_a_french_429_page(
    client, django_capture_on_commit_callbacks
):
    person("elu@mairie.fr")
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/comptes/password/reset/", {"email": "elu@mairie.fr"},
                                   REMOTE_ADDR=f"192.0.2.{n + 1}")
        assert response.status_code == 302
    assert len(mail.outbox) == 5
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comptes/password/reset/", {"email": "elu@mairie.fr"},
                               REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.text and "réessayez plus tard" in response.text
    assert len(mail.outbox) == 5


def test_password_resets_from_one_address_are_limited_whatever_the_account(client):
    for n in range(21):
        person(f"x{n}@mairie.fr")
    for n in range(20):
        response = client.post("/comptes/password/reset/", {"email": f"x{n}@mairie.fr"},
                               REMOTE_ADDR="192.0.2.10")
        assert response.status_code != 429
    response = client.post("/comptes/password/reset/", {"email": "x20@mairie.fr"},
                           REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 429
