"""Calendar names written as RFC 5545 TEXT (commas and semicolons escaped), the refresh
hints Outlook reads, and a span over several days cut into one event per day."""

from datetime import UTC, datetime, time, timedelta

import vobject
from icalendar import Calendar

from calendars.events import Event, Feed, daily_parts, make_uid
from calendars.ical import PARIS, to_ics

CHANGED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def unfolded(ics: bytes) -> list[bytes]:
    return ics.replace(b"\r\n ", b"").split(b"\r\n")


def test_calendar_names_and_description_escape_commas_semicolons_and_backslashes():
    feed = Feed(name="Formations — Urbanisme, logement; Alpes-Maritimes",
                description="Sessions à venir, mises à jour; voir C:\\dossier")
    lines = unfolded(to_ics(feed))
    for prop in (b"NAME", b"X-WR-CALNAME"):
        assert prop + b":Formations \xe2\x80\x94 Urbanisme\\, logement\\; Alpes-Maritimes" \
            in lines
    for prop in (b"DESCRIPTION", b"X-WR-CALDESC"):
        assert prop + b":Sessions \xc3\xa0 venir\\, mises \xc3\xa0 jour\\; voir C:\\\\dossier" \
            in lines
    # Read back by an independent parser, the text is the original one.
    parsed = vobject.readOne(to_ics(feed).decode())
    assert parsed.contents["x-wr-calname"][0].value == feed.name
    assert parsed.contents["name"][0].value == feed.name
    assert parsed.contents["x-wr-caldesc"][0].value == feed.description


def test_every_feed_says_how_often_to_refresh_for_outlook_and_the_others():
    lines = unfolded(to_ics(Feed(name="x", refresh=timedelta(hours=2))))
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT2H" in lines
    assert b"X-PUBLISHED-TTL:PT2H" in lines


def local(y, m, d, h, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=PARIS)


def test_a_two_day_session_is_two_days_with_the_same_hours():
    parts = daily_parts(local(2026, 12, 3, 9), local(2026, 12, 4, 17))
    assert parts == [(local(2026, 12, 3, 9), local(2026, 12, 3, 17)),
                     (local(2026, 12, 4, 9), local(2026, 12, 4, 17))]


def test_a_span_over_a_daylight_saving_change_keeps_local_hours():
    parts = daily_parts(local(2027, 3, 27, 9), local(2027, 3, 29, 17, 30))
    assert [(s.astimezone(PARIS).time(), e.astimezone(PARIS).time()) for s, e in parts] == \
        [(time(9), time(17, 30))] * 3
    assert parts[2][0].utcoffset() == timedelta(hours=2)  # summer time from 28 March
    assert parts[0][0].utcoffset() == timedelta(hours=1)


def test_an_afternoon_to_next_morning_session_uses_the_usual_day_for_its_open_ends():
    parts = daily_parts(local(2026, 12, 3, 14), local(2026, 12, 5, 12))
    assert parts == [(local(2026, 12, 3, 14), local(2026, 12, 3, 17, 30)),
                     (local(2026, 12, 4, 9), local(2026, 12, 4, 17, 30)),
                     (local(2026, 12, 5, 9), local(2026, 12, 5, 12))]


def test_one_day_or_an_evening_past_midnight_stays_one_event():
    one_day = (local(2026, 12, 3, 9), local(2026, 12, 3, 17))
    assert daily_parts(*one_day) == [one_day]
    evening = (local(2026, 12, 3, 20), local(2026, 12, 4, 0, 30))
    assert daily_parts(*evening) == [evening]


def test_day_events_expand_to_their_own_days_in_both_parsers():
    parts = daily_parts(local(2026, 12, 3, 9), local(2026, 12, 4, 17))
    events = [Event(uid=make_uid("session", f"7-{n}"), summary=f"Jour {n}", start=s, end=e,
                    last_modified=CHANGED) for n, (s, e) in enumerate(parts, start=1)]
    ics = to_ics(Feed(name="x", events=events))
    spans = [(e.start, e.end) for e in Calendar.from_ical(ics).events]
    assert all(end - start == timedelta(hours=8) for start, end in spans)
    parsed = vobject.readOne(ics.decode()).contents["vevent"]
    assert [(v.dtstart.value.day, v.dtend.value.hour) for v in parsed] == [(3, 17), (4, 17)]
