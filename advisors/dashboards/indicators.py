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
    Contract,
    DailySnapshot,
    OpeningRange,
    ServicePoint,
    Structure,
    Theme,
)
from ..models.people import ContractQuerySet

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

    def filter(self, commune_path: str) -> Q:
        """Objects whose commune (path to a Commune) lies in the territory."""
        if self.level == "region":
            return Q(**{f"{commune_path}__department__region": self.obj})
        if self.level == "department":
            return Q(**{f"{commune_path}__department": self.obj})
        return Q()

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
    """Aggregates over Contract rows: each advisor counted once."""
    validated = Q(status=Contract.Status.VALIDATED)
    active = validated & Q(start__lte=on) & _running(on)
    in_training = (validated & _running(on) & Q(advisor__training_start__lte=on,
                                                  advisor__training_end__gte=on))
    return {
        "recruited": Count("advisor", distinct=True, filter=validated),
        "active": Count("advisor", distinct=True, filter=active),
        "in_training": Count("advisor", distinct=True, filter=in_training),
        "active_small_communes": Count("advisor", distinct=True, filter=active & Q(
            structure__commune__population__lt=SMALL_COMMUNE_POPULATION)),
        "ruptures": Count("pk", filter=Q(rupture_status=Contract.Rupture.VALIDATED,
                                         rupture_date__lte=on)),
    }


def _open_service_points():
    """Public service points with opening hours."""
    return ServicePoint.objects.public().filter(
        Exists(OpeningRange.objects.filter(service_point=OuterRef("pk"))))


def _theme_lookup(code):
    # The themes are a JSON list of codes: match the quoted code in its text (works on
    # SQLite and PostgreSQL alike; no code is a quoted part of another).
    return Q(themes__icontains=f'"{code}"')


def _activity_counts():
    counts = {
        "accompaniments": Count("pk"),
        "people": Coalesce(Sum("participants"), 0),
    }
    for kind in ActivityReport.Kind:
        counts[f"kind_{kind.value}"] = Count("pk", filter=Q(kind=kind))
    for channel in ActivityReport.Channel:
        counts[f"channel_{channel.value}"] = Count("pk", filter=Q(channel=channel))
    for name, _label in AGE_BANDS:
        counts[name] = Coalesce(Sum(name), 0)
    for theme in Theme:
        counts[f"theme_{theme.value}"] = Count("pk", filter=_theme_lookup(theme.value))
    return counts


def _ratio(part, whole, factor=100, digits=1):
    if not whole:
        return None
    return round(part * factor / whole, digits)


# --- the figures of one territory -------------------------------------------------------------
def posts(territory: Territory, on=None):
    structures = Structure.objects.with_posts(on).filter(
        territory.structures("pk", "commune"))
    totals = structures.aggregate(
        granted=Coalesce(Sum("granted_posts"), 0),
        occupied=Coalesce(Sum("occupied_posts"), 0),
        vacant=Coalesce(Sum("vacant_posts"), 0),
    )
    return totals


def advisors(territory: Territory, on=None):
    on = on or timezone.localdate()
    contracts = Contract.objects.filter(territory.structures("structure",
                                                             "structure__commune"))
    return contracts.aggregate(**_contract_counts(on))


def population(territory: Territory):
    from territories.models import Commune

    if territory.level == "structure":
        return None
    return Commune.objects.filter(_commune_filter(territory)).aggregate(
        total=Coalesce(Sum("population"), 0))["total"]


def _commune_filter(territory: Territory) -> Q:
    if territory.level == "region":
        return Q(department__region=territory.obj)
    if territory.level == "department":
        return Q(department=territory.obj)
    return Q()


def service_points(territory: Territory):
    return _open_service_points().filter(
        territory.structures("structure", "commune")).count()


def activity(territory: Territory, start, end):
    reports = ActivityReport.objects.filter(territory.activity()).between(start, end)
    totals = reports.aggregate(**_activity_counts())
    by_month = list(
        reports.order_by().annotate(month=TruncMonth("date")).values("month")
        .annotate(accompaniments=Count("pk"), people=Coalesce(Sum("participants"), 0))
        .order_by("month"))
    return {
        "totals": totals,
        "by_kind": [(kind.label, totals[f"kind_{kind.value}"]) for kind in ActivityReport.Kind],
        "by_channel": [(channel.label, totals[f"channel_{channel.value}"])
                       for channel in ActivityReport.Channel],
        "by_age": [(label, totals[name]) for name, label in AGE_BANDS],
        "by_theme": sorted(((theme.label, totals[f"theme_{theme.value}"]) for theme in Theme),
                           key=lambda pair: -pair[1]),
        "by_month": [(row["month"], row["accompaniments"], row["people"]) for row in by_month],
    }


def academy(territory: Territory, start, end):
    """Sessions held in the territory during the period, their enrolments and attendance."""
    from academy.models import Attendance, Enrolment, Session

    if territory.level == "structure":
        return None
    sessions = Session.objects.filter(
        _session_filter(territory), status=Session.Status.SCHEDULED,
        start__date__gte=start, start__date__lte=end)
    confirmed = Q(enrolments__status=Enrolment.Status.CONFIRMED)
    present = Q(enrolments__attendances__status=Attendance.Status.PRESENT)
    counts = {
        "sessions": Count("pk", distinct=True),
        "enrolled": Count("enrolments", distinct=True, filter=confirmed),
        "present": Count("enrolments__attendances", distinct=True, filter=present),
        "marked": Count("enrolments__attendances", distinct=True),
    }
    totals = sessions.aggregate(**counts)
    totals["enrolments"] = totals.pop("enrolled")
    totals["attendance_rate"] = _ratio(totals["present"], totals["marked"])
    by_department = list(
        sessions.filter(commune__isnull=False).order_by()
        .values(code=F("commune__department__code"), name=F("commune__department__name"))
        .annotate(**counts).order_by("code"))
    for row in by_department:  # ~100 aggregated rows at most: a rate per row
        row["attendance_rate"] = _ratio(row["present"], row["marked"])
        row["enrolments"] = row.pop("enrolled")
    totals["by_department"] = by_department
    return totals


def _session_filter(territory: Territory) -> Q:
    if territory.level == "region":
        return Q(commune__department__region=territory.obj)
    if territory.level == "department":
        return Q(commune__department=territory.obj)
    return Q()


def summary(territory: Territory, start, end, on=None):
    """Every headline figure of a territory (about ten queries)."""
    on = on or timezone.localdate()
    figures = {**posts(territory, on), **advisors(territory, on)}
    figures["target"] = ADVISORS_NATIONAL_TARGET if territory.level == "national" else None
    figures["target_rate"] = _ratio(figures["granted"], figures["target"])
    figures["activation_rate"] = _ratio(figures["active"], figures["granted"])
    figures["population"] = population(territory)
    figures["per_10000"] = _ratio(figures["active"], figures["population"],
                                  factor=PER_INHABITANTS, digits=2)
    figures["small_communes_rate"] = _ratio(figures["active_small_communes"],
                                            figures["active"])
    figures["service_points"] = service_points(territory)
    figures["activity"] = activity(territory, start, end)
    figures["academy"] = academy(territory, start, end)
    return figures


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
    territory, with the indicators of ``BREAKDOWN_COLUMNS``. Seven grouped queries."""
    from territories.models import Commune, Department, Region

    on = on or timezone.localdate()
    # Path from a Commune to the grouping key.
    key = "department__region_id" if by == "region" else "department_id"
    if by == "region":
        units = Region.objects.all()
        if territory.level == "region":
            units = units.filter(pk=territory.obj.pk)
    else:
        units = Department.objects.filter(_department_filter(territory))
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

    scope = territory.structures("pk", "commune")
    merge(Structure.objects.with_posts(on).filter(scope).order_by()
          .values(unit=F(f"commune__{key}"))
          .annotate(granted=Sum("granted_posts"), occupied=Sum("occupied_posts"),
                    vacant=Sum("vacant_posts")))
    merge(Contract.objects.filter(territory.structures("structure", "structure__commune"))
          .order_by().values(unit=F(f"structure__commune__{key}"))
          .annotate(**_contract_counts(on)))
    merge(Commune.objects.filter(_commune_filter(territory)).order_by()
          .values(unit=F(key)).annotate(population=Coalesce(Sum("population"), 0)))
    merge(_open_service_points().filter(territory.structures("structure", "commune"))
          .order_by().values(unit=F(f"commune__{key}")).annotate(service_points=Count("pk")))
    merge(ActivityReport.objects.filter(territory.activity()).between(start, end).order_by()
          .values(unit=F(f"commune__{key}"))
          .annotate(accompaniments=Count("pk"),
                    people=Coalesce(Sum("participants"), 0)))
    result = list(rows.values())
    for row in result:  # derived rates of each aggregated row
        row["activation_rate"] = _ratio(row["active"], row["granted"])
        row["per_10000"] = _ratio(row["active"], row["population"], factor=PER_INHABITANTS,
                                  digits=2)
    return result


def structures_table(territory: Territory, on=None):
    """The structures of a département with their posts (one query)."""
    return list(Structure.objects.with_posts(on).filter(territory.filter("commune"))
                .with_validated_application()
                .values("pk", "name", "commune__name", "granted_posts", "occupied_posts",
                        "vacant_posts").order_by("name", "pk"))


def _department_filter(territory: Territory) -> Q:
    if territory.level == "region":
        return Q(region=territory.obj)
    if territory.level == "department":
        return Q(pk=territory.obj.pk)
    return Q()


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
    snapshots = DailySnapshot.objects.filter(_snapshot_filter(territory), date__gte=since,
                                             date__lte=on)
    last_days = (snapshots.order_by().annotate(month=TruncMonth("date")).values("month")
                 .annotate(last=Max("date")).values("last"))
    return list(snapshots.filter(date__in=last_days).order_by().values("date")
                .annotate(**{name: Coalesce(Sum(name), Value(0), output_field=IntegerField())
                             for name in SNAPSHOT_FIELDS}).order_by("date"))


def _snapshot_filter(territory: Territory) -> Q:
    if territory.level == "region":
        return Q(department__region=territory.obj)
    if territory.level == "department":
        return Q(department=territory.obj)
    return Q()
