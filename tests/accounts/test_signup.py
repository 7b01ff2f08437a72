import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Marie",
    "last_name": "Curie",
    "email": "marie.curie@mairie-exemple.fr",
    "password1": "Radium-Polonium-1898",
    "password2": "Radium-Polonium-1898",
}


@pytest.fixture
def signup(client, django_capture_on_commit_callbacks):
    """Posts the sign-up form and runs what waits for the commit (the email task)."""

    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/comptes/signup/", {**GOOD, **overrides})

    return post


def test_signup_creates_unverified_account_and_sends_verification_email(client, signup):
    response = signup()
    assert response.status_code == 302
    user = User.objects.get(email=GOOD["email"])
    assert (user.first_name, user.last_name) == ("Marie", "Curie")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [GOOD["email"]]
    assert re.search(r"/comptes/confirm-email/[^/\s]+/", mail.outbox[0].body)


def test_login_is_refused_until_the_email_is_verified(client, signup):
    signup()
    client.logout()
    response = client.post(
        "/comptes/login/", {"login": GOOD["email"], "password": GOOD["password1"]}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get("/espace/").status_code == 302


def test_verification_link_then_login_reaches_account_page(client, signup):
    signup()
    link = re.search(r"(/comptes/confirm-email/[^/\s]+/)", mail.outbox[0].body).group(1)
    client.post(link)
    assert EmailAddress.objects.get(email=GOOD["email"]).verified
    client.logout()
    client.post("/comptes/login/", {"login": GOOD["email"], "password": GOOD["password1"]})
    page = client.get("/espace/")
    assert page.status_code == 200
    assert "Mon espace" in page.content.decode()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide."),
        ({"password1": "azerty", "password2": "azerty"}, "trop court"),
        ({"password2": "Autre-Mot-De-Passe-2020"}, "même mot de passe"),
        ({"first_name": ""}, "Champ requis."),
    ],
)
def test_bad_signup_explains_the_error_in_french_and_creates_nothing(
    client, signup, overrides, message
):
    response = signup(**overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "fr-input-group--error" in html or "fr-alert--error" in html
    assert not User.objects.exists()
    assert mail.outbox == []


def test_signup_with_an_existing_email_creates_nothing_and_tells_the_owner_by_email(signup):
    """The page answers as for a new address (no enumeration); the owner is told by email."""
    User.objects.create_user(email=GOOD["email"], password="x", first_name="A", last_name="B")
    response = signup()
    assert response.status_code == 302
    assert "déjà" not in response.content.decode()
    assert User.objects.count() == 1
    [message] = mail.outbox
    assert message.to == [GOOD["email"]]


def test_password_reset_sends_a_french_email_with_a_link(
    client, django_capture_on_commit_callbacks
):
    User.objects.create_user(email=GOOD["email"], password="x", first_name="A", last_name="B")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comptes/password/reset/", {"email": GOOD["email"]})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/comptes/password/reset/key/" in mail.outbox[0].body
