"""Turns plain ``Feed``/``Event`` data into iCalendar bytes (RFC 5545) with icalendar 7.

Times are written in Europe/Paris with the VTIMEZONE included, bounded to the events' own
range so that a feed does not carry decades of daylight-saving rules."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, vCalAddress, vDuration, vRecur, vText
from icalendar import Event as VEvent

from .events import Event, Feed

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//ANCT//Plateforme Academie des territoires et Conseillers numeriques//FR"
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How far a weekly event with no end date is described by the VTIMEZONE.
OPEN_ENDED_SPAN = timedelta(days=400)


def _paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _address(email: str, name: str | None = None, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = value
    return address


def organizer_address() -> tuple[str, str]:
    """(name, email) of the academy, from DEFAULT_FROM_EMAIL ("Name <email>")."""
    raw = settings.DEFAULT_FROM_EMAIL
    if "<" in raw:
        name, email = raw.split("<", 1)
        return name.strip().strip('"'), email.strip(" >")
    return "Académie des territoires", raw.strip()


def _vevent(event: Event, feed: Feed) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(event.last_modified))
    vevent.add("last-modified", _utc(event.last_modified))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.summary)
    vevent.add("dtstart", _paris(event.start))
    vevent.add("dtend", _paris(event.end))
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    if event.geo:
        vevent.add("geo", event.geo)
    if event.categories:
        vevent.add("categories", list(event.categories))
    if event.recurrence:
        _add_recurrence(vevent, event)
    if feed.organizer:
        name, email = organizer_address()
        vevent.add("organizer", _address(email, name))
        for attendee in feed.attendees:
            vevent.add("attendee", _address(
                attendee, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE",
            ))
    return vevent


def _add_recurrence(vevent: VEvent, event: Event) -> None:
    recurrence = event.recurrence
    rule = {"freq": "WEEKLY", "byday": [WEEKDAY_CODES[d] for d in recurrence.weekdays]}
    if recurrence.until:
        # With a TZID start, UNTIL is a UTC date-time (RFC 5545 §3.3.10).
        last = datetime.combine(recurrence.until, time(23, 59, 59), tzinfo=PARIS)
        rule["until"] = _utc(last)
    vevent.add("rrule", vRecur(rule))
    start = _paris(event.start)
    if recurrence.exdates:
        # EXDATE must match the occurrence's start exactly: same local time, same zone.
        vevent.add("exdate", [
            datetime.combine(day, start.timetz().replace(tzinfo=None), tzinfo=PARIS)
            for day in sorted(recurrence.exdates)
        ])


def _span(events: list[Event]):
    """First and last local dates the feed's times fall on, for the VTIMEZONE."""
    if not events:
        today = datetime.now(PARIS).date()
        return today, today + timedelta(days=1)
    first = min(_paris(e.start).date() for e in events)
    last = first
    for event in events:
        end = _paris(event.end).date()
        if event.recurrence:
            end = event.recurrence.until or (end + OPEN_ENDED_SPAN)
        last = max(last, end)
    return first - timedelta(days=1), last + timedelta(days=1)


def build_calendar(feed: Feed) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if feed.method:
        calendar.add("method", feed.method)
    # NAME (RFC 7986) and the X-WR-* names are TEXT: icalendar does not know them and would
    # write commas and semicolons bare, so they are given as vText (escaped, RFC 5545 3.3.11).
    calendar.add("name", vText(feed.name))
    calendar.add("x-wr-calname", vText(feed.name))
    if feed.description:
        calendar.add("description", feed.description)
        calendar.add("x-wr-caldesc", vText(feed.description))
    if feed.url:
        calendar.add("url", feed.url)
    calendar.add("x-wr-timezone", "Europe/Paris")
    # REFRESH-INTERVAL (RFC 7986) for most clients, X-PUBLISHED-TTL for Outlook.
    calendar.add("refresh-interval", feed.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(feed.refresh))
    for event in feed.events:
        calendar.add_component(_vevent(event, feed))
    first, last = _span(feed.events)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def to_ics(feed: Feed) -> bytes:
    """The feed as iCalendar bytes: UTF-8, CRLF line ends, lines folded at 75 octets."""
    return build_calendar(feed).to_ical()
