"""A structure manager's page on a 375 px phone: applications, conventions and contracts
show their status and their actions without scrolling sideways."""

import pytest

from tests.advisors import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}



def test_the_structure_page_shows_statuses_and_actions_within_a_phone_screen(
        live_server, browser, screenshot):
    communes = make.geography()
    manager = make.user(email="gestion@beauvais.fr")
    structure = make.validated_structure(communes["Beauvais"], posts=2, manager=manager)
    make.convention(structure, posts=2)
    make.contract(structure, make.advisor(first_name="Inès", last_name="Garnier"))
    context, page = signed_in_page(browser, live_server, manager, viewport=PHONE)
    page.goto(f"{live_server.url}/conseillers-numeriques/structures/{structure.pk}/")
    screenshot(page, "structure-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for name in ("Demander une rupture", "Historique", "Voir"):
        link = page.get_by_role("link", name=name).filter(visible=True).first
        assert link.is_visible(), name
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    card = page.locator("[data-contract]").filter(visible=True).first
    assert "Statut : Validé" in " ".join(card.inner_text().split())
    box = card.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    context.close()
