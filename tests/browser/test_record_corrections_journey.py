"""Correcting records in a browser: a structure manager on a 375 px phone corrects the
contact with the keyboard (a wrong email is said next to the field, nothing typed is lost);
an advisor declares their training and reads "À valider"."""

import pytest

from advisors.history import history_of
from advisors.models import TrainingRecord
from tests.advisors import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def test_a_manager_corrects_the_contact_on_a_phone_with_the_keyboard(live_server, browser,
                                                                      screenshot):
    communes = make.geography()
    manager = make.user(email="gestion@beauvais.fr")
    structure = make.validated_structure(communes["Beauvais"], posts=2, manager=manager)
    _context, page = signed_in_page(browser, live_server, manager, viewport=PHONE)
    page.goto(f"{live_server.url}/conseillers-numeriques/structures/{structure.pk}/")
    page.get_by_role("link", name="Modifier les coordonnées").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    email = page.get_by_label("Courriel du contact")
    email.fill("accueil@")
    page.get_by_label("Nom du contact", exact=True).fill("Benali")
    email.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form from the keyboard
    assert page.locator("#id_contact_email-errors").is_visible()
    assert "adresse électronique valide" in page.locator("#id_contact_email-errors").inner_text()
    assert page.get_by_label("Nom du contact", exact=True).input_value() == "Benali"
    screenshot(page, "contacts-error")
    page.get_by_label("Courriel du contact").fill("accueil@beauvais.fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").press("Enter")
    assert "Coordonnées de la structure enregistrées." in page.content()
    structure.refresh_from_db()
    assert structure.contact_email == "accueil@beauvais.fr"
    assert history_of(structure).get().user == manager
    page.context.close()


def test_an_advisor_declares_a_training_and_reads_that_it_waits_for_anct(live_server,
                                                                          browser,
                                                                          screenshot):
    communes = make.geography()
    structure = make.validated_structure(communes["Beauvais"], posts=2)
    advisor = make.advisor(account=make.user(email="ines@conseiller-numerique.fr"))
    make.contract(structure, advisor)
    _context, page = signed_in_page(browser, live_server, advisor.user,
                                   viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/conseillers-numeriques/ma-formation/")
    page.get_by_role("link", name="Déclarer ma formation").click()
    page.locator("#id_training_start").fill("2025-09-01")
    page.locator("#id_training_end").fill("2025-12-19")
    page.locator("#id_training_hours").fill("154")
    page.locator("#id_pix_level").fill("4")
    screenshot(page, "training-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Transmettre à l'ANCT").click()
    assert page.get_by_text("À valider", exact=True).is_visible()
    screenshot(page, "training-waits")
    assert TrainingRecord.objects.get(advisor=advisor).training_hours == 154
    page.context.close()
