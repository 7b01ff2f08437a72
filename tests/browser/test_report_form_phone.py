"""The activity report form on a 375 px phone (issue #15, 1.4): a one-person accompaniment
fits in two screens (optional sections folded), with today, the last place used and that
place's commune as defaults."""

import re

import pytest
from django.utils import timezone

from advisors.models import ActivityReport
from tests.advisors import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}



def test_a_one_person_report_fits_in_two_phone_screens(live_server, browser, screenshot):
    communes = make.geography()
    structure = make.validated_structure(communes["Beauvais"], posts=2)
    advisor = make.advisor(account=make.user(email="ines@conseiller-numerique.fr"))
    make.contract(structure, advisor)
    place = make.service_point(structure, [advisor], name="Médiathèque du Quadrilatère")
    context, page = signed_in_page(browser, live_server, advisor.user, viewport=PHONE)
    page.goto(f"{live_server.url}/conseillers-numeriques/activite/saisir/")
    screenshot(page, "report-form")
    save = page.get_by_role("button", name="Enregistrer", exact=True)
    bottom = save.evaluate("button => button.getBoundingClientRect().bottom + window.scrollY")
    assert bottom <= 2 * PHONE["height"], f"{bottom / PHONE['height']:.2f} screens"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not page.locator("#situations").is_visible()       # folded
    assert not page.locator("#ages").is_visible()             # folded (optional since 2025)
    assert not page.locator("#id_redirected_to").is_visible()  # folded
    assert "Lieu : Médiathèque du Quadrilatère, Beauvais (60)" in page.content()
    assert page.get_by_label("Date", exact=True).input_value() == \
        timezone.localdate().isoformat()
    page.get_by_label("Prendre en main un smartphone ou une tablette").check(force=True)
    page.get_by_role("button", name="Âge des participants (facultatif)").click()
    page.get_by_label("Plus de 60 ans").fill("1")
    save.click()
    page.wait_for_url(re.compile(r"/activite/$"))
    report = ActivityReport.objects.get(advisor=advisor)
    assert report.service_point == place and report.commune == communes["Beauvais"]
    context.close()
