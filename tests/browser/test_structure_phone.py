"""A structure manager's page on a 375 px phone: applications, conventions and contracts
show their status and their actions without scrolling sideways."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from accounts.roles import Role
from tests.advisors import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


@pytest.fixture(autouse=True)
def role_groups(db):
    for role in Role:
        Group.objects.get_or_create(name=role)


def test_the_structure_page_shows_statuses_and_actions_within_a_phone_screen(
        live_server, browser, screenshot):
    communes = make.geography()
    manager = make.user(email="gestion@beauvais.fr")
    structure = make.validated_structure(communes["Beauvais"], posts=2, manager=manager)
    make.convention(structure, posts=2)
    make.contract(structure, make.advisor(first_name="Inès", last_name="Garnier"))
    client = Client()
    client.force_login(manager)
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
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
