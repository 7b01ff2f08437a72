""""Autour de moi" answers kept a minute in the process (advisors/directory/near_me.py): the
position rounded to about 100 m and searched from the rounded point, so a kept page is exactly
the one rendered; renewed at once by every change the page shows, and by the clock; answered
early by the page cache's middleware (before sessions and authentication), with the headers
of the rendered answer and a nonce of its own."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.utils import timezone

from advisors import signals
from advisors.directory import near_me
from advisors.models import Closure, OpeningRange, ServicePoint
from advisors.services.places import set_opening_hours
from calendars.dates import NBSP
from calendars.ical import PARIS

from . import factories as make

pytestmark = pytest.mark.django_db

MONDAY_10_AM = datetime(2026, 11, 23, 10, 0, 20, tzinfo=PARIS)
# Two visitors 30 m apart, in the same cell of the grid (49.430, 2.080).
HERE = {"lat": "49.43012", "lon": "2.08031", "rayon_km": "10"}
NEIGHBOUR = {"lat": "49.4299", "lon": "2.0797", "rayon_km": "10"}


@pytest.fixture(autouse=True)
def empty_memory():
    near_me.ANSWERS.clear()
    yield
    near_me.ANSWERS.clear()


@pytest.fixture
def clock(monkeypatch):
    moment = {"now": MONDAY_10_AM}
    monkeypatch.setattr(timezone, "now", lambda: moment["now"])
    return moment


@pytest.fixture
def places(communes, structure, clock):
    """Three staffed places north of (49.43, 2.08): 2, 4 and 8 km away, open Monday
    morning 9:00–12:00 (the farthest also Tuesday)."""
    made = {}
    for km in (8, 4, 2):
        advisor = make.advisor(first_name=f"Conseiller {km}")
        make.contract(structure, advisor)
        made[km] = make.service_point(structure, name=f"Lieu à {km} km",
                                      latitude=49.43 + km / 111.19, longitude=2.08,
                                      advisors=[advisor])
        OpeningRange.objects.create(service_point=made[km], weekday=0, period="am",
                                    opens=time(9), closes=time(12))
    OpeningRange.objects.create(service_point=made[8], weekday=1, period="am",
                                opens=time(9), closes=time(12))
    return made


def names(response):
    assert response.status_code == 200
    return re.findall(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>',
                      response.content.decode())


def without_nonce(response):
    return re.sub(r'nonce="[^"]+"', 'nonce=""', response.content.decode())


def search(client=None, **query):
    return (client or Client()).get("/conseillers/", query)


def served_early(response):
    """Answered by cms.page_cache's middleware from near_me's memory: neither sessions nor
    authentication ran for that request (and the shared cache's header is not sent)."""
    assert "X-Page-Cache" not in response
    return not hasattr(response.wsgi_request, "user")


def nonce_of(response):
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode())[1]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    return nonce


def headers_but_nonce(response):
    return {name: value.replace(nonce_of(response), "") for name, value in response.items()
            if name not in ("X-Page-Cache", "X-Request-ID")}


def test_neighbours_in_one_cell_get_the_same_page_the_second_from_memory(
        places, django_assert_num_queries):
    first = search(**HERE)
    assert names(first) == ["Lieu à 2 km", "Lieu à 4 km", "Lieu à 8 km"]
    with django_assert_num_queries(0):
        second = search(**NEIGHBOUR)
    assert not served_early(first) and served_early(second)
    # The very answer the view gave (body and headers), but for the nonce: each answer carries
    # its own CSP nonce, and is never stored by a browser or a proxy.
    assert without_nonce(second) == without_nonce(first)
    assert headers_but_nonce(second) == headers_but_nonce(first)
    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The page echoes the rounded position, never the visitor's own.
    page = first.content.decode()
    assert "49.43012" not in page and "2.08031" not in page and "2.0797" not in page
    assert 'name="lat" value="49.43"' in page and 'name="lon" value="2.08"' in page


def test_a_kept_answer_is_the_page_rendered_without_the_memory(places):
    kept = search(**HERE, service="aide-aux-demarches-administratives", weekday="0")
    again = search(**NEIGHBOUR, service="aide-aux-demarches-administratives", weekday="0")
    near_me.ANSWERS.clear()
    rendered = search(**NEIGHBOUR, service="aide-aux-demarches-administratives", weekday="0")
    assert served_early(again) and not served_early(rendered)
    assert without_nonce(kept) == without_nonce(again) == without_nonce(rendered)
    assert headers_but_nonce(again) == headers_but_nonce(rendered)
    assert f"Ferme à{NBSP}12{NBSP}h" in rendered.content.decode()


def test_distances_are_measured_from_the_rounded_point(places):
    page = search(lat="49.4304", lon="2.0796", rayon_km="5").content.decode()
    # 2 km exactly from (49.430, 2.080), not 1.96 km from the raw position.
    assert "à 2,0 km" in page and "à 4,0 km" in page


def test_every_change_the_page_shows_is_shown_at_once(places, structure, manager,
                                                      django_capture_on_commit_callbacks):
    def shown():
        return names(search(**NEIGHBOUR))

    def page():
        return search(**NEIGHBOUR).content.decode()

    def changed():
        return django_capture_on_commit_callbacks(execute=True)

    assert shown() == ["Lieu à 2 km", "Lieu à 4 km", "Lieu à 8 km"]
    assert served_early(search(**NEIGHBOUR))  # what the next lookups would have answered
    with changed():  # a place added
        advisor = make.advisor()
        make.contract(structure, advisor)
        make.service_point(structure, name="Lieu à 1 km", latitude=49.43 + 1 / 111.19,
                           longitude=2.08, advisors=[advisor])
    assert shown() == ["Lieu à 1 km", "Lieu à 2 km", "Lieu à 4 km", "Lieu à 8 km"]
    with changed():  # a place moved beyond the radius
        moved = ServicePoint.objects.get(name="Lieu à 1 km")
        moved.latitude = 49.43 + 30 / 111.19
        moved.save()
    assert shown() == ["Lieu à 2 km", "Lieu à 4 km", "Lieu à 8 km"]
    with changed():  # a place hidden by its structure
        places[4].is_public = False
        places[4].save()
    assert shown() == ["Lieu à 2 km", "Lieu à 8 km"]
    with changed():  # the only advisor of a place left: the place leaves the directory
        contract = places[8].advisors.get().contracts.get()
        contract.end = timezone.localdate() - timedelta(days=1)
        contract.save()
    assert shown() == ["Lieu à 2 km"]
    assert f"Ferme à{NBSP}12{NBSP}h" in page()
    with changed():  # hours replaced by the hours form (bulk writes, no post_save)
        set_opening_hours(places[2], [(0, "am", "09:00", "11:00")], manager)
    assert f"Ferme à{NBSP}11{NBSP}h" in page()
    with changed():  # a bulk update announced like the geocoder's
        OpeningRange.objects.filter(service_point=places[2]).update(closes=time(10, 30))
        signals.records_bulk_changed.send(sender=OpeningRange, model=OpeningRange)
    assert f"Ferme à{NBSP}10{NBSP}h{NBSP}30" in page()
    with changed():  # closed today
        Closure.objects.create(service_point=places[2], start=date(2026, 11, 23),
                               end=date(2026, 11, 24), reason="Inventaire")
    assert "Fermé maintenant" in page() and "Fermeture exceptionnelle" in page()


def test_open_labels_and_the_open_now_filter_follow_the_clock(places, clock):
    page = search(**NEIGHBOUR, open_now="on").content.decode()
    assert f"Ferme à{NBSP}12{NBSP}h" in page and "3 lieux" in page
    clock["now"] = datetime(2026, 11, 23, 11, 59, 59, tzinfo=PARIS)
    assert "3 lieux" in search(**NEIGHBOUR, open_now="on").content.decode()
    clock["now"] = datetime(2026, 11, 23, 12, 0, 0, tzinfo=PARIS)
    assert "Aucun lieu" in search(**NEIGHBOUR, open_now="on").content.decode()
    page = search(**NEIGHBOUR).content.decode()
    assert "Ouvert maintenant" not in page.split("directory-results", 1)[1]
    assert f"Ouvre demain à{NBSP}9{NBSP}h" in page  # the 8 km one, on Tuesday
    clock["now"] = datetime(2026, 11, 24, 9, 0, 0, tzinfo=PARIS)
    assert names(search(**NEIGHBOUR, open_now="on")) == ["Lieu à 8 km"]


def test_a_page_holds_until_a_place_listed_opens_or_closes_or_the_day_turns(
        places, clock, django_assert_num_queries):
    first = search(**NEIGHBOUR)  # Monday 10:00: open until 12 h
    assert f"Ferme à{NBSP}12{NBSP}h" in first.content.decode()
    clock["now"] = datetime(2026, 11, 23, 11, 59, 59, tzinfo=PARIS)
    with django_assert_num_queries(0):
        assert without_nonce(search(**NEIGHBOUR)) == without_nonce(first)
    clock["now"] = datetime(2026, 11, 23, 12, 0, 0, tzinfo=PARIS)
    page = search(**NEIGHBOUR).content.decode()
    assert f"Ferme à{NBSP}12{NBSP}h" not in page
    assert f"Ouvre demain à{NBSP}9{NBSP}h" in page  # the 8 km one, on Tuesday
    clock["now"] = datetime(2026, 11, 23, 23, 59, 30, tzinfo=PARIS)
    with django_assert_num_queries(0):
        assert f"Ouvre demain à{NBSP}9{NBSP}h" in search(**NEIGHBOUR).content.decode()
    clock["now"] = datetime(2026, 11, 24, 0, 0, 0, tzinfo=PARIS)  # the day turns
    page = search(**NEIGHBOUR).content.decode()
    assert f"Ouvre demain à{NBSP}9{NBSP}h" not in page and f"Ouvre à{NBSP}9{NBSP}h" in page


def test_signed_in_visitors_get_their_own_page_never_kept(places, django_assert_num_queries):
    signed_in = Client()
    signed_in.force_login(make.user(email="habitante@beauvais.fr"))
    search(signed_in, **HERE)
    assert len(near_me.ANSWERS) == 0
    search(**HERE)
    assert len(near_me.ANSWERS) == 1
    assert served_early(search(**HERE))
    # A page kept for the cell is never served to a signed-in visitor, nor to one with
    # messages waiting, nor answered to another method than GET.
    own = search(signed_in, **HERE)
    assert not served_early(own) and own.wsgi_request.user.is_authenticated
    with_messages = Client()
    with_messages.cookies["messages"] = "x"
    assert not served_early(search(with_messages, **HERE))
    assert Client().head("/conseillers/", HERE).status_code == 405
    posted = Client().post("/conseillers/?" + "&".join(f"{k}={v}" for k, v in HERE.items()))
    assert posted.status_code == 405
    assert len(near_me.ANSWERS) == 1


@pytest.mark.parametrize("query", [
    {"lat": "999", "lon": "2"}, {"lat": "abc", "lon": "2"}, {"lat": "nan", "lon": "inf"},
    {"lat": "1e309", "lon": "2"}, {"lat": "49.4"}, {"lon": "2.08"},
    {"lat": "49.43", "lon": "-999"},
])
def test_a_wrong_position_is_refused_in_french_and_never_kept(places, query):
    for _ in range(2):  # the second too reaches the view
        response = search(q="Beauvais", **query)
        assert response.status_code == 200 and not served_early(response)
        assert "Votre position n'a pas pu être lue : indiquez votre commune." in (
            response.content.decode())
    assert len(near_me.ANSWERS) == 0


def test_unreadable_input_still_gets_the_french_refusal(places):
    for _ in range(2):
        response = Client().get("/conseillers/?lat=49.43&lon=2.08&q=%00")
        assert response.status_code == 400 and not served_early(response)
        assert "caractère invisible" in response.content.decode()
    assert len(near_me.ANSWERS) == 0
    # A lone surrogate makes no key (nothing kept, nothing looked up), not an error before
    # the refusal.
    request = RequestFactory().get("/conseillers/")
    assert near_me.key(request, QueryDict("lat=1&lon=2&q=\ud800")) is None
    assert near_me.lookup(request) is None


def test_rounding_keeps_what_is_not_a_number_as_it_came():
    query = near_me.with_rounded_position(QueryDict("lat=49.43049&lon=abc&q=Beauvais&lat=nan"))
    assert query.getlist("lat") == ["49.430", "nan"] and query["lon"] == "abc"
    assert query["q"] == "Beauvais"


def test_the_embedded_map_is_kept_per_address_and_renewed_by_a_change(
        places, django_assert_num_queries, django_capture_on_commit_callbacks):
    from advisors.directory import embed

    embed.LOCAL.clear()
    url = "/conseillers/carte-integree/"
    query = {"departement": "60", "service": "aide-aux-demarches-administratives"}
    first = Client().get(url, query)
    with django_assert_num_queries(0):  # the copy of this process: not even Redis
        again = Client().get(url, query)
    assert without_nonce(again) == without_nonce(first)
    nonce = re.search(r"'nonce-([^']+)'", again["Content-Security-Policy"])[1]
    assert f'nonce="{nonce}"' in again.content.decode()
    embed.LOCAL.clear()  # another process reads the shared entry
    with django_assert_num_queries(0):
        assert without_nonce(Client().get(url, query)) == without_nonce(first)
    with django_capture_on_commit_callbacks(execute=True):
        places[2].name = "Médiathèque renommée"
        places[2].save()
    assert "Médiathèque renommée" in Client().get(url, query).content.decode()
