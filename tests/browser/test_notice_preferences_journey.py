"""A structure manager, on a phone and with the keyboard only, turns a reminder off from
"Mon espace" › "Mes notifications par courriel"; the reminder then does not come."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import NoticePreference
from advisors import reminders
from tests.advisors import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}



def test_a_manager_turns_the_convention_reminder_off_with_the_keyboard_on_a_phone(
        live_server, browser, screenshot, mailoutbox):
    communes = make.geography()
    manager = make.user(email="gestion@beauvais.fr", first_name="Nadia")
    structure = make.validated_structure(communes["Beauvais"], posts=2, manager=manager)
    make.convention(structure, start=date(2024, 1, 1),
                    end=timezone.localdate() + timedelta(days=60))
    context, page = signed_in_page(browser, live_server, manager, viewport=PHONE)
    page.goto(f"{live_server.url}/espace/")
    page.get_by_role("link", name="Mes notifications par courriel").click()
    screenshot(page, "notices")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.get_by_role("checkbox", name="Fin de convention")
    assert box.is_checked()
    box.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Enregistrer mes choix").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Vos choix de notifications sont enregistrés.").is_visible()
    assert not page.get_by_role("checkbox", name="Fin de convention").is_checked()
    assert page.get_by_role("checkbox", name="Fin de contrat d'un conseiller").is_checked()
    screenshot(page, "saved")
    context.close()
    assert NoticePreference.objects.get(user=manager,
                                        kind=reminders.CONVENTION_ENDING).enabled is False
    assert reminders.remind_of_ending_conventions() == 0
    assert mailoutbox == []
