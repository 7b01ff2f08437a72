"""French public holidays, with the local ones of Alsace-Moselle and the overseas
départements, from the maintained ``holidays`` package rather than a typed list."""

from datetime import date
from functools import lru_cache

import holidays as holiday_calendars

# Département code → the package's subdivision of France that adds local holidays.
LOCAL_HOLIDAY_AREAS = {
    "57": "57",  # Moselle: Good Friday, St Stephen's Day
    "67": "6AE",  # Bas-Rhin (Collectivité européenne d'Alsace)
    "68": "6AE",  # Haut-Rhin
    "971": "971", "972": "972", "973": "973", "974": "974", "976": "976",
}


@lru_cache(maxsize=64)
def _holidays(area: str | None, year: int) -> dict[date, str]:
    return dict(holiday_calendars.France(subdiv=area, years=year, language="fr"))


def public_holidays(department_code: str | None, first: date, last: date) -> dict[date, str]:
    """{date: French name} of the public holidays between first and last (inclusive)."""
    area = LOCAL_HOLIDAY_AREAS.get(department_code or "")
    found = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays(area, year).items():
            if first <= day <= last:
                found[day] = name
    return dict(sorted(found.items()))
