"""Vacant posts ("postes vacants") and since when: the structures of a territory with a
post granted that no advisor holds, each with the day from which at least one of its posts
has been vacant without a break ("vacant depuis").

Posts become vacant on two kinds of day only: when they are granted (an application
validated, an amendment adding posts) and the day after a contract's last day (its end, or
a rupture's date). Recruitments only fill them. So when a structure has a vacant post
today, one has been vacant since the latest of those days: a post granted in March and
filled in April, whose advisor left on 30 November, is "vacant depuis le 1er décembre".
One query, whatever the number of structures, shared with the structures table
(``deployment.structures_with_posts``; reads advisors, never the reverse)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ..cache import cached
from .base import Territory


@dataclass(frozen=True)
class Vacancy:
    structure_id: int
    name: str
    commune: str
    granted: int
    vacant: int
    since: datetime.date | None  # None: no grant date recorded


def vacancies(territory: Territory, on=None) -> list[Vacancy]:
    """The territory's structures with vacant posts on that day, longest vacant first:
    derived from the structures' posts (cached under the deployment figures' version)."""
    from .deployment import structures_with_posts

    on = on or timezone.localdate()
    every = cached(("structure-posts", territory, on),
                   lambda: structures_with_posts(territory, on))  # shared with the table
    result = []
    for row in every:
        if row["vacant_posts"] <= 0:
            continue
        days = [row["granted_on"], row["last_rupture"]]
        if row["added_at"] is not None:
            days.append(timezone.localtime(row["added_at"]).date())
        if row["last_end"] is not None:
            days.append(row["last_end"] + datetime.timedelta(days=1))
        days = [day for day in days if day is not None and day <= on]
        result.append(Vacancy(row["pk"], row["name"], row["commune__name"],
                              row["granted_posts"], row["vacant_posts"],
                              max(days) if days else None))
    result.sort(key=lambda v: (v.since is None, v.since or on, v.name, v.structure_id))
    return result
