"""Issue 19's journey on a 375 px phone: an advisor creates a place at an address, the
(local stand-in of the) Base Adresse Nationale locates it, and a resident searching from
that commune within 10 km finds it first; a place in Guadeloupe is found from its commune."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from advisors.models import ServicePoint
from advisors.models.positions import Positioning
from territories.models import Commune, Department, Region
from tests.advisors import factories as make
from tests.advisors.ban import Geocoder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}



@pytest.fixture
def geocoder(settings):
    cache.clear()
    server = Geocoder().start()
    settings.BAN_GEOCODER_URL = server.url
    yield server
    server.stop()
    cache.clear()


def sign_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


def phone(browser):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def search_from(page, base, commune_label, radius=None):
    page.goto(f"{base}/conseillers/")
    field = page.get_by_label(re.compile("^Commune ou code postal"))
    field.fill(commune_label)
    if radius:
        page.get_by_label("Distance").select_option(label=radius)
    page.locator("#directory-form").get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/conseillers/\?"))


def test_a_place_located_from_its_address_is_found_first_within_10_km(
        live_server, browser, geocoder, screenshot):
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude, beauvais.postal_codes = 49.43, 2.08, ["60000"]
    beauvais.save()
    structure = make.validated_structure(beauvais, posts=2)
    ines = make.advisor(first_name="Inès", last_name="Martinez",
                        account=make.user(email="ines@conseiller-numerique.fr"))
    make.contract(structure, ines)
    # Another place, 6 km north, saved with its own coordinates before geocoding ran.
    make.service_point(structure, name="Espace numérique de Troissereux",
                       address="99 chemin inconnu", latitude=49.484, longitude=2.08)
    region = Region.objects.create(code="01", name="Guadeloupe")
    guadeloupe = Department.objects.create(code="971", name="Guadeloupe", region=region)
    pointe = Commune.objects.create(insee_code="97120", name="Pointe-à-Pitre",
                                    department=guadeloupe, population=15000,
                                    latitude=16.2411, longitude=-61.5331,
                                    postal_codes=["97110"])
    overseas = make.service_point(structure, name="Cyber-base de Pointe-à-Pitre",
                                  commune=pointe, address="Rue Frébault")
    overseas.refresh_from_db()
    assert overseas.position_source == Positioning.ADDRESS  # located by the test geocoder

    base = live_server.url
    advisor_context, mobile = phone(browser)
    sign_in(advisor_context, live_server, ines.user)
    mobile.goto(f"{base}/conseillers-numeriques/lieux/nouveau/")
    mobile.get_by_label("Nom du lieu").fill("Maison du numérique de la Taillerie")
    mobile.get_by_label("Adresse", exact=False).first.fill("12 rue de la Taillerie")
    mobile.get_by_label(re.compile("^Commune")).fill("Beauvais (60)")
    mobile.get_by_label("Accès libre").check(force=True)
    mobile.get_by_label("Aide aux démarches administratives").check(force=True)
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    mobile.get_by_role("button", name="Enregistrer le lieu").click()
    mobile.wait_for_url(re.compile(r"/lieux/\d+/$"))
    place = ServicePoint.objects.get(name="Maison du numérique de la Taillerie")
    assert (place.latitude, place.longitude) == (49.431236, 2.082613)
    assert mobile.locator("#position-status").text_content() == "Adresse localisée"
    # The marker can be moved; the fields are the keyboard's way and say where it is.
    mobile.locator("#place-position-map .leaflet-marker-icon").wait_for()
    assert mobile.get_by_label(re.compile("^Latitude")).input_value() == "49.431236"
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(mobile, "place-form")
    advisor_context.close()

    visitor_context, page = phone(browser)
    search_from(page, base, "Beauvais (60)", radius="Moins de 10 km")
    assert "rayon_km=10" in page.url
    first = page.locator("[data-directory-point]").first
    assert "Maison du numérique de la Taillerie" in first.inner_text()
    assert "à 0,2 km" in first.inner_text()
    assert "à moins de 10 km de Beauvais (60)" in page.locator("#directory-results-title") \
        .inner_text()
    assert page.locator("[data-directory-point]").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    show_map(page)
    screenshot(page, "search-10-km")

    search_from(page, base, "Pointe-à-Pitre")
    first = page.locator("[data-directory-point]").first
    assert "Cyber-base de Pointe-à-Pitre" in first.inner_text()
    assert page.locator("[data-directory-point]").count() == 1
    show_map(page)
    screenshot(page, "overseas")
    visitor_context.close()


def test_around_me_uses_the_browsers_position_and_falls_back_to_the_commune(
        live_server, browser):
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude = 49.43, 2.08
    beauvais.save()
    structure = make.validated_structure(beauvais, posts=2)
    make.service_point(structure, name="Médiathèque du centre", latitude=49.435,
                       longitude=2.085)
    base = live_server.url

    allowed = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True,
                                  geolocation={"latitude": 49.4351, "longitude": 2.0849},
                                  permissions=["geolocation"])
    page = allowed.new_page()
    page.goto(f"{base}/conseillers/")
    page.get_by_role("button", name="Autour de moi").click()
    page.wait_for_url(re.compile(r"lat=49\.435&lon=2\.085"))
    assert "à moins de 20 km de vous" in page.locator("#directory-results-title").inner_text()
    assert "Médiathèque du centre" in page.locator("[data-directory-point]").first.inner_text()
    allowed.close()

    refused = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True)
    page = refused.new_page()
    page.goto(f"{base}/conseillers/")
    page.get_by_role("button", name="Autour de moi").click()
    status = page.locator("[data-near-me-status]")
    status.filter(has_text="indiquez votre commune").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_q"
    refused.close()


def show_map(page):
    """Scroll to the map (built when it nears the viewport) and wait for it, so that a
    screenshot's change of viewport does not build it during the capture."""
    page.locator('aside[aria-label="Carte des lieux"]').scroll_into_view_if_needed()
    page.locator("#directory-map[data-outlines]").wait_for(state="attached")
