"""The activity report form on a 375 px phone (issue #15, 1.4): a one-person accompaniment
fits in two screens (optional sections folded), with today, the last place used and that
place's commune as defaults."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from advisors.models import ActivityReport
from tests.advisors import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


@pytest.fixture(autouse=True)
def role_groups(db):
    for role in Role:
        Group.objects.get_or_create(name=role)


def test_a_one_person_report_fits_in_two_phone_screens(live_server, browser, screenshot):
    communes = make.geography()
    structure = make.validated_structure(communes["Beauvais"], posts=2)
    advisor = make.advisor(account=make.user(email="ines@conseiller-numerique.fr"))
    make.contract(structure, advisor)
    place = make.service_point(structure, [advisor], name="Médiathèque du Quadrilatère")
    client = Client()
    client.force_login(advisor.user)
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
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
