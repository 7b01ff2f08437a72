"""Weekly opening hours as plain data: OpenStreetMap ``opening_hours`` text, French wording,
and weekly recurring calendar events with holidays and closures left out."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .events import Event, WeeklyRecurrence, make_uid
from .holidays import public_holidays
from .ical import PARIS

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
FRENCH_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# How far ahead holidays are excluded from an open-ended weekly event.
HOLIDAY_HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class HoursRange:
    weekday: int  # 0 = Monday
    opens: time
    closes: time
    key: str = ""  # stable part of the event's UID, e.g. "mo-am"


@dataclass(frozen=True)
class ClosedPeriod:
    start: date
    end: date
    reason: str = ""


def _hhmm(moment: time) -> str:
    return f"{moment:%H:%M}"


def _french_time(moment: time) -> str:
    return f"{moment.hour} h" if not moment.minute else f"{moment.hour} h {moment.minute:02d}"


def _by_day(ranges):
    days = {}
    for opening in sorted(ranges, key=lambda r: (r.weekday, r.opens)):
        days.setdefault(opening.weekday, []).append(opening)
    return days


def osm_opening_hours(ranges: list[HoursRange]) -> str:
    """E.g. "Mo-We,Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off". Consecutive days
    with the same hours are joined into a span."""
    days = _by_day(ranges)
    if not days:
        return "closed"
    groups = []  # [(hours text, [weekdays])] in order of first weekday
    for weekday, day_ranges in days.items():
        hours = ",".join(f"{_hhmm(r.opens)}-{_hhmm(r.closes)}" for r in day_ranges)
        for text, weekdays in groups:
            if text == hours:
                weekdays.append(weekday)
                break
        else:
            groups.append((hours, [weekday]))
    rules = [f"{_day_selector(weekdays)} {hours}" for hours, weekdays in groups]
    return "; ".join(rules + ["PH off"])


def _day_selector(weekdays: list[int]) -> str:
    spans, start = [], None
    for i, day in enumerate(weekdays):
        if start is None:
            start = day
        if i + 1 == len(weekdays) or weekdays[i + 1] != day + 1:
            if day - start >= 2:
                spans.append(f"{OSM_DAYS[start]}-{OSM_DAYS[day]}")
            else:
                spans.extend(OSM_DAYS[d] for d in range(start, day + 1))
            start = None
    return ",".join(spans)


def describe(ranges: list[HoursRange]) -> list[tuple[str, str]]:
    """[("Lundi", "9 h – 12 h et 14 h – 17 h 30"), …, ("Dimanche", "fermé")]."""
    days = _by_day(ranges)
    lines = []
    for weekday, name in enumerate(FRENCH_DAYS):
        if weekday in days:
            hours = " et ".join(
                f"{_french_time(r.opens)} – {_french_time(r.closes)}" for r in days[weekday])
        else:
            hours = "fermé"
        lines.append((name.capitalize(), hours))
    return lines


def is_open(ranges: list[HoursRange], closures: list[ClosedPeriod], holidays: set[date],
            moment: datetime) -> bool:
    local = moment.astimezone(PARIS)
    day = local.date()
    if day in holidays or any(c.start <= day <= c.end for c in closures):
        return False
    return any(r.weekday == day.weekday() and r.opens <= local.time() < r.closes
               for r in ranges)


def weekly_events(*, uid_prefix: str, summary: str, ranges: list[HoursRange],
                  closures: list[ClosedPeriod], department_code: str | None, anchor: date,
                  today: date, last_modified: datetime, sequence: int = 0,
                  **details) -> list[Event]:
    """One weekly recurring event per opening range (UID "<uid_prefix>-<key>@domain"),
    from the week of ``anchor`` (the hours' last change, so the event stays stable until
    they change). Public holidays up to a year ahead and declared closures become EXDATEs."""
    week_start = anchor - timedelta(days=anchor.weekday())
    horizon = today + HOLIDAY_HORIZON
    holidays = set(public_holidays(department_code, week_start, horizon))
    closed = set(holidays)
    for closure in closures:
        day = max(closure.start, week_start)
        while day <= closure.end:
            closed.add(day)
            day += timedelta(days=1)
    events = []
    for opening in sorted(ranges, key=lambda r: (r.weekday, r.opens)):
        first_day = week_start + timedelta(days=opening.weekday)
        start = datetime.combine(first_day, opening.opens, tzinfo=PARIS)
        end = datetime.combine(first_day, opening.closes, tzinfo=PARIS)
        exdates = tuple(sorted(d for d in closed
                               if d.weekday() == opening.weekday and d >= first_day))
        key = opening.key or f"{OSM_DAYS[opening.weekday].lower()}-{opening.opens:%H%M}"
        events.append(Event(
            uid=make_uid(uid_prefix, key),
            summary=summary, start=start, end=end, last_modified=last_modified,
            sequence=sequence,
            recurrence=WeeklyRecurrence(weekdays=(opening.weekday,), exdates=exdates),
            **details,
        ))
    return events
