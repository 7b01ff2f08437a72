"""The figures of a territory broken down by région or département (tables and map), and
the structures table of a département."""

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from advisors import rollups
from advisors.models import Contract, Structure

from ..cache import cached
from .base import PER_INHABITANTS, Territory, _ratio
from .deployment import _contract_counts, _open_service_points, post_totals

BREAKDOWN_COLUMNS = [
    ("name", "Territoire"),
    ("granted", "Postes accordés"),
    ("recruited", "Conseillers recrutés"),
    ("active", "Conseillers en poste"),
    ("in_training", "En formation"),
    ("vacant", "Postes vacants"),
    ("activation_rate", "Taux d'activation (%)"),
    ("ruptures", "Ruptures"),
    ("per_100000", "Conseillers pour 100 000 habitants"),
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
        row["per_100000"] = _ratio(row["active"], row["population"],
                                    factor=PER_INHABITANTS, digits=4)
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
    100,000 inhabitants, for the map and its table (three queries, cached)."""
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
        row["per_100000"] = _ratio(row["active"], row["population"],
                                    factor=PER_INHABITANTS, digits=4)
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
