"""The deployment of one territory on a day: posts, advisors, population and open service
points, each from aggregate queries."""

from django.db import connection
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

    One query, reading only the territory's structures and their own applications,
    amendments and contracts through their indexed foreign keys (the structures table and
    the vacant posts read it, ``breakdowns.py``): on PostgreSQL, three lateral joins per
    structure; elsewhere, a subquery per figure."""
    on = on or timezone.localdate()
    structures = (Structure.objects.filter(territory.structures("pk", "commune")).order_by()
                  .annotate(structure_name=F("name"), commune_name=F("commune__name"))
                  .values("id", "structure_name", "commune_name"))
    if connection.vendor == "postgresql":
        rows = _structures_with_posts_sql(structures, on)
    else:
        rows = _structures_with_posts_orm(territory, on)
    for row in rows:
        row["vacant_posts"] = row["granted_posts"] - row["occupied_posts"]
    return rows


# The same figures as ``Structure.objects.with_posts`` (granted: validated applications'
# posts, plus validated amendments adding posts, minus those withdrawing some; occupied:
# ``Contract.objects.holding_posts``, i.e. submitted or validated contracts not ended on the
# day, no rupture effective by then) and as the vacancies' days (``vacancies.py``), each
# table read once per structure. ``tests/dashboards/test_rollups.py`` compares them with
# ``with_posts``, ``test_vacant_posts.py`` the days.
_STRUCTURE_POSTS_SQL = """
SELECT s.id, s.structure_name, s.commune_name,
       coalesce(a.posts, 0) + coalesce(m.added, 0) - coalesce(m.withdrawn, 0),
       coalesce(k.occupied, 0), a.validated > 0, a.granted_on, m.added_at, k.last_end,
       k.last_rupture
FROM ({structures}) s
LEFT JOIN LATERAL (
    SELECT sum(posts_granted) AS posts, count(*) AS validated,
           max(decided_on) FILTER (WHERE decided_on <= %s) AS granted_on
    FROM {application} WHERE structure_id = s.id AND status = %s) a ON true
LEFT JOIN LATERAL (
    SELECT sum(amendment.posts) FILTER (WHERE amendment.kind = %s) AS added,
           sum(amendment.posts) FILTER (WHERE amendment.kind = %s) AS withdrawn,
           max(amendment.decided_at) FILTER (WHERE amendment.kind = %s) AS added_at
    FROM {amendment} amendment JOIN {convention} convention
         ON convention.id = amendment.convention_id
    WHERE convention.structure_id = s.id AND amendment.status = %s) m ON true
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE ("end" IS NULL OR "end" >= %s) AND NOT (
               rupture_status = %s AND rupture_date IS NOT NULL AND rupture_date <= %s))
               AS occupied,
           max("end") FILTER (WHERE rupture_status <> %s AND "end" < %s) AS last_end,
           max(rupture_date) FILTER (WHERE rupture_status = %s AND rupture_date <= %s)
               AS last_rupture
    FROM {contract} WHERE structure_id = s.id AND status IN (%s, %s)) k ON true
ORDER BY s.structure_name, s.id
"""
_STRUCTURE_POSTS_FIELDS = ("pk", "name", "commune__name", "granted_posts", "occupied_posts",
                           "validated", "granted_on", "added_at", "last_end", "last_rupture")


def _structures_with_posts_sql(structures, on):
    from advisors.models import Convention

    inner, inner_params = structures.query.sql_with_params()
    quote = connection.ops.quote_name
    sql = _STRUCTURE_POSTS_SQL.format(
        structures=inner, application=quote(Application._meta.db_table),
        amendment=quote(Amendment._meta.db_table),
        convention=quote(Convention._meta.db_table), contract=quote(Contract._meta.db_table))
    ruptured = Contract.Rupture.VALIDATED
    params = (*inner_params,
              on, Application.Status.VALIDATED,
              Amendment.Kind.ADD, Amendment.Kind.WITHDRAW, Amendment.Kind.ADD,
              Amendment.Status.VALIDATED,
              on, ruptured, on, ruptured, on, ruptured, on,
              *Contract.HOLDING_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(_STRUCTURE_POSTS_FIELDS, row, strict=True))
                for row in cursor.fetchall()]
    for row in rows:
        row["validated"] = bool(row["validated"])
    return rows


def _structures_with_posts_orm(territory, on):
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
        # vacant_posts is not selected as with_posts writes it: its subqueries would run
        # twice (the caller subtracts).
        .values("pk", "name", "commune__name", "granted_posts", "occupied_posts",
                "validated", "granted_on", "added_at", "last_end", "last_rupture")
        .order_by("name", "pk"))
    for row in rows:
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
