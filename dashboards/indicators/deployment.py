"""The deployment of one territory on a day: posts, advisors, population and open service
points, each from aggregate queries."""

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from advisors.models import (
    Amendment,
    Application,
    Contract,
    OpeningRange,
    ServicePoint,
    Structure,
)
from territories.models import SMALL_COMMUNE_POPULATION

from .base import Territory, _running


def _contract_counts(on):
    """Aggregates over Contract rows: each advisor counted once. An advisor holds at most
    one running contract on a day (``services.contracts`` refuses overlapping ones, under a
    lock), so the running ones are counted as rows; only "recruited", over the whole
    history, needs a distinct count."""
    validated = Q(status=Contract.Status.VALIDATED)
    active = validated & Q(start__lte=on) & _running(on)
    in_training = (validated & _running(on) & Q(advisor__training_start__lte=on,
                                                  advisor__training_end__gte=on))
    return {
        "recruited": Count("advisor", distinct=True, filter=validated),
        "active": Count("pk", filter=active),
        "in_training": Count("pk", filter=in_training),
        "active_small_communes": Count("pk", filter=active & Q(
            structure__commune__population__lt=SMALL_COMMUNE_POPULATION)),
        "ruptures": Count("pk", filter=Q(rupture_status=Contract.Rupture.VALIDATED,
                                         rupture_date__lte=on)),
    }


def _open_service_points(on=None):
    """Public service points with opening hours (on that day, today by default)."""
    return ServicePoint.objects.public(on).filter(
        Exists(OpeningRange.objects.filter(service_point=OuterRef("pk"))))


def post_totals(territory: Territory, on=None, unit=None):
    """Granted, occupied and vacant posts of the territory's structures, as
    ``Structure.objects.with_posts`` defines them per structure, but summed by three
    aggregate queries over the applications, amendments and contracts themselves rather than
    by subqueries for each structure. ``unit``: a path from the structure's commune (e.g.
    ``department_id``) to group by; returns ``{unit value (None without unit): totals}``."""
    on = on or timezone.localdate()

    def grouped(queryset, structure, **aggregates):
        scoped = queryset.filter(territory.structures(structure, f"{structure}__commune"))
        if unit is None:
            return {None: scoped.aggregate(**aggregates)}
        return {row.pop("unit"): row for row in  # one aggregated row per unit
                scoped.order_by().values(unit=F(f"{structure}__commune__{unit}"))
                .annotate(**aggregates)}

    granted = grouped(Application.objects.filter(status=Application.Status.VALIDATED),
                      "structure", posts=Coalesce(Sum("posts_granted"), 0))
    amended = grouped(
        Amendment.objects.filter(status=Amendment.Status.VALIDATED), "convention__structure",
        added=Coalesce(Sum("posts", filter=Q(kind=Amendment.Kind.ADD)), 0),
        withdrawn=Coalesce(Sum("posts", filter=Q(kind=Amendment.Kind.WITHDRAW)), 0))
    occupied = grouped(Contract.objects.holding_posts(on), "structure", posts=Count("pk"),
                       pending=Count("pk", filter=Q(status=Contract.Status.SUBMITTED)))
    totals = {}
    for key in {*granted, *amended, *occupied}:
        changes = amended.get(key, {})
        total = ((granted.get(key) or {}).get("posts", 0) + changes.get("added", 0)
                 - changes.get("withdrawn", 0))
        taken = (occupied.get(key) or {}).get("posts", 0)
        # Contracts awaiting ANCT's validation hold a post: said apart from those in post.
        pending = (occupied.get(key) or {}).get("pending", 0)
        totals[key] = {"granted": total, "occupied": taken, "pending": pending,
                       "vacant": max(total - taken, 0)}
    return totals


def structures_with_posts(territory: Territory, on=None):
    """The territory's structures (``pk``, ``name``, ``commune__name``), by name, each with
    its posts on that day as ``Structure.objects.with_posts`` defines them
    (``granted_posts``, ``occupied_posts``, ``vacant_posts``, which may be negative),
    whether it has a validated application (``validated``), and the days a post of it
    last became vacant (``vacancies.py``): its last grant (``granted_on``), its last
    amendment adding posts (``added_at``, a moment), the last day of its last contract
    ended (``last_end``) and its last rupture (``last_rupture``), up to that day.

    One query: the structures of the territory, each figure a subquery on the structure's
    own rows through their indexed foreign key, rather than one grouped query per figure
    joining every application, amendment and contract to its commune (the structures
    table and the vacant posts read it, ``breakdowns.py``)."""
    on = on or timezone.localdate()

    def latest(queryset, path, field, condition=None):
        return Subquery(queryset.filter(**{path: OuterRef("pk")}).order_by().values(path)
                        .annotate(latest=Max(field, filter=condition)).values("latest")[:1])

    ruptured = Q(rupture_status=Contract.Rupture.VALIDATED)
    holding = Contract.objects.filter(status__in=Contract.HOLDING_STATUSES)
    rows = list(
        Structure.objects.filter(territory.structures("pk", "commune")).with_posts(on)
        .annotate(
            validated=latest(Application.objects.filter(status=Application.Status.VALIDATED),
                             "structure", "pk"),
            granted_on=latest(Application.objects.filter(
                status=Application.Status.VALIDATED, decided_on__lte=on),
                "structure", "decided_on"),
            added_at=latest(Amendment.objects.filter(
                status=Amendment.Status.VALIDATED, kind=Amendment.Kind.ADD,
                decided_at__isnull=False), "convention__structure", "decided_at"),
            last_end=latest(holding, "structure", "end", ~ruptured & Q(end__lt=on)),
            last_rupture=latest(holding, "structure", "rupture_date",
                                ruptured & Q(rupture_date__lte=on)))
        .values("pk", "name", "commune__name", "granted_posts", "occupied_posts",
                "validated", "granted_on", "added_at", "last_end", "last_rupture")
        .order_by("name", "pk"))
    for row in rows:  # not selected as with_posts writes it: its subqueries would run twice
        row["vacant_posts"] = row["granted_posts"] - row["occupied_posts"]
        row["validated"] = row["validated"] is not None
    return rows


def posts(territory: Territory, on=None):
    return post_totals(territory, on)[None]


def advisors(territory: Territory, on=None):
    on = on or timezone.localdate()
    contracts = Contract.objects.filter(territory.structures("structure",
                                                             "structure__commune"))
    return contracts.aggregate(**_contract_counts(on))


def population(territory: Territory):
    from territories.models import Commune

    if territory.level == "structure":
        return None
    return Commune.objects.filter(territory.departments("department")).aggregate(
        total=Coalesce(Sum("population"), 0))["total"]


def service_points(territory: Territory, on=None):
    return _open_service_points(on).filter(
        territory.structures("structure", "commune")).count()


def deployment(territory: Territory, on):
    """Posts, advisors, population and open service points of the territory on a day: for
    a région, a département or the country, summed from the deployment rollups
    (``dashboards/rollups.py``, two queries); for one structure, counted from its records."""
    if territory.level != "structure":
        from ..rollups import deployment_totals

        return deployment_totals(territory.departments("department"), on)
    return {**posts(territory, on), **advisors(territory, on),
            "population": population(territory),
            "service_points": service_points(territory, on)}
