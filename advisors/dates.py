"""Dates and times as a French reader expects them, whatever the active locale: "1er janvier
2026", "6 décembre 2026 à 2 h 07" in Europe/Paris (the project's TIME_ZONE), "06/12/2026 02:07"
in exports."""

import datetime

from django.utils import timezone

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def long_date(value) -> str:
    """date(2026, 1, 1) → "1er janvier 2026"; a datetime is read in local time first."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = local(value).date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def local(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in the current time zone (Europe/Paris); a naive one is taken as
    already local."""
    if timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def long_datetime(value) -> str:
    """"6 décembre 2026 à 2 h 07" (local time)."""
    if value is None:
        return ""
    value = local(value)
    return f"{long_date(value.date())} à {value.hour} h {value.minute:02d}"


def export_value(value):
    """A datetime as "06/12/2026 02:07" (local time, no seconds), a date as "06/12/2026";
    anything else unchanged."""
    if isinstance(value, datetime.datetime):
        return f"{local(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return value
