"""The directory's radius (5, 10, 20 or 50 km; 20 by default), widened with a notice when
nothing is that close; "Autour de moi" from the browser's position (kept nowhere);
overseas communes; and each result saying until when it is open."""

import re
from datetime import datetime, time

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from advisors.models import OpeningRange, ServicePoint
from calendars.dates import NBSP
from calendars.ical import PARIS
from territories.models import Commune, Department, Region
from territories.text import of_place

from . import factories as make

pytestmark = pytest.mark.django_db

MONDAY_10_AM = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def places(communes, structure):
    """Four places due north of Beauvais's centre (49.43, 2.08), 3, 7, 15 and 48 km away
    (a degree of latitude is 111.2 km)."""
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude = 49.43, 2.08
    beauvais.save()
    made = {}
    for km in (48, 15, 7, 3):
        made[km] = make.service_point(structure, name=f"Lieu à {km} km",
                                      latitude=49.43 + km / 111.19, longitude=2.08)
    return made


def names(response):
    assert response.status_code == 200
    return re.findall(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>',
                      response.content.decode())


def search(**query):
    return Client().get("/conseillers/", query)


def test_the_default_radius_is_20_km_nearest_first_with_distances(places):
    response = search(q="Beauvais")
    assert names(response) == ["Lieu à 3 km", "Lieu à 7 km", "Lieu à 15 km"]
    page = response.content.decode()
    assert "à 3,0 km" in page and "à 7,0 km" in page and "à 15,0 km" in page
    assert "3 lieux à moins de 20 km de Beauvais (60)" in page
    assert '<option value="20" selected>Moins de 20 km</option>' in page


def test_a_chosen_radius_keeps_only_the_places_that_close(places):
    assert names(search(q="Beauvais", rayon_km=5)) == ["Lieu à 3 km"]
    assert names(search(q="Beauvais", rayon_km=10)) == ["Lieu à 3 km", "Lieu à 7 km"]
    assert names(search(q="Beauvais", rayon_km=50)) == [
        "Lieu à 3 km", "Lieu à 7 km", "Lieu à 15 km", "Lieu à 48 km"]


def test_nothing_within_the_radius_shows_the_nearest_with_a_notice(places):
    ServicePoint.objects.exclude(pk=places[48].pk).delete()
    response = search(q="Beauvais", rayon_km=20)
    assert names(response) == ["Lieu à 48 km"]
    page = response.content.decode()
    assert "Aucun lieu à moins de 20 km ; voici les plus proches, à 48 km." in page
    assert "Le lieu le plus proche de Beauvais (60)" in page
    assert "enlever un filtre" not in page


def test_a_place_far_beyond_the_widening_steps_is_still_offered_as_the_nearest(places):
    # Brest has no place within 300 km: the nearest, anywhere, is shown with its distance.
    ServicePoint.objects.all().delete()
    far = make.service_point(places[3].structure, name="Lieu lointain",
                             latitude=49.43 + 640 / 111.19, longitude=2.08)
    response = search(q="Beauvais")
    assert names(response) == [far.name]
    page = response.content.decode()
    assert "Aucun lieu à moins de 20 km ; voici les plus proches, à 640 km." in page
    assert "Le lieu le plus proche de Beauvais (60)" in page
    assert "Aucun lieu ne correspond" not in page and "enlever un filtre" not in page


def test_the_widened_heading_names_the_nearest_places_with_french_elision(places):
    ServicePoint.objects.filter(pk__in=[places[3].pk, places[7].pk, places[15].pk]).delete()
    make.service_point(places[48].structure, name="Lieu à 49 km",
                       latitude=49.43 + 49 / 111.19, longitude=2.08)
    page = search(q="Beauvais", rayon_km=5).content.decode()
    assert "Les 2 lieux les plus proches de Beauvais (60)" in page
    assert "à moins de 60 km" not in page
    assert [of_place(n) for n in ("Aurillac (15)", "Brest (29)", "Les Abymes", "Le Havre",
                                  "Évreux")] == [
        "d'Aurillac (15)", "de Brest (29)", "des Abymes", "du Havre", "d'Évreux"]


def test_only_a_search_with_filters_is_advised_to_remove_one(places):
    ServicePoint.objects.all().delete()
    page = search(q="Beauvais", service="aide-aux-demarches-administratives").content.decode()
    assert "Aucun lieu à moins de 20 km de Beauvais (60)" in page
    assert "Essayez d'enlever un filtre." in page


def test_filters_apply_within_the_radius_and_when_it_widens(places):
    OpeningRange.objects.create(service_point=places[15], weekday=5, period="am",
                                opens=time(9), closes=time(12))
    OpeningRange.objects.create(service_point=places[48], weekday=6, period="am",
                                opens=time(9), closes=time(12))
    assert names(search(q="Beauvais", weekday=5)) == ["Lieu à 15 km"]
    response = search(q="Beauvais", weekday=6, rayon_km=10)
    assert names(response) == ["Lieu à 48 km"]
    assert "Aucun lieu à moins de 10 km" in response.content.decode()


@pytest.mark.parametrize("query", [
    {"rayon_km": "abc"}, {"rayon_km": "7"}, {"rayon_km": "-5"}, {"rayon_km": "1e309"},
    {"lat": "999", "lon": "2"}, {"lat": "abc", "lon": "2"}, {"lat": "nan", "lon": "inf"},
    {"lat": "49.4"}, {"lon": "2.08"}, {"lat": "49.4", "lon": "-999"},
])
def test_a_wrong_radius_or_position_is_ignored_never_an_error(places, query):
    response = search(q="Beauvais", **query)
    assert response.status_code == 200
    assert names(response) == ["Lieu à 3 km", "Lieu à 7 km", "Lieu à 15 km"]
    if "lat" in query or "lon" in query:
        assert "Votre position n'a pas pu être lue : indiquez votre commune." in (
            response.content.decode())


def test_around_me_measures_from_the_visitors_position_and_keeps_it_nowhere(places):
    where = {"lat": f"{49.43 + 7 / 111.19:.3f}", "lon": "2.080", "rayon_km": "5"}
    response = search(**where)
    assert names(response) == ["Lieu à 7 km", "Lieu à 3 km"]
    page = response.content.decode()
    assert "à 0,0 km" in page and "2 lieux à moins de 5 km de vous" in page
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response and "X-Page-Cache" not in search(**where)
    # The browser may ask the position on this page only (Permissions-Policy).
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert "geolocation=()" in Client().get("/formations/")["Permissions-Policy"]
    # Without a position, the commune's search is kept for everyone as before.
    search(q="Beauvais")
    assert search(q="Beauvais")["X-Page-Cache"] == "hit"


def test_an_overseas_commune_finds_its_places_and_their_local_hours(structure, monkeypatch):
    region = Region.objects.create(code="01", name="Guadeloupe")
    department = Department.objects.create(code="971", name="Guadeloupe", region=region)
    pointe = Commune.objects.create(insee_code="97120", name="Pointe-à-Pitre",
                                    department=department, population=15000,
                                    latitude=16.2411, longitude=-61.5331,
                                    postal_codes=["97110"])
    point = make.service_point(structure, name="Cyber-base de Pointe-à-Pitre",
                               commune=pointe, latitude=16.2397, longitude=-61.5341)
    OpeningRange.objects.create(service_point=point, weekday=0, period="am",
                                opens=time(9), closes=time(12))
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10_AM)  # 5:00 in Guadeloupe
    for query in ({"q": "Pointe-à-Pitre"}, {"q": "97110"}, {"commune": "97120"}):
        response = search(**query)
        assert names(response) == ["Cyber-base de Pointe-à-Pitre"], query
        page = response.content.decode()
        assert "à 0,2 km" in page and "de Pointe-à-Pitre (971)" in page
        assert f"Ouvre à{NBSP}9{NBSP}h" in page  # Guadeloupe's 9 h, not Paris's


def test_results_say_until_when_a_place_is_open(places, monkeypatch):
    OpeningRange.objects.create(service_point=places[3], weekday=0, period="am",
                                opens=time(9), closes=time(12))
    OpeningRange.objects.create(service_point=places[7], weekday=1, period="am",
                                opens=time(9), closes=time(12))
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10_AM)
    page = search(q="Beauvais").content.decode()
    assert f"Ferme à{NBSP}12{NBSP}h" in page
    assert f"Ouvre demain à{NBSP}9{NBSP}h" in page
    assert "Horaires non communiqués" in page
    detail = Client().get(f"/conseillers/{places[3].pk}/").content.decode()
    assert f"Ferme à{NBSP}12{NBSP}h" in detail


def test_the_api_takes_a_radius_around_a_commune_or_a_point(places, client):
    def api(**params):
        response = client.get(f"{API}/lieux", params)
        return response.status_code, response.json()

    status, body = api(commune="60057", rayon_km=10)
    assert status == 200 and [i["nom"] for i in body["items"]] == ["Lieu à 3 km",
                                                                   "Lieu à 7 km"]
    assert body["items"][0]["distance_km"] == pytest.approx(3.0, abs=0.05)
    status, body = api(near="49.43,2.08", rayon_km=20)
    assert [i["nom"] for i in body["items"]] == ["Lieu à 3 km", "Lieu à 7 km", "Lieu à 15 km"]
    for params in ({"near": "49.43,2.08", "rayon_km": "abc"}, {"rayon_km": "10"},
                   {"commune": "60057", "rayon_km": "-1"}, {"near": "999,2"},
                   {"commune": "99999", "rayon_km": "5"}):
        status, body = api(**params)
        assert status == 400, params
        assert body["detail"] and "valeur invalide" in body["detail"] or "rayon_km" in body[
            "detail"] or "latitude" in body["detail"] or "commune" in body["detail"], body


def test_open_now_reads_each_places_own_clock_across_the_country(places, structure):
    from advisors.directory import queries

    region = Region.objects.create(code="01", name="Guadeloupe")
    department = Department.objects.create(code="971", name="Guadeloupe", region=region)
    pointe = Commune.objects.create(insee_code="97120", name="Pointe-à-Pitre",
                                    department=department, population=15000,
                                    latitude=16.2411, longitude=-61.5331)
    overseas = make.service_point(structure, name="Cyber-base", commune=pointe,
                                  latitude=16.24, longitude=-61.53)
    for point in (overseas, places[3]):
        OpeningRange.objects.create(service_point=point, weekday=0, period="am",
                                    opens=time(9), closes=time(12))
    paris_10_am = MONDAY_10_AM  # 5:00 in Guadeloupe
    paris_2_30_pm = datetime(2026, 11, 23, 14, 30, tzinfo=PARIS)  # 9:30 in Guadeloupe
    open_at = {moment: [p.name for p in queries.service_points(open_now=True, now=moment)]
               for moment in (paris_10_am, paris_2_30_pm)}
    assert open_at == {paris_10_am: ["Lieu à 3 km"], paris_2_30_pm: ["Cyber-base"]}
