"""The deployment indicators, computed by the database.

Every figure comes from an aggregate query (``aggregate``, ``values().annotate``) or from the
daily snapshots: nothing here iterates over data rows. A page runs a fixed number of queries
whatever the size of the data (see ``tests/advisors/test_dashboards.py``).

A *territory* is one of: the whole country, a région, a département, or one structure. Each
model reaches it through its own path:

- posts, contracts and advisors through the employing structure's commune;
- activity reports through the commune where the accompaniment took place;
- service points through their commune;
- academy sessions through the commune where they take place (remote ones: national only).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from ..models import (
    AGE_BANDS,
    ActivityReport,
    ActivityTheme,
    Amendment,
    Application,
    Contract,
    DailySnapshot,
    OpeningRange,
    ServicePoint,
    Structure,
)
from ..models.people import ContractQuerySet
from . import rollups
from .cache import cached

# The national goal: 4,000 advisor posts (announced 17 Nov 2020). Kept here rather than in
# the settings: it is a fact of the programme, not of the deployment.
ADVISORS_NATIONAL_TARGET = 4000
# "Small communes": fewer inhabitants than this.
SMALL_COMMUNE_POPULATION = 3500
PER_INHABITANTS = 10_000


@dataclass(frozen=True)
class Territory:
    """What a dashboard covers. ``level`` is national, region, department or structure."""

    level: str
    obj: object = None

    @property
    def name(self):
        if self.level == "national":
            return "France"
        return self.obj.name

    def departments(self, department_path: str = "") -> Q:
        """Objects whose département (path to a Department; "" for Department rows
        themselves) lies in the territory."""
        prefix = f"{department_path}__" if department_path else ""
        if self.level == "region":
            return Q(**{f"{prefix}region": self.obj})
        if self.level == "department":
            return Q(**{department_path or "pk": self.obj.pk})
        return Q()

    def filter(self, commune_path: str) -> Q:
        """Objects whose commune (path to a Commune) lies in the territory."""
        return self.departments(f"{commune_path}__department")

    def structures(self, structure_path: str, commune_path: str) -> Q:
        """Objects of the structures of the territory (path to a Structure, and the path
        of that structure's commune)."""
        if self.level == "structure":
            return Q(**{structure_path: self.obj.pk})
        return self.filter(commune_path)

    def activity(self) -> Q:
        if self.level == "structure":
            return Q(structure=self.obj.pk)
        return self.filter("commune")


# --- building blocks --------------------------------------------------------------------------
def _running(on, prefix=""):
    """Q of contracts (through ``prefix``) not ended on that day."""
    condition = ContractQuerySet._running_on(on)
    if not prefix:
        return condition
    return _prefixed(condition, prefix)


def _prefixed(condition: Q, prefix: str) -> Q:
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            key, value = child
            children.append((f"{prefix}__{key}", value))
    prefixed = Q(*children, _connector=condition.connector, _negated=condition.negated)
    return prefixed


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


def _open_service_points():
    """Public service points with opening hours."""
    return ServicePoint.objects.public().filter(
        Exists(OpeningRange.objects.filter(service_point=OuterRef("pk"))))


def _ratio(part, whole, factor=100, digits=1):
    if not whole:
        return None
    return round(part * factor / whole, digits)


# --- the figures of one territory -------------------------------------------------------------
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


def service_points(territory: Territory):
    return _open_service_points().filter(
        territory.structures("structure", "commune")).count()


def activity(territory: Territory, start, end):
    """The activity of the period: from the rollups (four small queries), except for one
    structure, whose few reports are counted directly."""
    if territory.level == "structure":
        reports = ActivityReport.objects.filter(territory.activity()).between(start, end)
        totals = reports.aggregate(**rollups.report_aggregates())
        by_month = [(row.pop("month"), row) for row in
                    reports.order_by().annotate(month=TruncMonth("date")).values("month")
                    .annotate(accompaniments=Count("pk"),
                              people=Coalesce(Sum("participants"), 0))
                    .order_by("month")]
    else:
        totals = rollups.totals(territory.departments("department"), start, end)
        by_month = rollups.by_month(territory.departments("department"), start, end)
    return {
        "totals": totals,
        "by_kind": [(kind.label, totals[f"kind_{kind.value}"]) for kind in ActivityReport.Kind],
        "by_channel": [(channel.label, totals[f"channel_{channel.value}"])
                       for channel in ActivityReport.Channel],
        "by_age": [(label, totals[name]) for name, label in AGE_BANDS],
        "by_theme": sorted(((theme.label, totals[f"theme_{theme.value}"])
                            for theme in ActivityTheme), key=lambda pair: -pair[1]),
        "by_month": [(month, row["accompaniments"], row["people"]) for month, row in by_month],
    }


def academy(territory: Territory, start, end):
    """Sessions held in the territory during the period, their confirmed enrolments and
    attendance: each table counted by its own aggregate (no join fanning rows out, so no
    distinct counts), in total and by département. Six queries."""
    from academy.models import Attendance, Enrolment, Session

    if territory.level == "structure":
        return None
    zone = timezone.get_current_timezone()
    held = territory.departments("commune__department") & Q(
        status=Session.Status.SCHEDULED,
        start__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        start__lt=datetime.datetime.combine(end + datetime.timedelta(days=1),
                                            datetime.time.min, tzinfo=zone))
    parts = [
        ("", Session.objects.filter(held), {"sessions": Count("pk")}),
        ("session__", Enrolment.objects.filter(_prefixed(held, "session"),
                                               status=Enrolment.Status.CONFIRMED),
         {"enrolments": Count("pk")}),
        ("enrolment__session__", Attendance.objects.filter(_prefixed(held, "enrolment__session")),
         {"present": Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
          "marked": Count("pk")}),
    ]
    totals = {}
    departments = {}
    for path, rows, counts in parts:
        totals.update(rows.aggregate(**counts))
        for row in (rows.filter(**{f"{path}commune__isnull": False}).order_by()
                    .values(code=F(f"{path}commune__department__code"),
                            name=F(f"{path}commune__department__name"))
                    .annotate(**counts)):  # one aggregated row per département
            departments.setdefault(row["code"], {"sessions": 0, "enrolments": 0, "present": 0,
                                                 "marked": 0}).update(row)
    totals["attendance_rate"] = _ratio(totals["present"], totals["marked"])
    by_department = [departments[code] for code in sorted(departments)]
    for row in by_department:  # ~100 aggregated rows at most: a rate per row
        row["attendance_rate"] = _ratio(row["present"], row["marked"])
    totals["by_department"] = by_department
    return totals


def summary(territory: Territory, start, end, on=None):
    """Every headline figure of a territory (about ten queries)."""
    on = on or timezone.localdate()
    figures = dict(cached(("deployment", territory, on), lambda: deployment(territory, on)))
    figures["target"] = ADVISORS_NATIONAL_TARGET if territory.level == "national" else None
    figures["target_rate"] = _ratio(figures["granted"], figures["target"])
    figures["activation_rate"] = _ratio(figures["active"], figures["granted"])
    figures["per_10000"] = _ratio(figures["active"], figures["population"],
                                  factor=PER_INHABITANTS, digits=2)
    figures["small_communes_rate"] = _ratio(figures["active_small_communes"],
                                            figures["active"])
    figures["activity"] = activity(territory, start, end)
    figures["academy"] = cached(("academy", territory, start, end),
                                lambda: academy(territory, start, end))
    return figures


def deployment(territory: Territory, on):
    """Posts, advisors, population and open service points of the territory on a day."""
    return {**posts(territory, on), **advisors(territory, on),
            "population": population(territory),
            "service_points": service_points(territory)}


# --- breakdowns by région or département -----------------------------------------------------
BREAKDOWN_COLUMNS = [
    ("name", "Territoire"),
    ("granted", "Postes accordés"),
    ("recruited", "Conseillers recrutés"),
    ("active", "Conseillers en poste"),
    ("in_training", "En formation"),
    ("vacant", "Postes vacants"),
    ("activation_rate", "Taux d'activation (%)"),
    ("ruptures", "Ruptures"),
    ("per_10000", "Conseillers pour 10 000 habitants"),
    ("service_points", "Lieux d'activité ouverts"),
    ("accompaniments", "Accompagnements"),
    ("people", "Personnes accompagnées"),
]


def breakdown(by: str, territory: Territory, start, end, on=None):
    """One row per région (``by="region"``) or département (``by="department"``) of the
    territory, with the indicators of ``BREAKDOWN_COLUMNS``: the deployment's columns from
    six grouped queries (cached, see ``cache.py``), the activity from two on the rollups."""
    on = on or timezone.localdate()
    # Path from a Commune (and from a rollup row) to the grouping key.
    key = "department__region_id" if by == "region" else "department_id"
    rows = {unit: dict(row) for unit, row in cached(
        ("breakdown", by, territory, on),
        lambda: _deployment_breakdown(by, key, territory, on)).items()}
    activity_rows = rollups.grouped(territory.departments("department"), start, end, key,
                                    names=("accompaniments", "people"))
    for unit, counts in activity_rows.items():  # one aggregated row per unit
        if unit in rows:
            rows[unit].update(counts)
    result = list(rows.values())
    for row in result:  # derived rates of each aggregated row
        row["activation_rate"] = _ratio(row["active"], row["granted"])
        row["per_10000"] = _ratio(row["active"], row["population"], factor=PER_INHABITANTS,
                                  digits=2)
    return result


def _deployment_breakdown(by, key, territory, on):
    from territories.models import Commune, Department, Region

    if by == "region":
        units = Region.objects.all()
        if territory.level == "region":
            units = units.filter(pk=territory.obj.pk)
    else:
        units = Department.objects.filter(territory.departments())
    rows = {unit["id"]: {**unit, "granted": 0, "occupied": 0, "vacant": 0, "recruited": 0,
                         "active": 0, "in_training": 0, "active_small_communes": 0,
                         "ruptures": 0, "population": 0, "service_points": 0,
                         "accompaniments": 0, "people": 0}
            for unit in units.values("id", "code", "name").order_by("code")}

    def merge(queryset):
        for row in queryset:  # one aggregated row per unit
            unit = row.pop("unit")
            if unit in rows:
                rows[unit].update(row)

    for unit, totals in post_totals(territory, on, unit=key).items():
        if unit in rows:
            rows[unit].update(totals)
    merge(Contract.objects.filter(territory.structures("structure", "structure__commune"))
          .order_by().values(unit=F(f"structure__commune__{key}"))
          .annotate(**_contract_counts(on)))
    merge(Commune.objects.filter(territory.departments("department")).order_by()
          .values(unit=F(key)).annotate(population=Coalesce(Sum("population"), 0)))
    merge(_open_service_points().filter(territory.structures("structure", "commune"))
          .order_by().values(unit=F(f"commune__{key}")).annotate(service_points=Count("pk")))
    return rows


def map_rows(territory: Territory, on=None):
    """The départements of the territory with their active advisors and that number per
    10,000 inhabitants, for the map and its table (three queries, cached)."""
    on = on or timezone.localdate()
    return cached(("map", territory, on), lambda: _map_rows(territory, on))


def _map_rows(territory: Territory, on):
    from territories.models import Commune, Department

    rows = {unit["id"]: {**unit, "active": 0, "population": 0}
            for unit in Department.objects.filter(territory.departments())
            .values("id", "code", "name").order_by("code")}
    active = (Contract.objects.filter(territory.structures("structure", "structure__commune"))
              .order_by().values(unit=F("structure__commune__department_id"))
              .annotate(active=_contract_counts(on)["active"]))
    population = (Commune.objects.filter(territory.departments("department")).order_by()
                  .values(unit=F("department_id"))
                  .annotate(population=Coalesce(Sum("population"), 0)))
    for queryset in (active, population):
        for row in queryset:  # one aggregated row per département
            if row["unit"] in rows:
                rows[row.pop("unit")].update(row)
    result = list(rows.values())
    for row in result:
        row["per_10000"] = _ratio(row["active"], row["population"], factor=PER_INHABITANTS,
                                  digits=2)
    return result


def structures_table(territory: Territory, on=None):
    """The structures of a département with their posts (one query, cached)."""
    return cached(("structures", territory, on or timezone.localdate()),
                  lambda: _structures_table(territory, on))


def _structures_table(territory: Territory, on):
    return list(Structure.objects.with_posts(on).filter(territory.filter("commune"))
                .with_validated_application()
                .values("pk", "name", "commune__name", "granted_posts", "occupied_posts",
                        "vacant_posts").order_by("name", "pk"))


def sort_rows(rows, sort: str):
    """``?tri=active`` (ascending) or ``?tri=-active`` (descending); unknown keys: by code."""
    keys = {name for name, _label in BREAKDOWN_COLUMNS}
    name = sort.lstrip("-")
    if name not in keys:
        return rows, ""
    descending = sort.startswith("-")

    def value(row):
        item = row.get(name)
        if item is None:
            return (1, 0) if not descending else (-1, 0)
        return (0, item)

    return sorted(rows, key=value, reverse=descending), sort


# --- history from the snapshots ---------------------------------------------------------------
SNAPSHOT_FIELDS = ["granted_posts", "occupied_posts", "vacant_posts", "recruited",
                   "in_training", "active", "ruptures", "service_points", "accompaniments",
                   "people"]


def snapshot_values(on):
    """The snapshot fields of every département on a day: the national breakdown by
    département, with activity cumulated since the start of the programme."""
    first = datetime.date(2020, 1, 1)
    rows = breakdown("department", Territory("national"), first, on, on=on)
    return [{
        "department_id": row["id"], "granted_posts": row["granted"] or 0,
        "occupied_posts": row["occupied"] or 0, "vacant_posts": row["vacant"] or 0,
        "recruited": row["recruited"], "in_training": row["in_training"],
        "active": row["active"], "ruptures": row["ruptures"],
        "service_points": row["service_points"], "accompaniments": row["accompaniments"],
        "people": row["people"],
    } for row in rows]


def history(territory: Territory, on=None, months=12):
    """The last snapshot of each of the last ``months`` months, summed over the territory
    (one query). Per-structure dashboards have no history (snapshots are by département)."""
    if territory.level == "structure":
        return []
    on = on or timezone.localdate()
    since = (on.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    snapshots = DailySnapshot.objects.filter(territory.departments("department"), date__gte=since,
                                             date__lte=on)
    last_days = (snapshots.order_by().annotate(month=TruncMonth("date")).values("month")
                 .annotate(last=Max("date")).values("last"))
    return list(snapshots.filter(date__in=last_days).order_by().values("date")
                .annotate(**{name: Coalesce(Sum(name), Value(0), output_field=IntegerField())
                             for name in SNAPSHOT_FIELDS}).order_by("date"))


