"""In Chromium: a signed-in élu opening /admin/ gets the French 403 page (the browser used to
stop on "too many redirects") and can switch account; a person slowed down by wrong passwords
lifts the delay with the emailed link and signs in."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mot-de-passe-solide-2026"


@pytest.fixture
def elu(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user(email="elu@mairie.fr", password=PASSWORD,
                                    first_name="Élise", last_name="Maire")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(page, base, password=PASSWORD):
    page.goto(f"{base}/comptes/login/")
    page.get_by_label("E-mail").fill("elu@mairie.fr")
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()


def test_an_elu_opening_the_admin_gets_a_page_and_a_way_out(live_server, page, elu,
                                                             screenshot):
    sign_in(page, live_server.url)
    response = page.goto(f"{live_server.url}/admin/")
    assert response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    screenshot(page, "admin-403")
    page.get_by_role("button", name="Changer de compte").click()
    page.wait_for_url(re.compile(r"/comptes/login/\?next=/admin/"))
    assert page.get_by_role("button", name="Connexion").is_visible()


def test_a_slowed_down_login_is_unlocked_by_the_emailed_link(live_server, page, elu,
                                                             screenshot):
    for _ in range(4):
        sign_in(page, live_server.url, password="pas-le-bon")
    assert "réessayez dans" in page.content()
    page.get_by_role("link", name="Mot de passe oublié ?").wait_for()
    screenshot(page, "delayed")
    page.get_by_role("link", name="Recevoir un lien de déblocage par e-mail").click()
    page.get_by_label("Adresse électronique de votre compte").fill("elu@mairie.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.get_by_role("heading", name="Consultez votre messagerie").wait_for()
    [message] = [m for m in mail.outbox if m.to == ["elu@mairie.fr"]]
    link = re.search(r"https?://\S+/comptes/deblocage/\S+/", message.body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
    assert page.get_by_role("heading", name="Connexion débloquée").is_visible()
    screenshot(page, "unlocked")
    sign_in(page, live_server.url)
    assert re.search(r"/espace/$", page.url)
