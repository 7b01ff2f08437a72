"""Correcting a report on a 375 px phone (issue #18, 1): the advisor opens "Modifier" from
the list with the keyboard, changes the number of participants, and the list shows it; the
delete confirmation and an old, read-only report are pictured too."""

import datetime
import re

import pytest
from django.utils import timezone

from advisors.models import ActivityReport
from advisors.models.activity import first_correctable_date
from tests.advisors import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}



def test_an_advisor_corrects_a_report_on_a_phone(live_server, browser, screenshot):
    communes = make.geography()
    structure = make.validated_structure(communes["Beauvais"], posts=2)
    advisor = make.advisor(account=make.user(email="ines@conseiller-numerique.fr"))
    make.contract(structure, advisor)
    place = make.service_point(structure, [advisor], name="Médiathèque du Quadrilatère")
    today = timezone.localdate()
    old = first_correctable_date(today) - datetime.timedelta(days=3)
    make.activity_report(advisor, communes["Beauvais"], structure, date=old)
    make.activity_report(advisor, communes["Compiègne"], structure,
                         date=today - datetime.timedelta(days=2))
    report = make.activity_report(advisor, communes["Beauvais"], structure, date=today,
                                  channel="service_point", service_point=place)
    context, page = signed_in_page(browser, live_server, advisor.user, viewport=PHONE)
    page.goto(f"{live_server.url}/conseillers-numeriques/activite/")
    screenshot(page, "list")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_text("Lecture seule").count() == 1

    # The delete confirmation, then back.
    page.get_by_role("link", name=re.compile("^Supprimer")).first.click()
    page.wait_for_url(re.compile(r"/supprimer/$"))
    assert page.get_by_role("button", name="Oui, supprimer").is_visible()
    screenshot(page, "delete")
    page.get_by_role("link", name="Non, le garder").click()
    page.wait_for_url(re.compile(r"/activite/$"))

    # "Modifier" of the latest report, reached with the keyboard.
    edit = page.get_by_role("link", name=re.compile("^Modifier")).first
    edit.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/modifier/$"))
    screenshot(page, "edit")
    assert page.get_by_label("Nombre de participants", exact=True).input_value() == "3"
    page.get_by_label("Nombre de participants", exact=True).fill("5")
    page.get_by_role("button", name="Âge des participants (facultatif)").click()
    page.get_by_label("Plus de 60 ans").fill("3")  # 1 + 1 + 3 = 5
    page.get_by_role("button", name="Situation des participants (facultatif)").click()
    page.get_by_label("Retraités").fill("3")  # 2 employed + 3 retired = 5
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(re.compile(r"/activite/$"))
    assert "modifié" in page.locator(".fr-alert, [role=alert]").first.inner_text()
    assert "5 participants" in page.locator("main .fr-card").first.inner_text()
    report.refresh_from_db()
    assert report.participants == 5 and ActivityReport.objects.count() == 3
    context.close()
