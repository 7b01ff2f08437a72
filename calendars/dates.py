"""Dates and times written for French readers, in one place: "mardi 1er décembre 2026",
"9 h", "9 h 30", "jusqu'au 11 décembre à 9 h", "du 3 au 4 décembre 2026".

Aware datetimes are read in Europe/Paris (the project's TIME_ZONE). The template filters of
``calendars/templatetags/french_dates.py`` (a template builtin) call these functions, so
pages, emails, PDF documents and calendar descriptions say dates the same way."""

import datetime

from django.utils import timezone

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
NBSP = "\u00a0"


def local(value):
    """An aware datetime in local time; a naive one or a date is taken as it is."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _day(value) -> datetime.date:
    value = local(value)
    return value.date() if isinstance(value, datetime.datetime) else value


def _with_year(day: datetime.date, year) -> bool:
    """``year``: True (always), False (never) or "auto" (only when not the current year)."""
    if year == "auto":
        return day.year != timezone.localdate().year
    return bool(year)


def day_number(day: datetime.date) -> str:
    return "1er" if day.day == 1 else str(day.day)


def long_date(value, *, weekday=False, year=True) -> str:
    """date(2026, 12, 1) → "1er décembre 2026"; with ``weekday``: "mardi 1er décembre 2026"."""
    if value in (None, ""):
        return ""
    day = _day(value)
    text = f"{day_number(day)} {MONTHS[day.month - 1]}"
    if _with_year(day, year):
        text += f" {day.year}"
    if weekday:
        text = f"{WEEKDAYS[day.weekday()]} {text}"
    return text


def month_year(value) -> str:
    """date(2026, 12, 1) → "décembre 2026" (a month, for monthly figures)."""
    if value in (None, ""):
        return ""
    day = _day(value)
    return f"{MONTHS[day.month - 1]} {day.year}"


def clock(value, *, space=" ") -> str:
    """9:00 → "9 h"; 9:30 → "9 h 30"; 14:05 → "14 h 05" (the French way, no leading zero).
    ``space``: NBSP on pages, so that "9 h 30" never breaks across lines."""
    if value in (None, ""):
        return ""
    value = local(value)
    if value.minute:
        return f"{value.hour}{space}h{space}{value.minute:02d}"
    return f"{value.hour}{space}h"


def long_datetime(value, *, weekday=False, year=True, space=" ") -> str:
    """"mardi 1er décembre 2026 à 9 h 30"."""
    if value in (None, ""):
        return ""
    return (f"{long_date(value, weekday=weekday, year=year)} à{space}"
            f"{clock(value, space=space)}")


def deadline(value, *, space=" ") -> str:
    """A limit with its time, the year only when it is not this year: "11 décembre à 9 h"
    (to be preceded by "jusqu'au", "avant le"…)."""
    return long_datetime(value, year="auto", space=space)


def date_span(start, end, *, weekday=False) -> str:
    """"le 3 décembre 2026", "du 3 au 4 décembre 2026", "du 30 novembre au 2 décembre 2026",
    "du 31 décembre 2026 au 2 janvier 2027"."""
    first, last = _day(start), _day(end)
    if first == last:
        return f"le {long_date(first, weekday=weekday)}"
    if weekday:
        return f"du {long_date(first, weekday=True)} au {long_date(last, weekday=True)}"
    if first.year != last.year:
        return f"du {long_date(first)} au {long_date(last)}"
    if first.month != last.month:
        return f"du {long_date(first, year=False)} au {long_date(last)}"
    return f"du {day_number(first)} au {long_date(last)}"


def session_when(start, end) -> str:
    """A session's dates and hours: "le mardi 1er décembre 2026, de 9 h à 17 h" or
    "du 3 au 4 décembre 2026, de 9 h à 17 h" (every day) or, when the days' hours differ,
    "du jeudi 3 décembre 2026 à 14 h au vendredi 4 décembre 2026 à 12 h"."""
    start, end = local(start), local(end)
    if start.date() == end.date():
        return f"le {long_date(start, weekday=True)}, de {clock(start)} à {clock(end)}"
    if start.time() < end.time():
        return f"{date_span(start, end)}, de {clock(start)} à {clock(end)}"
    return (f"du {long_datetime(start, weekday=True)} "
            f"au {long_datetime(end, weekday=True)}")


def elide(word_before: str, following: str) -> str:
    """French elision before a vowel or a mute h: ("que", "Aline") → "qu'Aline",
    ("de", "Hélène") → "d'Hélène"; ("que", "Paul") → "que Paul"."""
    if following[:1] and following[:1].lower() in "aeiouyhàâäéèêëîïôöûùüœæ":
        return word_before[:-1] + "'" + following
    return f"{word_before} {following}"


def delay_in_words(moment, now=None) -> str:
    """How far a moment is, counted in local calendar days: "aujourd'hui", "demain",
    "après-demain", "dans 5 jours", "dans une semaine", "dans 12 jours"."""
    now = local(now or timezone.now())
    days = (_day(moment) - _day(now)).days
    if days <= 0:
        return "aujourd'hui"
    return {1: "demain", 2: "après-demain", 7: "dans une semaine"}.get(days, f"dans {days} jours")
