"""The directory's map in a real browser, on a 375 px phone and at 1280 px: the map has a base
layer (the project's outlines of the départements, since tests have no tile server), numbered
markers in sync with the list, usable with the keyboard; then a partner's page, served from
another origin, frames the snippet the builder gave and shows the list and map, while the
directory itself refuses to be framed."""

import functools
import http.server
import re
import threading
from html import unescape

import pytest

from advisors.models import PlaceService
from tests.advisors import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def places():
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude, beauvais.postal_codes = 49.43, 2.08, ["60000"]
    beauvais.save()
    structure = make.validated_structure(beauvais, posts=2)
    for name, lat, lon in [("Médiathèque du centre", 49.435, 2.085),
                           ("Maison de quartier Saint-Jean", 49.447, 2.115),
                           ("Espace numérique Argentine", 49.418, 2.055)]:
        make.service_point(structure, name=name, latitude=lat, longitude=lon,
                           services=[PlaceService.ADMINISTRATIVE_PROCEDURES])
    return communes


@pytest.fixture
def partner_site(tmp_path):
    """A partner's web server on another origin (127.0.0.1, a free port), serving tmp_path."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_map_shows_outlines_and_markers_in_sync_with_the_list_on_a_phone(
        live_server, browser, places, screenshot):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/conseillers/?q=Beauvais")
    results = page.locator("[data-directory-point]")
    assert results.count() == 3
    map_box = page.locator("#directory-map")
    # Under the list on a phone, the map is built when it is scrolled to.
    page.locator('aside[aria-label="Carte des lieux"]').scroll_into_view_if_needed()
    map_box.wait_for(state="visible")
    # A base layer: without a tile server, the project's outlines of the départements.
    assert map_box.get_attribute("data-base-layer") == "outlines"
    # Drawn on one canvas: the map tells how many outlines it drew.
    page.locator("#directory-map[data-outlines]").wait_for(state="attached")
    assert int(map_box.get_attribute("data-outlines")) > 90
    markers = page.locator(".leaflet-marker-icon.directory-marker:not(.directory-marker--origin)")
    markers.first.wait_for()
    assert sorted(markers.all_inner_texts()) == ["1", "2", "3"]
    # The keyboard reaches the markers in the list's order (1, 2, 3), not the reverse.
    page.wait_for_function("""() => Array.from(document.querySelectorAll(
        '.leaflet-marker-pane .directory-marker:not(.directory-marker--origin)'))
        .map(e => e.textContent).join() === '1,2,3'""")
    # The list comes first; the map and its legend follow it on a phone.
    list_box, map_area = results.first.bounding_box(), map_box.bounding_box()
    assert map_area["y"] > list_box["y"]
    assert page.get_by_label("Légende de la carte").is_visible()
    # Like a printed map's insets: a way to the overseas départements.
    assert page.get_by_role("button", name="La Réunion").is_visible()

    # Focusing a result highlights its marker.
    first_link = results.nth(0).locator("a").first
    first_link.focus()
    active = page.locator(".directory-marker--active")
    active.wait_for()
    assert active.inner_text() == "1"

    # A marker, reached with the keyboard, highlights its result and opens its popup.
    marker = page.locator('.leaflet-marker-icon[title^="3. "]')
    marker.focus()
    marker.press("Enter")
    page.locator(".leaflet-popup-content a").wait_for()
    assert page.locator(".leaflet-popup-content a").inner_text() == results.nth(2).locator(
        "h3").inner_text()
    assert "directory-result--active" in results.nth(2).get_attribute("class")
    assert "directory-result--active" not in results.nth(0).get_attribute("class")
    screenshot(page, "map")
    context.close()


def test_a_partner_page_frames_the_snippet_and_shows_the_list_and_map(
        live_server, browser, places, partner_site, screenshot, settings):
    settings.SITE_URL = live_server.url  # the snippet's address (the live server's thread)
    folder, partner = partner_site
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/conseillers/integrer/")
    page.get_by_label("Département").select_option("60")
    page.get_by_label("Service").select_option(PlaceService.ADMINISTRATIVE_PROCEDURES.value)
    page.get_by_role("button", name="Générer le code d'intégration").click()
    snippet = page.get_by_label("Code HTML de la carte").input_value()
    assert snippet.startswith("<iframe src=") and "departement=60" in snippet
    # The preview on the builder's page is the framed page itself.
    preview = page.frame_locator('iframe[title="Aperçu de la carte intégrée"]')
    preview.locator("[data-directory-point]").first.wait_for()
    screenshot(page, "builder")

    # The partner's page: a blank page of theirs, on another origin, with the snippet, and
    # beside it a frame of the directory itself, which refuses to be framed.
    src = unescape(re.search(r'src="([^"]+)"', snippet).group(1))
    assert src.startswith(live_server.url)
    (folder / "partenaire.html").write_text(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Mairie</title>'
        '</head><body><h1>Mairie de Beauvais</h1>' + snippet
        + f'<iframe id="refused" src="{live_server.url}/conseillers/" title="Annuaire">'
        '</iframe></body></html>', encoding="utf-8")
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{partner}/partenaire.html")
        framed = page.frame_locator('iframe[title^="Lieux de médiation numérique"]')
        framed.locator("[data-directory-point]").first.wait_for()
        assert framed.locator("[data-directory-point]").count() == 3
        assert framed.locator("h1").inner_text() == "Conseillers numériques en Oise"
        framed.locator("#directory-map[data-outlines]").wait_for(state="attached")
        framed.locator(".leaflet-marker-icon.directory-marker").first.wait_for()
        assert framed.locator(".leaflet-marker-icon.directory-marker").count() == 3
        assert framed.locator(".fr-header").count() == 0
    directory_frame = next(f for f in page.frames if "/conseillers/" in f.url
                           and "carte-integree" not in f.url or f.url.startswith("chrome-error"))
    assert directory_frame.locator("text=Trouver un conseiller numérique").count() == 0
    screenshot(page, "partner")
    context.close()
