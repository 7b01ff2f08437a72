"""The élu profile's "Êtes-vous salarié ?" with the keyboard: the radio buttons can be seen
(DSFR circles), the focused one shows its focus ring, arrows change the answer, and it is saved."""

from datetime import date

import pytest
from django.conf import settings
from django.test import Client

from academy.models import Mandate, OfficialProfile
from accounts.models import User
from tests import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RADIO_LOOK = """(id) => {
    const label = document.querySelector(`label[for="${id}"]`);
    const before = getComputedStyle(label, '::before');
    return {circle: getComputedStyle(label).backgroundImage,
            ring: before.outlineStyle, ringWidth: before.outlineWidth,
            focused: document.activeElement.id};
}"""


def test_employment_radio_buttons_are_visible_and_usable_with_the_keyboard(live_server,
                                                                           browser,
                                                                           screenshot):
    communes = make.geography()
    lucie = User.objects.create_user(email="lucie@mairie-beauvais.fr", password="x")
    profile = OfficialProfile.objects.create(user=lucie)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 4))
    client = Client()
    client.force_login(lucie)
    context = browser.new_context(locale="fr-FR")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/espace/profil-elu/")

    for n in range(3):
        look = page.evaluate(RADIO_LOOK, f"id_is_employee_{n}")
        assert "radial-gradient" in look["circle"]  # the DSFR circle is drawn on the label

    page.focus("#id_is_employee_2")  # "Je préfère ne pas répondre", the current answer
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    look = page.evaluate(RADIO_LOOK, "id_is_employee_2")
    assert look["focused"] == "id_is_employee_2"
    assert look["ring"] != "none" and look["ringWidth"] != "0px"
    page.keyboard.press("ArrowUp")  # to "Non"
    assert page.evaluate(RADIO_LOOK, "id_is_employee_1")["focused"] == "id_is_employee_1"
    screenshot(page, "radio-focus")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == "Enregistrer mon profil"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    profile.refresh_from_db()
    assert profile.is_employee is False
    context.close()
