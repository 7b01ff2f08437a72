"""The public directory in a real browser, on a 375 px phone: a resident types their
commune, sees the nearest open service point first with its distance, opens its page and
finds its hours and the calendar link."""

import re
from datetime import time

import pytest

from advisors.models import OpeningRange, PlaceService, ServicePoint
from tests.advisors import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def open_all_day_every_day(point):
    for day in range(7):
        OpeningRange.objects.create(service_point=point, weekday=day, period="am",
                                    opens=time(0, 0), closes=time(13, 59))
        OpeningRange.objects.create(service_point=point, weekday=day, period="pm",
                                    opens=time(11, 0), closes=time(23, 59, 59))


def test_a_resident_finds_the_nearest_open_service_point_on_a_phone(live_server, browser,
                                                                    monkeypatch):
    # The journey must not depend on the day it runs: no public holiday today (the live
    # server runs in this process, so the patch applies to it).
    monkeypatch.setattr("advisors.directory.queries.public_holidays", lambda *args: {})
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude, beauvais.postal_codes = 49.43, 2.08, ["60000"]
    beauvais.save()
    structure = make.validated_structure(beauvais, posts=2)
    ines = make.advisor(first_name="Inès", last_name="Martinez")
    make.contract(structure, ines)  # the directory names advisors under contract only
    nearest = make.service_point(
        structure, name="Médiathèque du centre", latitude=49.435, longitude=2.085,
        services=[PlaceService.ADMINISTRATIVE_PROCEDURES], advisors=[ines])
    open_all_day_every_day(nearest)
    make.service_point(structure, name="Maison France services", latitude=49.417,
                       commune=communes["Compiègne"],
                       longitude=2.826, access=ServicePoint.Access.APPOINTMENT)
    hidden = make.service_point(structure, name="Bureau interne", latitude=49.43,
                                longitude=2.08, is_public=False)
    open_all_day_every_day(hidden)

    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/conseillers/")
    field = page.get_by_label(re.compile("^Commune ou code postal"))
    field.fill("Beauv")
    # The autocomplete suggests the commune (a <datalist> fed by /territoires/communes/).
    # (a locator, not wait_for_function: the page's CSP forbids evaluating strings)
    page.locator('#id_q-options option[value="Beauvais (60)"]').wait_for(state="attached")
    field.fill("Beauvais (60)")
    field.press("Enter")
    page.wait_for_url(re.compile(r"q=Beauvais"))

    first = page.locator("[data-directory-point]").first
    assert "Médiathèque du centre" in first.inner_text()
    assert "à 0,7 km" in first.inner_text()
    assert "Ouvert maintenant" in first.text_content()
    assert "Bureau interne" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The map is an enhancement below the list: markers on a plain background, built when
    # it is scrolled to.
    page.locator('aside[aria-label="Carte des lieux"]').scroll_into_view_if_needed()
    page.wait_for_selector("#directory-map .leaflet-marker-icon")
    # The nearest and the origin: Compiègne's, 54 km away, is beyond the 20 km radius.
    assert page.locator("#directory-map .leaflet-marker-icon").count() == 2

    # Keyboard: the result's link is reachable and opens the service point's page.
    first.get_by_role("link", name="Médiathèque du centre").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/conseillers/{nearest.pk}/$"))
    assert page.get_by_role("heading", name="Médiathèque du centre").is_visible()
    assert page.locator("#open-status").text_content() == "Ouvert maintenant"
    assert page.get_by_role("heading", name="Horaires", exact=True).is_visible()
    assert "Lundi" in page.content() and "0 h – 13 h 59" in page.content()
    subscribe = page.get_by_role("link", name="S'abonner au calendrier")
    assert subscribe.get_attribute("href").startswith("webcal://")
    assert subscribe.get_attribute("href").endswith(f"/calendrier/lieux/{nearest.pk}.ics")
    assert page.get_by_text("Inès").is_visible() and "Martinez" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
