"""The end of an advisor's contract seen by a resident on a 375 px phone: Inès is named on
the Médiathèque's page of /conseillers/; her contract ends today; the next day, after the
daily job, she is named nowhere, the place she staffed alone is gone from the directory and
from the open-data file, and the Médiathèque stays listed with her colleague Hugo."""

import csv
import datetime
import io
import re
from unittest import mock

import pytest
from django.utils import timezone

from advisors import tasks
from advisors.models import Contract, PlaceService
from core.cache_versions import forget_local_versions
from tests.advisors import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}
OPEN_DATA = "/donnees/lieux-mediation-numerique.csv"


def open_data_names(page, base):
    response = page.request.get(base + OPEN_DATA)
    assert response.ok
    body = response.text()
    return body, {row["nom"] for row in csv.DictReader(io.StringIO(body))}


def test_a_departed_advisor_leaves_the_directory_the_next_day(live_server, browser,
                                                              screenshot):
    today = timezone.localdate()
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude, beauvais.postal_codes = 49.43, 2.08, ["60000"]
    beauvais.save()
    structure = make.validated_structure(beauvais, posts=2, name="Mairie de Beauvais")
    ines = make.advisor(first_name="Inès", last_name="Garnier")
    make.contract(structure, ines, start=today - datetime.timedelta(days=300), end=today)
    hugo = make.advisor(first_name="Hugo", last_name="Petit")
    make.contract(structure, hugo, kind=Contract.Kind.CDI)
    shared = make.service_point(structure, [ines, hugo], name="Médiathèque du centre",
                                latitude=49.435, longitude=2.085,
                                services=[PlaceService.ADMINISTRATIVE_PROCEDURES])
    make.service_point(structure, [ines], name="Maison de quartier Saint-Jean",
                       latitude=49.44, longitude=2.09, services=[PlaceService.SAFE_USE])

    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    # Today: both places listed; Inès named on the Médiathèque's page.
    page.goto(f"{live_server.url}/conseillers/")
    listing = page.locator("[data-directory-point]")
    assert "Maison de quartier Saint-Jean" in listing.all_inner_texts().__str__()
    page.get_by_role("link", name="Médiathèque du centre").first.click()
    page.wait_for_url(re.compile(rf"/conseillers/{shared.pk}/$"))
    staff = page.get_by_role("heading", name="Vos conseillers numériques")
    assert staff.is_visible()
    assert "Inès" in page.content() and "Hugo" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "before")
    _, names = open_data_names(page, live_server.url)
    assert "Maison de quartier Saint-Jean" in names

    # Her last day goes by; the daily job runs the next morning (the live server runs in
    # this process, so the moved clock applies to it).
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        forget_local_versions()
        summary = tasks.apply_contract_ends()
        assert summary["advisors_offboarded"] == 1

        page.goto(f"{live_server.url}/conseillers/")
        texts = " ".join(page.locator("[data-directory-point]").all_inner_texts())
        assert "Médiathèque du centre" in texts
        assert "Maison de quartier Saint-Jean" not in texts
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "directory-next-day")

        page.get_by_role("link", name="Médiathèque du centre").first.click()
        page.wait_for_url(re.compile(rf"/conseillers/{shared.pk}/$"))
        assert "Hugo" in page.content()
        assert "Inès" not in page.content() and "Garnier" not in page.content()

        body, names = open_data_names(page, live_server.url)
        assert names == {"Médiathèque du centre"}
        assert "Garnier" not in body
