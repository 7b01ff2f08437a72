"""The iCalendar builder, on plain data: what Google, Outlook and Apple need to read a feed
and to update an event rather than duplicate it."""

from datetime import UTC, date, datetime, timedelta

import recurring_ical_events
import vobject
from icalendar import Calendar

from calendars.events import Event, Feed, WeeklyRecurrence, make_uid
from calendars.ical import to_ics

CHANGED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def session_event(**overrides):
    values = dict(
        uid=make_uid("session", 7), summary="Construire le budget communal : les bases " * 3,
        start=datetime(2026, 12, 3, 8, 0, tzinfo=UTC), end=datetime(2026, 12, 3, 16, tzinfo=UTC),
        last_modified=CHANGED, sequence=2, location="Hôtel de ville, Beauvais (60)",
        url="https://academie.example.fr/formations/budget/", geo=(49.43, 2.08),
        description="Programme\nLigne 2",
    )
    values.update(overrides)
    return Event(**values)


def test_uid_is_built_from_kind_id_and_site_domain(settings):
    settings.SITE_URL = "https://academie.anct.gouv.fr"
    assert make_uid("session", 7) == "session-7@academie.anct.gouv.fr"
    assert make_uid("session", 7) == make_uid("session", 7)


def test_feed_has_the_names_and_refresh_hints_calendar_clients_read():
    ics = to_ics(Feed(name="Formations — Oise", description="Sessions à venir",
                      refresh=timedelta(hours=6), events=[session_event()]))
    text = ics.decode()
    for line in ["NAME:Formations — Oise", "X-WR-CALNAME:Formations — Oise",
                 "DESCRIPTION:Sessions à venir", "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
                 "X-PUBLISHED-TTL:PT6H", "VERSION:2.0"]:
        assert line in text.split("\r\n")


def test_lines_end_with_crlf_and_are_folded_at_75_octets():
    ics = to_ics(Feed(name="x", events=[session_event()]))
    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    assert b"\r\n " in ics  # the long summary was folded


def test_event_times_are_in_paris_time_with_a_bounded_vtimezone():
    calendar = Calendar.from_ical(to_ics(Feed(name="x", events=[session_event()])))
    event = calendar.events[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.start.hour == 9  # 08:00 UTC in December
    assert event.start.tzinfo is not None
    timezones = calendar.timezones
    assert [tz["TZID"] for tz in timezones] == ["Europe/Paris"]
    transitions = [sub["DTSTART"].dt for sub in timezones[0].subcomponents]
    # Only the transitions around the event, not decades of them.
    assert len(transitions) <= 3
    assert all(abs(t.year - 2026) <= 1 for t in transitions)


def test_stamp_last_modified_sequence_location_url_and_geo_are_written():
    event = Calendar.from_ical(to_ics(Feed(name="x", events=[session_event()]))).events[0]
    assert event["UID"] == make_uid("session", 7)
    assert event["DTSTAMP"].dt == CHANGED
    assert event["LAST-MODIFIED"].dt == CHANGED
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "Hôtel de ville, Beauvais (60)"
    assert event["GEO"].latitude == 49.43
    assert str(event["URL"]) == "https://academie.example.fr/formations/budget/"


def test_cancelled_event_stays_with_status_cancelled():
    event = Calendar.from_ical(
        to_ics(Feed(name="x", events=[session_event(cancelled=True, sequence=3)]))
    ).events[0]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 3


def test_invitation_carries_method_organizer_and_attendee():
    feed = Feed(name="x", events=[session_event()], method="REQUEST",
                organizer="Académie <academie@anct.gouv.fr>", attendees=("elu@mairie.fr",))
    calendar = Calendar.from_ical(to_ics(feed))
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.events[0]
    assert str(event["ORGANIZER"]).startswith("mailto:academie@")
    assert str(event["ATTENDEE"]) == "mailto:elu@mairie.fr"


def test_an_independent_parser_reads_the_feed():
    weekly = session_event(
        uid=make_uid("permanence-3", "mo-am"), geo=None,
        start=datetime(2026, 11, 2, 8, tzinfo=UTC), end=datetime(2026, 11, 2, 11, tzinfo=UTC),
        recurrence=WeeklyRecurrence((0,), exdates=(date(2026, 11, 9),)),
    )
    ics = to_ics(Feed(name="Feed", events=[session_event(), weekly]))
    parsed = vobject.readOne(ics.decode())
    events = parsed.contents["vevent"]
    assert [e.uid.value for e in events] == [make_uid("session", 7),
                                             make_uid("permanence-3", "mo-am")]
    assert events[0].dtstart.value.utcoffset() == timedelta(hours=1)
    occurrences = list(events[1].getrruleset().between(
        datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)))
    assert [o.day for o in occurrences] == [2, 16, 23, 30]


def test_weekly_until_is_inclusive_of_the_last_local_day():
    weekly = session_event(
        start=datetime(2026, 11, 2, 8, tzinfo=UTC), end=datetime(2026, 11, 2, 11, tzinfo=UTC),
        recurrence=WeeklyRecurrence((0, 2), until=date(2026, 11, 11)),
    )
    calendar = Calendar.from_ical(to_ics(Feed(name="x", events=[weekly])))
    days = [e.start.day for e in recurring_ical_events.of(calendar).between(
        date(2026, 11, 1), date(2026, 12, 31))]
    assert days == [2, 4, 9, 11]
