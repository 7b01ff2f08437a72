"""Plain event data: what a feature app hands to the calendar builder.

Nothing here knows about sessions or service points; a feature app maps its records to
these classes and the builder (``ical.py``) turns them into iCalendar."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def make_uid(kind: str, pk) -> str:
    """A stable UID: the record's kind and id at the site's domain, never random."""
    return f"{kind}-{pk}@{site_domain()}"


# When a span's days cannot take their hours from its start and end (it starts later in the
# day than it ends), its inner days run over these local hours.
DAY_OPENS = time(9, 0)
DAY_CLOSES = time(17, 30)
# A span ending the next day before this hour is one evening, not two days.
OVERNIGHT_ENDS_BY = time(6, 0)


def daily_parts(start: datetime, end: datetime, tz=None) -> list[tuple[datetime, datetime]]:
    """A span over several local days as one (start, end) per day, with each day's hours.

    3 Dec 09:00 → 4 Dec 17:00 gives 09:00–17:00 on both days, not one 32-hour block. When
    the end's hour is not after the start's (14:00 → next day 12:00), the first day runs
    from the start to DAY_CLOSES, the inner days over DAY_OPENS–DAY_CLOSES and the last from
    DAY_OPENS to the end. A span within one day, or ending early the next morning, is one
    part."""
    tz = tz or ZoneInfo(settings.TIME_ZONE)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    first, last = local_start.date(), local_end.date()
    if first == last or (last == first + timedelta(days=1)
                         and local_end.time() <= OVERNIGHT_ENDS_BY):
        return [(start, end)]
    same_hours = local_start.time() < local_end.time()
    parts, day = [], first
    while day <= last:
        if same_hours:
            opens, closes = local_start.time(), local_end.time()
        else:
            opens = local_start.time() if day == first else DAY_OPENS
            closes = local_end.time() if day == last else DAY_CLOSES
            if day == first and opens >= closes:  # an evening start
                closes = time(23, 59)
            if day == last and closes <= opens:  # an early-morning end
                opens = time(0, 0)
        parts.append((datetime.combine(day, opens, tzinfo=tz),
                      datetime.combine(day, closes, tzinfo=tz)))
        day += timedelta(days=1)
    return parts


@dataclass(frozen=True)
class WeeklyRecurrence:
    """Repeats the event every week on these weekdays (0 = Monday) until ``until``
    (local date, inclusive), skipping the local dates in ``exdates``."""

    weekdays: tuple[int, ...]
    until: date | None = None
    exdates: tuple[date, ...] = ()


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    start: datetime
    end: datetime
    last_modified: datetime
    sequence: int = 0
    cancelled: bool = False
    description: str = ""
    location: str = ""
    url: str = ""
    geo: tuple[float, float] | None = None
    categories: tuple[str, ...] = ()
    recurrence: WeeklyRecurrence | None = None


@dataclass
class Feed:
    """A whole calendar. ``method`` is set for invitations (REQUEST, CANCEL) only."""

    name: str
    events: list[Event] = field(default_factory=list)
    description: str = ""
    url: str = ""
    refresh: timedelta = timedelta(hours=6)
    method: str | None = None
    organizer: str | None = None
    attendees: tuple[str, ...] = ()
