import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_email_log_in_and_see_the_account_page(live_server, page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Créer un compte").first.click()

    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label("Nom", exact=True).fill("Fontaine")
    page.get_by_label("E-mail").fill("lea.fontaine@mairie-exemple.fr")
    page.get_by_label("Mot de passe", exact=False).first.fill("Bocage-Normand-2026")
    page.get_by_label("Mot de passe (confirmation)").fill("Bocage-Normand-2026")
    page.get_by_role("button", name="Création de compte").click()
    page.wait_for_url(re.compile(r"/comptes/confirm-email/"))

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/comptes/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))  # link on SITE_URL
    page.get_by_role("button", name="Confirmer").click()

    # Confirming logs the person in; log out to prove the password login works too.
    page.goto(f"{live_server.url}/espace/")
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("E-mail").fill("lea.fontaine@mairie-exemple.fr")
    page.get_by_label("Mot de passe").fill("Bocage-Normand-2026")
    page.get_by_role("button", name="Connexion").click()

    page.wait_for_url(re.compile(r"/espace/$"))
    assert page.get_by_role("heading", name="Mon espace").is_visible()
    assert "Léa Fontaine" in page.content()
