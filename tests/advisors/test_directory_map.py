"""The directory's map (base layer, outlines, legend) and the embeddable map for partner
sites: the snippet builder /conseillers/integrer/ and the framed page
/conseillers/carte-integree/, the only page other sites may frame."""

import json
import os
import re
import subprocess
import sys
from datetime import time

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from advisors.models import OpeningRange, PlaceService, ServicePoint

from . import factories as make

pytestmark = pytest.mark.django_db

IGN = ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
       "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
       "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")


@pytest.fixture
def places(communes, structure):
    communes["Beauvais"].latitude, communes["Beauvais"].longitude = 49.43, 2.08
    communes["Beauvais"].save()
    communes["Compiègne"].latitude, communes["Compiègne"].longitude = 49.42, 2.83
    communes["Compiègne"].save()
    near = make.service_point(structure, name="Médiathèque du centre", latitude=49.435,
                              longitude=2.085, services=[PlaceService.SAFE_USE])
    far = make.service_point(structure, name="Maison France services",
                             commune=communes["Compiègne"], latitude=49.417, longitude=2.826,
                             access=ServicePoint.Access.APPOINTMENT,
                             services=[PlaceService.EVERYDAY_TOOLS])
    paris = make.service_point(structure, name="Espace numérique de Paris",
                               commune=communes["Paris"], latitude=48.85, longitude=2.35,
                               services=[PlaceService.SAFE_USE])
    hidden = make.service_point(structure, name="Bureau interne", latitude=49.43,
                                longitude=2.08, is_public=False)
    OpeningRange.objects.create(service_point=near, weekday=0, period="am", opens=time(9),
                                closes=time(12))
    return {"near": near, "far": far, "paris": paris, "hidden": hidden}


def script_json(page, element_id):
    return json.loads(re.search(rf'id="{element_id}"[^>]*>(.*?)</script>', page, re.S)
                      .group(1))


def card_names(page):
    return re.findall(r'class="fr-card__title[^"]*"><a href="[^"]+"[^>]*>([^<]+)<', page)


# --- the directory's map --------------------------------------------------------------------
def test_no_result_means_no_map_legend_nor_map_caption(places):
    with_places = Client().get("/conseillers/", {"q": "Beauvais"}).content.decode()
    assert "Légende de la carte" in with_places and "Carte : choisir un lieu" in with_places
    assert "<span>+3</span></span> Plusieurs lieux proches" in with_places  # not a number
    ServicePoint.objects.all().delete()
    without = Client().get("/conseillers/", {"q": "Beauvais"}).content.decode()
    assert "Légende de la carte" not in without and "Carte : choisir un lieu" not in without
    embedded = Client().get("/conseillers/carte-integree/", {"service": "nope"}).content.decode()
    assert "Légende de la carte" not in embedded


def test_without_a_tile_server_the_map_draws_the_projects_outlines(places, settings):
    settings.DIRECTORY_TILE_URL = ""
    page = Client().get("/conseillers/").content.decode()
    config = script_json(page, "directory-map-config")
    assert config["tiles"] == "" and config["outlines"].endswith(
        "territories/departements.geojson")
    assert finders.find("territories/departements.geojson")
    # Buttons under the map go to metropolitan France and each overseas département.
    assert [area["name"] for area in config["areas"]] == [
        "Métropole", "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    (south, west), (north, east) = config["areas"][3]["bounds"]  # Guyane
    assert -54.7 < west < east < -51.4 and 2 < south < north < 6
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in page
    assert "/static/advisors/directory_map.js" in page
    assert "Légende de la carte" in page and "numéroté comme dans la liste" in page


def test_with_ign_tiles_the_map_credits_ign_and_the_csp_allows_its_host(places, settings):
    settings.DIRECTORY_TILE_URL = IGN
    settings.DIRECTORY_TILE_ATTRIBUTION = "© IGN"
    response = Client().get("/conseillers/")
    config = script_json(response.content.decode(), "directory-map-config")
    assert config["tiles"] == IGN and config["attribution"] == "© IGN"
    img_src = re.search(r"img-src ([^;]+)", response["Content-Security-Policy"]).group(1)
    assert "https://data.geopf.fr" in img_src.split()


def test_production_defaults_to_plan_ign_and_the_setting_still_overrides_it():
    code = ("from config.settings import service as s; "
            "print(s.DIRECTORY_TILE_URL); print(s.DIRECTORY_TILE_ATTRIBUTION)")
    base = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "example.org", "DEBUG": ""}
    base.pop("DIRECTORY_TILE_URL", None)
    run = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True,
                         text=True, cwd=settings.BASE_DIR, check=True)
    assert run.stdout.splitlines() == [IGN, "© IGN"]
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**base, "DIRECTORY_TILE_URL": "https://t.example/{z}/{x}/{y}.png"},
                         cwd=settings.BASE_DIR, check=True)
    assert run.stdout.splitlines() == ["https://t.example/{z}/{x}/{y}.png",
                                       "© contributeurs OpenStreetMap"]


def test_the_directory_links_to_the_embed_builder(places):
    page = Client().get("/conseillers/").content.decode()
    assert 'href="/conseillers/integrer/"' in page


# --- the embed builder ----------------------------------------------------------------------
def test_the_builder_makes_an_iframe_snippet_for_a_departement_and_filters(places, communes):
    response = Client().get("/conseillers/integrer/", {
        "departement": "60", "service": PlaceService.SAFE_USE, "hauteur": "800"})
    assert response.status_code == 200
    page = response.content.decode()
    snippet = re.search(r'<textarea[^>]*id="embed-snippet"[^>]*>(.*?)</textarea>', page,
                        re.S).group(1)
    assert snippet.startswith("&lt;iframe src=&quot;http")
    assert "/conseillers/carte-integree/?departement=60&amp;amp;service=" in snippet
    assert "height=&quot;800&quot;" in snippet and "title=&quot;Lieux de médiation" in snippet
    assert "Copier le code" in page and 'id="embed-copy-status" role="status"' in page
    # The preview frames the same page, from this site.
    assert re.search(r'<iframe src="/conseillers/carte-integree/\?departement=60&amp;service=',
                     page)
    assert response["X-Frame-Options"] == "DENY"


def test_the_builder_names_the_communes_a_name_could_mean(places, communes):
    page = Client().get("/conseillers/integrer/", {"commune": "Nullepart"}).content.decode()
    assert "Aucune commune ne correspond" in page and 'aria-invalid="true"' in page
    assert "embed-snippet" not in page
    page = Client().get("/conseillers/integrer/", {"commune": "60057"}).content.decode()
    assert "commune=60057" in page and "près de Beauvais" in page


def test_the_builder_without_a_choice_shows_only_the_form(places):
    page = Client().get("/conseillers/integrer/").content.decode()
    assert "Générer le code d'intégration" in page and "embed-snippet" not in page


# --- the embedded page ----------------------------------------------------------------------
def test_only_the_embedded_page_may_be_framed_by_other_sites(places):
    client = Client()
    nonces = set()
    for _ in range(3):  # and again once the answer is kept, then answered early
        embedded = client.get("/conseillers/carte-integree/", {"departement": "60"})
        assert embedded.status_code == 200
        assert "X-Frame-Options" not in embedded
        policy = embedded["Content-Security-Policy"]
        assert re.search(r"frame-ancestors \*(;|$)", policy)
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)  # kept page: its own nonce
        assert f'nonce="{nonce}"' in embedded.content.decode()
        nonces.add(nonce)
    assert len(nonces) == 3
    for url in ("/conseillers/", "/conseillers/integrer/", f"/conseillers/{places['near'].pk}/",
                "/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_the_embedded_page_is_light_and_keeps_its_filters(places):
    response = Client().get("/conseillers/carte-integree/", {
        "departement": "60", "service": PlaceService.SAFE_USE})
    page = response.content.decode()
    assert card_names(page) == ["Médiathèque du centre"]
    assert "fr-header" not in page and "fr-footer" not in page
    assert '<html lang="fr"' in page and "<h1" in page and "<title>" in page
    assert "Conseillers numériques en Oise" in page
    assert 'target="_blank" rel="noopener"' in page and "(nouvel onglet)" in page
    data = script_json(page, "directory-map-data")
    assert [m["name"] for m in data["markers"]] == ["Médiathèque du centre"]
    assert script_json(page, "directory-map-config")["linkTarget"] == "_blank"
    # The link to the full directory keeps the service filter.
    assert re.search(r'href="http[^"]*/conseillers/\?service=[^"]+"', page)


def test_the_kept_embedded_page_shows_a_renamed_place_at_once(places):
    client = Client()
    for _ in range(3):
        page = client.get("/conseillers/carte-integree/", {"departement": "60"}).content.decode()
    assert "Médiathèque du centre" in page
    point = ServicePoint.objects.get(name="Médiathèque du centre")
    point.name = "Médiathèque Jean-Moulin"
    point.save()
    page = client.get("/conseillers/carte-integree/", {"departement": "60"}).content.decode()
    assert "Médiathèque Jean-Moulin" in page and "Médiathèque du centre" not in page


def test_the_embedded_page_by_commune_lists_the_nearest_first(places, communes):
    page = Client().get("/conseillers/carte-integree/",
                        {"commune": communes["Compiègne"].insee_code}).content.decode()
    names = card_names(page)
    assert names[0] == "Maison France services"
    assert "Bureau interne" not in page
    assert "près de Compiègne" in page


def test_the_embedded_page_pages_with_its_filters(places, structure, communes):
    for n in range(22):
        make.service_point(structure, name=f"Lieu {n:02d}", latitude=49.4, longitude=2.1,
                           services=[PlaceService.SAFE_USE])
    page = Client().get("/conseillers/carte-integree/", {
        "departement": "60", "service": PlaceService.SAFE_USE}).content.decode()
    assert len(card_names(page)) == 20
    assert re.search(r'href="\?departement=60&amp;service=[a-z_-]+&amp;page=2"', page)


@pytest.mark.parametrize("query", [
    {"departement": "zz"}, {"commune": "x" * 500}, {"weekday": "huit"}, {"page": "-3"},
    {"service": "<script>"}, {"open_now": "peut-être"}, {"departement": "60", "page": "999"},
])
def test_the_embedded_page_ignores_a_wrong_value(places, query):
    response = Client().get("/conseillers/carte-integree/", query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("</title>")[0]


def test_a_wrong_filter_keeps_the_territory_title_and_an_unknown_departement_is_said(places):
    page = Client().get("/conseillers/carte-integree/",
                        {"departement": "60", "service": "nope"}).content.decode()
    assert "<h1 class=\"fr-h4 fr-mb-1w\">Conseillers numériques en Oise</h1>" in page
    page = Client().get("/conseillers/carte-integree/", {"departement": "zz"}).content.decode()
    assert "Conseillers numériques en France</h1>" in page
    assert "Code de département inconnu : « zz ». Ce filtre est ignoré." in page


def test_the_builders_snippet_defaults_to_a_frame_tall_enough_and_says_file_pages_cannot_frame_it(
        places):
    page = Client().get("/conseillers/integrer/", {"departement": "60"}).content.decode()
    assert "height=&quot;800&quot;" in page
    assert "(adresse en file://) ne peut pas afficher la carte" in page
