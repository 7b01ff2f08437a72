"""A service point's opening hours as a subscribable calendar: weekly events that skip
public holidays (Alsace-Moselle's too) and declared closures, the OSM hours line, the
advisor's personal feed, and hidden service points kept out."""

from datetime import date, time, timedelta

import holidays
import pytest
import recurring_ical_events
import vobject
from dateutil.easter import easter
from icalendar import Calendar

from advisors import services
from advisors.calendar import hours_in_words, osm_hours
from calendars.events import make_uid
from calendars.models import CalendarToken
from territories.models import Commune, Department, Region
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db

WEEK = [{"weekday": 0, "period": "am", "opens": time(9), "closes": time(12)},
        {"weekday": 0, "period": "pm", "opens": time(14), "closes": time(17)},
        {"weekday": 4, "period": "am", "opens": time(9), "closes": time(12)}]


@pytest.fixture
def place():
    communes = make.geography()
    manager = make.user()
    structure = make.validated_structure(communes["Beauvais"], manager=manager)
    point = make.service_point(structure, latitude=49.43, longitude=2.08,
                               address="Médiathèque, 2 rue de la Poste")
    services.set_opening_hours(point, WEEK, manager)
    point.refresh_from_db()
    return point, manager


def fetch(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        vobject.readOne(response.content.decode())
        return Calendar.from_ical(response.content)
    return response


def occurrences(calendar, first, last):
    return recurring_ical_events.of(calendar).between(first, last)


def test_feed_has_one_weekly_event_per_opening_range(client, place):
    point, _ = place
    calendar = fetch(client, f"/calendrier/lieux/{point.pk}.ics")
    events = calendar.events
    assert sorted(str(e["UID"]) for e in events) == sorted(
        make_uid(f"permanence-{point.pk}", key) for key in ("0-am", "0-pm", "4-am"))
    for event in events:
        assert event["RRULE"]["FREQ"] == ["WEEKLY"]
        assert event["GEO"].latitude == 49.43
        assert "Beauvais (60)" in event["LOCATION"]
    assert "Mo 09:00-12:00,14:00-17:00; Fr 09:00-12:00; PH off" in events[0]["DESCRIPTION"]


def may_next_year():
    """May of next year, with its Whit Monday: always ahead of the feed's anchor (today) and
    within its year of holidays."""
    year = date.today().year + 1
    whit_monday = next(day for day, name in holidays.France(years=year, language="fr").items()
                       if name == "Lundi de Pentecôte")
    return year, whit_monday


def test_a_month_with_a_holiday_and_a_closure_expands_correctly(client, place):
    point, manager = place
    year, whit_monday = may_next_year()
    # Closed for the first full week of May that has no public holiday on its Monday.
    first_monday = next(date(year, 5, d) for d in range(1, 8) if date(year, 5, d).weekday() == 0)
    closure = (first_monday + timedelta(days=7), first_monday + timedelta(days=11))
    services.add_closure(point, manager, start=closure[0], end=closure[1], reason="Inventaire")
    calendar = fetch(client, f"/calendrier/lieux/{point.pk}.ics")
    found = occurrences(calendar, date(year, 5, 1), date(year, 6, 1))
    public = set(holidays.France(years=year))
    expected = sorted(
        d for d in (date(year, 5, n) for n in range(1, 32))
        if d.weekday() in (0, 4) and d not in public and not closure[0] <= d <= closure[1])
    assert sorted(o.start.date() for o in found if o.start.hour == 9) == expected
    assert whit_monday not in {o.start.date() for o in found}
    assert date(year, 5, 1) not in {o.start.date() for o in found}  # Labour Day, if Mon/Fri
    mondays = [d for d in expected if d.weekday() == 0]
    assert sorted(o.start.date() for o in found if o.start.hour == 14) == mondays
    assert all(str(o.start.tzinfo) == "Europe/Paris" for o in found)


def test_moselle_service_point_is_closed_on_good_friday(client):
    region = Region.objects.create(code="44", name="Grand Est")
    moselle = Department.objects.create(code="57", name="Moselle", region=region)
    metz = Commune.objects.create(insee_code="57463", name="Metz", department=moselle)
    manager = make.user()
    point = make.service_point(make.validated_structure(metz, manager=manager))
    services.set_opening_hours(point, [WEEK[2]], manager)  # Fridays
    calendar = fetch(client, f"/calendrier/lieux/{point.pk}.ics")
    year = date.today().year + 1
    good_friday = easter(year) - timedelta(days=2)
    fridays = [o.start.date() for o in occurrences(
        calendar, good_friday - timedelta(days=7), good_friday + timedelta(days=8))]
    assert fridays == [good_friday - timedelta(days=7), good_friday + timedelta(days=7)]


def test_changing_hours_raises_the_sequence(client, place):
    point, manager = place
    before = fetch(client, f"/calendrier/lieux/{point.pk}.ics").events[0]["SEQUENCE"]
    services.set_opening_hours(point, WEEK[:2], manager)
    events = fetch(client, f"/calendrier/lieux/{point.pk}.ics").events
    assert len(events) == 2
    assert all(e["SEQUENCE"] > before for e in events)


def test_conditional_get_on_a_service_point(client, place):
    point, manager = place
    first = client.get(f"/calendrier/lieux/{point.pk}.ics")
    fetch(client, f"/calendrier/lieux/{point.pk}.ics", 304, HTTP_IF_NONE_MATCH=first["ETag"])
    services.add_closure(point, manager, start=date.today() + timedelta(days=7))
    assert client.get(f"/calendrier/lieux/{point.pk}.ics",
                      HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_hidden_service_points_have_no_public_feed(client, place):
    point, _ = place
    point.is_public = False
    point.save()
    fetch(client, f"/calendrier/lieux/{point.pk}.ics", 404)
    fetch(client, "/calendrier/lieux/999999.ics", 404)


def test_hours_as_osm_line_and_in_words(place):
    point, _ = place
    assert osm_hours(point) == "Mo 09:00-12:00,14:00-17:00; Fr 09:00-12:00; PH off"
    words = dict(hours_in_words(point))
    assert words["Lundi"] == "9 h – 12 h et 14 h – 17 h"
    assert words["Mardi"] == "fermé"


def test_advisor_personal_feed_lists_their_service_points_only(client, place):
    point, manager = place
    account = make.user()
    advisor = make.advisor(account)
    make.contract(point.structure, advisor)
    point.advisors.add(advisor)
    elsewhere = make.service_point(point.structure)
    services.set_opening_hours(elsewhere, WEEK[:1], manager)
    token = CalendarToken.objects.for_user(account).token
    calendar = fetch(client, f"/calendrier/perso/{token}.ics")
    assert {str(e["UID"]).split("-")[1] for e in calendar.events} == {str(point.pk)}
    stranger = CalendarToken.objects.for_user(make.user()).token
    assert fetch(client, f"/calendrier/perso/{stranger}.ics").events == []
