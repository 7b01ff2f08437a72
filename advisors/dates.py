"""Dates of the advisors programme. What a person reads comes from ``calendars.dates`` (the
project's one implementation: "1er janvier 2026", "6 décembre 2026 à 2 h 07" in Europe/Paris);
this module keeps the names its callers import and the spreadsheet format of the exports
("06/12/2026 02:07")."""

import datetime

from calendars.dates import local, long_date, long_datetime  # noqa: F401 (re-exported)


def export_value(value):
    """A datetime as "06/12/2026 02:07" (local time, no seconds), a date as "06/12/2026";
    anything else unchanged."""
    if isinstance(value, datetime.datetime):
        return f"{local(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return value
