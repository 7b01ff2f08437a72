"""Vacant posts ("postes vacants") and since when: the structures of a territory with a
post granted that no advisor holds, each with the day from which at least one of its posts
has been vacant without a break ("vacant depuis").

Posts become vacant on two kinds of day only: when they are granted (an application
validated, an amendment adding posts) and the day after a contract's last day (its end, or
a rupture's date). Recruitments only fill them. So when a structure has a vacant post
today, one has been vacant since the latest of those days: a post granted in March and
filled in April, whose advisor left on 30 November, is "vacant depuis le 1er décembre".
Five aggregate queries, whatever the number of structures (reads advisors, never the
reverse)."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone

from advisors.models import Amendment, Application, Contract, Structure

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
    """The territory's structures with vacant posts on that day, longest vacant first
    (cached under the deployment figures' version)."""
    on = on or timezone.localdate()
    return cached(("vacancies", territory, on), lambda: _vacancies(territory, on))


def _vacancies(territory: Territory, on) -> list[Vacancy]:
    from .deployment import posts_by_structure

    every = cached(("structure-posts", territory, on),
                   lambda: posts_by_structure(territory, on))  # shared with the table
    posts = {pk: figures for pk, figures in every.items() if figures["vacant"] > 0}
    if not posts:
        return []
    rows = list(Structure.objects.filter(territory.structures("pk", "commune"),
                                         pk__in=list(posts))
                .values("pk", "name", "commune__name"))
    for row in rows:
        row.update(granted_posts=posts[row["pk"]]["granted"],
                   vacant_posts=posts[row["pk"]]["vacant"])
    ids = [row["pk"] for row in rows]
    granted = dict(Application.objects.filter(
        structure_id__in=ids, status=Application.Status.VALIDATED, decided_on__lte=on)
        .order_by().values("structure_id").annotate(day=Max("decided_on"))
        .values_list("structure_id", "day"))
    added = {
        structure_id: timezone.localtime(moment).date()
        for structure_id, moment in Amendment.objects.filter(
            convention__structure_id__in=ids, status=Amendment.Status.VALIDATED,
            kind=Amendment.Kind.ADD, decided_at__isnull=False)
        .order_by().values("convention__structure_id").annotate(moment=Max("decided_at"))
        .values_list("convention__structure_id", "moment")}
    ruptured = Q(rupture_status=Contract.Rupture.VALIDATED)
    ends = {row["structure_id"]: row for row in Contract.objects.filter(
        structure_id__in=ids, status__in=Contract.HOLDING_STATUSES)
        .order_by().values("structure_id").annotate(
            last_end=Max("end", filter=~ruptured & Q(end__lt=on)),
            last_rupture=Max("rupture_date", filter=ruptured & Q(rupture_date__lte=on)))}
    result = []
    for row in rows:
        pk = row["pk"]
        freed = ends.get(pk, {})
        days = [granted.get(pk), added.get(pk), freed.get("last_rupture")]
        if freed.get("last_end"):
            days.append(freed["last_end"] + datetime.timedelta(days=1))
        days = [day for day in days if day is not None and day <= on]
        result.append(Vacancy(pk, row["name"], row["commune__name"], row["granted_posts"],
                              row["vacant_posts"], max(days) if days else None))
    result.sort(key=lambda v: (v.since is None, v.since or on, v.name, v.structure_id))
    return result
