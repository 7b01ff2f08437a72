"""Opening hours: OSM text, French wording, and weekly events that skip public holidays
(with Alsace-Moselle's) and declared closures, checked by expanding them."""

from datetime import UTC, date, datetime, time

import recurring_ical_events
from icalendar import Calendar

from calendars.events import Feed
from calendars.holidays import public_holidays
from calendars.ical import to_ics
from calendars.opening_hours import (
    ClosedPeriod,
    HoursRange,
    describe,
    is_open,
    osm_opening_hours,
    weekly_events,
)

MORNING = (time(9), time(12))
AFTERNOON = (time(14), time(17, 30))


def week(days, *ranges):
    return [HoursRange(d, opens, closes, key=f"{d}-{opens:%H}")
            for d in days for opens, closes in ranges]


def test_osm_string_groups_days_with_the_same_hours():
    ranges = week([0, 1, 2, 4], MORNING, AFTERNOON) + week([5], MORNING)
    assert osm_opening_hours(ranges) == (
        "Mo-We,Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off")


def test_osm_string_for_two_consecutive_days_lists_them():
    assert osm_opening_hours(week([0, 1], MORNING)) == "Mo,Tu 09:00-12:00; PH off"
    assert osm_opening_hours([]) == "closed"


def test_hours_in_french_words():
    lines = dict(describe(week([0], MORNING, AFTERNOON)))
    assert lines["Lundi"] == "9 h – 12 h et 14 h – 17 h 30"
    assert lines["Dimanche"] == "fermé"


def test_alsace_moselle_has_good_friday_and_st_stephen():
    may = public_holidays("57", date(2026, 4, 1), date(2026, 12, 31))
    assert date(2026, 4, 3) in may and date(2026, 12, 26) in may
    assert date(2026, 4, 3) in public_holidays("67", date(2026, 4, 1), date(2026, 4, 30))
    oise = public_holidays("60", date(2026, 4, 1), date(2026, 12, 31))
    assert date(2026, 4, 3) not in oise and date(2026, 12, 26) not in oise
    assert oise[date(2026, 7, 14)] == "Fête nationale"


def expand(events, first, last):
    calendar = Calendar.from_ical(to_ics(Feed(name="x", events=events)))
    return recurring_ical_events.of(calendar).between(first, last)


def test_weekly_events_skip_holidays_and_closures_over_a_month():
    # May 2026: Friday 1st and 8th (Labour day, Victory), Thursday 14th (Ascension),
    # Monday 25th (Whit Monday). The service point also closes 18–20 May.
    events = weekly_events(
        uid_prefix="permanence-5", summary="Permanence numérique",
        ranges=week([0, 3, 4], MORNING), closures=[ClosedPeriod(date(2026, 5, 18),
                                                           date(2026, 5, 20))],
        department_code="60", anchor=date(2026, 4, 15), today=date(2026, 4, 20),
        last_modified=datetime(2026, 4, 15, tzinfo=UTC),
    )
    assert len(events) == 3
    days = sorted(o.start.date().day for o in expand(events, date(2026, 5, 1),
                                                     date(2026, 6, 1)))
    # Mondays 4, 11, (18 closed), (25 holiday); Thursdays 7, (14 holiday), 21, 28;
    # Fridays (1 and 8 holidays), 15, 22, 29.
    assert days == [4, 7, 11, 15, 21, 22, 28, 29]
    occurrence = expand(events, date(2026, 5, 4), date(2026, 5, 5))[0]
    assert occurrence.start.hour == 9 and str(occurrence.start.tzinfo) == "Europe/Paris"


def test_moselle_service_point_is_closed_on_good_friday():
    def fridays(department):
        events = weekly_events(
            uid_prefix="p", summary="p", ranges=week([4], MORNING), closures=[],
            department_code=department, anchor=date(2026, 3, 1), today=date(2026, 3, 1),
            last_modified=datetime(2026, 3, 1, tzinfo=UTC))
        return [o.start.day for o in expand(events, date(2026, 4, 1), date(2026, 4, 11))]

    assert fridays("60") == [3, 10]
    assert fridays("57") == [10]


def test_uids_are_stable_per_range():
    kwargs = dict(uid_prefix="permanence-5", summary="p", ranges=week([0], MORNING),
                  closures=[], department_code="60", today=date(2026, 4, 1),
                  last_modified=datetime(2026, 4, 1, tzinfo=UTC))
    first = weekly_events(anchor=date(2026, 4, 1), **kwargs)
    again = weekly_events(anchor=date(2026, 4, 1), **kwargs)
    assert [e.uid for e in first] == [e.uid for e in again]
    assert first[0].uid.startswith("permanence-5-0-09@")


def test_is_open_respects_hours_holidays_and_closures():
    ranges = week([0], MORNING)
    monday_10 = datetime(2026, 5, 4, 8, tzinfo=UTC)  # 10:00 in Paris
    assert is_open(ranges, [], set(), monday_10)
    assert not is_open(ranges, [], {date(2026, 5, 4)}, monday_10)
    assert not is_open(ranges, [ClosedPeriod(date(2026, 5, 1), date(2026, 5, 10))], set(),
                       monday_10)
    assert not is_open(ranges, [], set(), datetime(2026, 5, 4, 11, tzinfo=UTC))
