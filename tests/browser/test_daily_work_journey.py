"""Issue #18's journey on a 375 px phone: an advisor records a collective workshop, corrects
it from "Mes comptes rendus", and finds it in "Mes statistiques"; their coordinator finds
the same figures in "Statistiques de mon équipe". (The end of a contract is pictured by
test_offboarding_journey.py, the reminders sent once by tests/advisors/test_reminders.py.)"""

import re

import pytest

from accounts.roles import Role
from tests.advisors import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def key_figures(page):
    return " ".join(page.locator(".statistics-key-figures").inner_text().split())


def test_a_workshop_recorded_and_corrected_shows_in_my_statistics_and_my_team(
        live_server, browser, screenshot):
    communes = make.geography()
    structure = make.validated_structure(communes["Beauvais"], posts=2)
    advisor = make.advisor(account=make.user(email="ines@conseiller-numerique.fr"),
                           first_name="Inès", last_name="Moreau")
    make.contract(structure, advisor)
    make.service_point(structure, [advisor], name="Médiathèque du Quadrilatère",
                       commune=communes["Beauvais"])
    coordinator = make.advisor(make.user(email="carla@conseiller-numerique.fr",
                                         role=Role.COORDINATOR), is_coordinator=True,
                               first_name="Carla", last_name="Coordinatrice")
    coordinator.coordinated.add(advisor)

    context, page = signed_in_page(browser, live_server, advisor.user, viewport=PHONE)
    page.goto(f"{live_server.url}/conseillers-numeriques/activite/saisir/")
    title = page.get_by_label("Titre de l'atelier")
    assert not title.is_visible()  # asked for a workshop only
    page.get_by_text("Atelier collectif", exact=True).click()
    assert title.is_visible()
    title.fill("Premiers pas sur smartphone")
    page.get_by_label("Nombre de participants", exact=True).fill("6")
    page.locator("input[name='themes']").first.check(force=True)  # DSFR: the label covers it
    page.get_by_label("Étiquettes").fill("Pass numérique")
    screenshot(page, "workshop-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(re.compile(r"/activite/$"))
    card = page.locator("main .fr-card").first
    assert "« Premiers pas sur smartphone »" in card.inner_text()
    assert "6 participants" in card.inner_text()

    # Corrected: two more people came; no breakdown was given, so none is asked for.
    card.get_by_role("link", name=re.compile("^Modifier")).click()
    page.wait_for_url(re.compile(r"/modifier/$"))
    page.get_by_label("Nombre de participants", exact=True).fill("8")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(re.compile(r"/activite/$"))
    assert "8 participants" in page.locator("main .fr-card").first.inner_text()
    screenshot(page, "reports")

    page.goto(f"{live_server.url}/tableau-de-bord/mes-statistiques/")
    figures = key_figures(page)
    assert "1 accompagnement" in figures and "8 personnes accompagnées" in figures
    kinds = page.get_by_role("table").filter(has_text="Atelier collectif").first.inner_text()
    assert re.search(r"Atelier collectif\s+1", kinds)
    screenshot(page, "my-statistics")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    context, page = signed_in_page(browser, live_server, coordinator.user, viewport=PHONE)
    page.goto(f"{live_server.url}/tableau-de-bord/mon-equipe/")
    assert "8 personnes accompagnées" in key_figures(page)
    assert page.get_by_text("Inès Moreau").count() >= 1
    screenshot(page, "team-statistics")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
