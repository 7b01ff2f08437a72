"""Plain event data: what a feature app hands to the calendar builder.

Nothing here knows about sessions or service points; a feature app maps its records to
these classes and the builder (``ical.py``) turns them into iCalendar."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def make_uid(kind: str, pk) -> str:
    """A stable UID: the record's kind and id at the site's domain, never random."""
    return f"{kind}-{pk}@{site_domain()}"


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
