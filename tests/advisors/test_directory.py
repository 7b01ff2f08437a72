"""The public directory /conseillers/: search by commune or postal code, nearest first with
the distance, filters, pages, the map's data, and each service point's page."""

import json
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from advisors.directory import queries
from advisors.models import Closure, OpeningRange, PlaceService, ServicePoint
from calendars.ical import PARIS

from . import factories as make

pytestmark = pytest.mark.django_db

MONDAY_10_AM = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)


def under_contract(structure, *advisors):
    """The directory shows a place advisors are listed at while one is under contract."""
    for advisor in advisors:
        make.contract(structure, advisor)
    return list(advisors)


@pytest.fixture
def places(communes, structure):
    communes["Beauvais"].latitude, communes["Beauvais"].longitude = 49.43, 2.08
    communes["Beauvais"].postal_codes = ["60000"]
    communes["Beauvais"].save()
    communes["Compiègne"].latitude, communes["Compiègne"].longitude = 49.42, 2.83
    communes["Compiègne"].save()
    near = make.service_point(
        structure, name="Médiathèque du centre", latitude=49.435, longitude=2.085,
        services=[PlaceService.ADMINISTRATIVE_PROCEDURES, PlaceService.SAFE_USE],
        phone="0344000000",
        booking_url="https://rdv.example.fr/mediatheque",
        advisors=under_contract(structure,
                                make.advisor(first_name="Inès", last_name="Martinez"),
                                make.advisor(first_name="Paul", last_name="Lefebvre")))
    far = make.service_point(
        structure, name="Maison France services", commune=communes["Compiègne"],
        latitude=49.417, longitude=2.826, access=ServicePoint.Access.APPOINTMENT,
        services=[PlaceService.EVERYDAY_TOOLS])
    hidden = make.service_point(structure, name="Bureau interne", latitude=49.43,
                                longitude=2.08, is_public=False)
    for day in range(5):  # the near one opens weekday mornings, the far one Tuesday only
        OpeningRange.objects.create(service_point=near, weekday=day, period="am",
                                    opens=time(9), closes=time(12))
        OpeningRange.objects.create(service_point=hidden, weekday=day, period="am",
                                    opens=time(9), closes=time(12))
    OpeningRange.objects.create(service_point=far, weekday=1, period="pm",
                                opens=time(14), closes=time(17, 30))
    return {"near": near, "far": far, "hidden": hidden}


@pytest.fixture
def monday_morning(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10_AM)


def names(response):
    return re.findall(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>',
                      response.content.decode())


def test_a_commune_lists_the_nearest_first_with_its_distance(places, monday_morning):
    # Within 20 km by default: Compiègne's place, 54 km away, is not listed.
    response = Client().get("/conseillers/", {"q": "Beauvais"})
    assert response.status_code == 200
    assert names(response) == ["Médiathèque du centre"]
    page = response.content.decode()
    assert "à 0,7 km" in page
    assert "1 lieu à moins de 20 km de Beauvais (60)" in page
    assert "Ouvert maintenant" in page


def test_hidden_service_points_never_appear(places, monday_morning):
    for query in [{}, {"q": "Beauvais"}, {"q": "Beauvais", "open_now": "on"}]:
        response = Client().get("/conseillers/", query)
        assert "Bureau interne" not in response.content.decode()
    assert Client().get(f"/conseillers/{places['hidden'].pk}/").status_code == 404
    data = json.loads(re.search(r'id="directory-map-data"[^>]*>(.*?)</script>',
                                Client().get("/conseillers/").content.decode()).group(1))
    assert {m["name"] for m in data["markers"]} == {"Médiathèque du centre",
                                                    "Maison France services"}


def test_a_postal_code_or_an_autocomplete_label_finds_the_commune(places):
    for query in [{"q": "60000"}, {"q": "Beauvais (60)"}, {"q": "x", "commune": "60057"}]:
        response = Client().get("/conseillers/", query)
        assert "de Beauvais (60)" in response.content.decode(), query
        assert names(response)[0] == "Médiathèque du centre"


def test_without_javascript_an_ambiguous_search_offers_a_select_of_communes(places, communes):
    make.geography()
    from territories.models import Commune
    Commune.objects.create(insee_code="60058", name="Beauvoir", department=communes[
        "Beauvais"].department, population=300)
    response = Client().get("/conseillers/", {"q": "beau"})
    page = response.content.decode()
    assert 'name="commune"' in page and "Précisez la commune" in page
    assert '<option value="60057">Beauvais (60)' in page
    assert "Médiathèque" not in page
    page = Client().get("/conseillers/", {"q": "zzzz"}).content.decode()
    assert "Aucune commune ne correspond" in page


def test_filters_service_access_weekday_and_open_now(places, monday_morning):
    def listed(**query):
        return names(Client().get("/conseillers/", {"q": "Beauvais", **query}))

    assert listed(service=PlaceService.EVERYDAY_TOOLS) == ["Maison France services"]
    assert listed(service=PlaceService.SAFE_USE) == ["Médiathèque du centre"]
    assert listed(access="appointment") == ["Maison France services"]
    assert listed(weekday="1") == ["Médiathèque du centre"]  # Compiègne's is 54 km away
    assert listed(weekday="5") == []
    assert listed(open_now="on") == ["Médiathèque du centre"]
    Closure.objects.create(service_point=places["near"], start=MONDAY_10_AM.date(),
                           end=MONDAY_10_AM.date() + timedelta(days=2), reason="Travaux")
    assert listed(open_now="on") == []


def test_nothing_is_open_on_a_public_holiday(places):
    christmas = datetime(2026, 12, 25, 10, 0, tzinfo=PARIS)  # a Friday
    assert list(queries.service_points(open_now=True, now=christmas)) == []
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=PARIS)
    assert [p.name for p in queries.service_points(open_now=True, now=friday)] == [
        "Médiathèque du centre"]


def test_a_local_holiday_closes_only_its_departments(places):
    # 26 December is a holiday in Alsace-Moselle only (a Saturday in 2026: use 2025, Friday).
    st_stephen = datetime(2025, 12, 26, 10, 0, tzinfo=PARIS)
    _, closed = queries.closed_departments_today(st_stephen.date())
    assert {"57", "67", "68"} <= closed and "60" not in closed
    assert [p.name for p in queries.service_points(open_now=True, now=st_stephen)] == [
        "Médiathèque du centre"]


def test_results_are_paginated(places, structure):
    for n in range(12):
        make.service_point(structure, name=f"Lieu {n:02d}", latitude=49.5 + n / 100,
                           longitude=2.08)
    first = Client().get("/conseillers/", {"q": "Beauvais"})
    assert len(names(first)) == 10
    assert "page=2" in first.content.decode()
    second = Client().get("/conseillers/", {"q": "Beauvais", "page": 2, "rayon_km": 50})
    assert names(second) == ["Lieu 09", "Lieu 10", "Lieu 11"]  # Compiègne's: 54 km


def test_a_commune_without_coordinates_measures_from_its_service_points(places, communes):
    beauvais = communes["Beauvais"]
    beauvais.latitude = beauvais.longitude = None
    beauvais.save()
    response = Client().get("/conseillers/", {"q": "Beauvais"})
    page = response.content.decode()
    assert names(response) == ["Médiathèque du centre"]
    assert "à 0,0 km" in page and "Distances mesurées depuis les lieux de la commune" in page


def test_without_a_search_every_public_point_is_listed_by_commune(places):
    assert names(Client().get("/conseillers/")) == ["Médiathèque du centre",
                                                    "Maison France services"]


def test_the_map_gets_the_tile_url_setting_and_the_page_has_no_inline_script(places,
                                                                            settings):
    settings.DIRECTORY_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = Client().get("/conseillers/", {"q": "Beauvais"}).content.decode()
    data = json.loads(re.search(r'id="directory-map-data"[^>]*>(.*?)</script>', page)
                      .group(1))
    assert data["tiles"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert data["origin"] == [49.43, 2.08]
    assert data["markers"][0]["distance"] == "à 0,7 km"
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "/static/advisors/directory.js" in page
    for tag in re.findall(r"<script\b[^>]*>", page):
        if "directory" in tag or "leaflet" in tag or "application/json" in tag:
            assert "src=" in tag or 'type="application/json"' in tag


def test_the_service_point_page(places, monday_morning):
    near = places["near"]
    Closure.objects.create(service_point=near, start=date(2026, 12, 24), end=date(2026, 12, 31),
                           reason="Congés")
    Closure.objects.create(service_point=near, start=date(2026, 1, 1), end=date(2026, 1, 2))
    response = Client().get(f"/conseillers/{near.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Médiathèque du centre" in page and "1 rue de la Poste, Beauvais (60)" in page
    assert "Accès libre" in page
    assert "Aide aux démarches administratives" in page
    assert "Usage sécurisé du numérique" in page
    assert "Lundi" in page and "9 h – 12 h" in page and "Samedi" in page
    assert "Mo-Fr 09:00-12:00" in page  # for reusers, folded away from residents
    assert re.search(r"<details[^>]*data-osm-hours>\s*<summary>Pour les réutilisateurs", page)
    assert "Fermé du 24 décembre 2026 au 31 décembre 2026" in page and "Congés" in page
    assert "2 janvier 2026" not in page  # past closures are not shown
    assert "Ouvert maintenant" in page
    assert "tel:0344000000" in page and "https://rdv.example.fr/mediatheque" in page
    assert f"webcal://testserver/calendrier/lieux/{near.pk}.ics" in page
    assert f"http://testserver/calendrier/lieux/{near.pk}.ics" in page
    assert "Inès, Paul" in page
    assert "Martinez" not in page and "Lefebvre" not in page


def test_the_service_point_page_says_closed_outside_hours(places, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10_AM + timedelta(hours=4))
    page = Client().get(f"/conseillers/{places['far'].pk}/").content.decode()
    assert "Fermé maintenant" in page and "Sur rendez-vous" in page
    assert "Mardi" in page and "14 h – 17 h 30" in page


def test_a_wrong_filter_value_is_ignored_and_the_others_still_apply(places):
    response = Client().get("/conseillers/", {"q": "Beauvais", "weekday": "9",
                                              "access": "appointment"})
    assert response.status_code == 200
    assert names(response) == ["Maison France services"]


def test_the_directory_reads_a_bounded_number_of_queries(places, structure,
                                                         django_assert_max_num_queries):
    # The page of results is ranked on the service points alone, then its rows are loaded
    # with their commune, structure, hours, closures and advisors.
    with django_assert_max_num_queries(13):
        Client().get("/conseillers/", {"q": "Beauvais"})
    for n in range(8):
        point = make.service_point(structure, name=f"Lieu {n}", latitude=49.5, longitude=2.1,
                                   advisors=under_contract(structure, make.advisor()))
        OpeningRange.objects.create(service_point=point, weekday=0, period="am",
                                    opens=time(9), closes=time(12))
        Closure.objects.create(service_point=point, start=date(2030, 1, 1),
                               end=date(2030, 1, 2))
    with django_assert_max_num_queries(13):
        Client().get("/conseillers/", {"q": "Beauvais"})


def test_anonymous_searches_are_kept_until_a_service_point_changes(
        places, monday_morning, django_capture_on_commit_callbacks, django_assert_num_queries):
    client = Client()
    client.get("/conseillers/")  # the first page ever shown creates the site's menu settings
    first = client.get("/conseillers/", {"q": "Beauvais"})
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        again = client.get("/conseillers/", {"q": "Beauvais"})
    assert again["X-Page-Cache"] == "hit" and names(again) == names(first)
    with django_capture_on_commit_callbacks(execute=True):
        places["near"].name = "Médiathèque du centre-ville"
        places["near"].save()
    assert "Médiathèque du centre-ville" in names(
        client.get("/conseillers/", {"q": "Beauvais"}))
    page = f"/conseillers/{places['near'].pk}/"
    assert client.get(page)["X-Page-Cache"] == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        OpeningRange.objects.filter(service_point=places["near"], weekday=0).delete()
    assert client.get(page)["X-Page-Cache"] == "miss"  # new hours: rendered again


def test_signed_in_visitors_and_hidden_points_are_never_kept(places, communes):
    signed_in = Client()
    signed_in.force_login(make.user(email="habitant@beauvais.fr"))
    assert "X-Page-Cache" not in signed_in.get("/conseillers/", {"q": "Beauvais"})
    hidden = f"/conseillers/{places['hidden'].pk}/"
    for _ in range(2):
        response = Client().get(hidden)
        assert response.status_code == 404 and "X-Page-Cache" not in response
