"""Bénéficiaires on a 375 px phone: an advisor adds a person (the contact refused without
consent, next to the field), records an accompaniment of theirs from the record, finds the
visit on it, then anonymises it after confirming; nothing wider than the screen."""

import re

import pytest

from advisors.models import Beneficiary
from tests.advisors import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}



def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_advisor_follows_a_person_from_a_phone(live_server, browser, screenshot):
    communes = make.geography()
    structure = make.validated_structure(communes["Beauvais"], posts=2)
    advisor = make.advisor(account=make.user(email="ines@conseiller-numerique.fr"))
    make.contract(structure, advisor)
    make.service_point(structure, [advisor], name="Médiathèque du Quadrilatère")
    context, page = signed_in_page(browser, live_server, advisor.user, viewport=PHONE)
    base = f"{live_server.url}/conseillers-numeriques/beneficiaires/"

    page.goto(f"{base}nouveau/")
    page.get_by_label("Prénom").fill("Hélène")
    page.get_by_label("Nom ou initiales").fill("D.")
    page.get_by_label("Commune").fill("Beauvais (60)")
    page.get_by_label("Courriel (facultatif)").fill("helene@example.fr")
    page.get_by_role("button", name="Enregistrer").press("Enter")
    error = page.locator("#id_email-errors")
    assert "Sans le consentement de la personne" in error.inner_text()
    screenshot(page, "consent-refused")
    fits(page)
    page.get_by_role("checkbox", name="La personne accepte d'être recontactée").check(force=True)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/beneficiaires/\d+/$"))
    person = Beneficiary.objects.get()
    assert person.email == "helene@example.fr"

    page.get_by_role("link", name="Saisir un accompagnement").click()
    page.wait_for_url(re.compile(r"/activite/saisir/\?beneficiaire="))
    assert "Bénéficiaires suivis (facultatif) : 1" in page.content()
    page.get_by_label("Prendre en main un smartphone ou une tablette").check(force=True)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(re.compile(r"/activite/$"))
    assert person.reports.count() == 1

    page.goto(f"{base}{person.pk}/")
    assert "1 accompagnement, les plus récents d'abord." in page.content()
    screenshot(page, "record")
    fits(page)
    page.get_by_role("link", name="Anonymiser").click()
    screenshot(page, "confirm")
    page.get_by_role("button", name="Oui, anonymiser").click()
    page.wait_for_url(re.compile(rf"/beneficiaires/{person.pk}/$"))
    person.refresh_from_db()
    assert (person.first_name, person.email, person.reports.count()) == ("Anonyme", "", 1)
    assert "Fiche anonymisée le" in page.content()
    context.close()
