"""Password reset and sign-up answer the same whether an account has the address or not
(allauth's ACCOUNT_PREVENT_ENUMERATION): only the address's owner learns it, by email."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db

KNOWN, UNKNOWN = "maire@commune.fr", "inconnu@commune.fr"


@pytest.fixture(autouse=True)
def account():
    user = User.objects.create_user(email=KNOWN, password="Mot-de-passe-solide-2026",
                                    first_name="Jeanne", last_name="Maire")
    EmailAddress.objects.create(user=user, email=KNOWN, verified=True, primary=True)


def answer(response, email):
    """The page without what differs on every answer (nonces, CSRF tokens) nor the address."""
    return re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode().replace(email, "X"))


def post(client, commit, url, data):
    with commit(execute=True):
        response = client.post(url, data, follow=True)
    return response


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, django_capture_on_commit_callbacks
):
    known = post(client, django_capture_on_commit_callbacks, "/comptes/password/reset/",
                 {"email": KNOWN})
    unknown = post(client, django_capture_on_commit_callbacks, "/comptes/password/reset/",
                   {"email": UNKNOWN})
    assert known.redirect_chain == unknown.redirect_chain == [
        ("/comptes/password/reset/done/", 302)]
    assert answer(known, KNOWN) == answer(unknown, UNKNOWN)
    assert "associée à un compte" not in unknown.content.decode()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "/comptes/password/reset/key/" in by_address[KNOWN].body
    assert "/comptes/password/reset/key/" not in by_address[UNKNOWN].body


def test_signup_answers_the_same_for_known_and_unknown_addresses(
    client, django_capture_on_commit_callbacks
):
    form = {"first_name": "Paul", "last_name": "Adjoint", "password1": "Radium-Polonium-1898",
            "password2": "Radium-Polonium-1898"}
    known = post(client, django_capture_on_commit_callbacks, "/comptes/signup/",
                 {**form, "email": KNOWN})
    client.logout()
    unknown = post(client, django_capture_on_commit_callbacks, "/comptes/signup/",
                   {**form, "email": UNKNOWN})
    assert known.redirect_chain == unknown.redirect_chain
    assert answer(known, KNOWN) == answer(unknown, UNKNOWN)
    assert "déjà" not in known.content.decode()
    assert User.objects.filter(email=KNOWN).count() == 1  # the account is not touched
    assert {message.to[0] for message in mail.outbox} == {KNOWN, UNKNOWN}
