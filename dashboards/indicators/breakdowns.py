"""The figures of a territory broken down by région or département (tables and map), and
the structures table of a département."""

from django.utils import timezone

from advisors import rollups

from ..cache import cached
from .base import PER_INHABITANTS, Territory, _ratio

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
    """The deployment's columns of each unit, from the rollups (``dashboards/rollups.py``):
    two grouped queries, plus the units' names."""
    from territories.models import Department, Region

    from ..rollups import DEPLOYMENT_FIELDS, deployment_grouped

    if by == "region":
        units = Region.objects.all()
        if territory.level == "region":
            units = units.filter(pk=territory.obj.pk)
    else:
        units = Department.objects.filter(territory.departments())
    empty = dict.fromkeys((*DEPLOYMENT_FIELDS, "recruited", "vacant", "accompaniments",
                           "people"), 0)
    rows = {unit["id"]: {**unit, **empty}
            for unit in units.values("id", "code", "name").order_by("code")}
    for unit, figures in deployment_grouped(territory.departments("department"), on,
                                            key).items():  # one aggregated row per unit
        if unit in rows:
            rows[unit].update(figures)
    return rows


def map_rows(territory: Territory, on=None):
    """The départements of the territory with their active advisors and that number per
    100,000 inhabitants, for the map and its table (three queries, cached)."""
    on = on or timezone.localdate()
    return cached(("map", territory, on), lambda: _map_rows(territory, on))


def _map_rows(territory: Territory, on):
    from territories.models import Department

    from ..rollups import deployment_grouped

    rows = {unit["id"]: {**unit, "active": 0, "population": 0}
            for unit in Department.objects.filter(territory.departments())
            .values("id", "code", "name").order_by("code")}
    for unit, figures in deployment_grouped(territory.departments("department"), on,
                                            "department_id", recruited=False).items():
        if unit in rows:  # one aggregated row per département
            rows[unit].update(active=figures["active"], population=figures["population"])
    result = list(rows.values())
    for row in result:
        row["per_100000"] = _ratio(row["active"], row["population"],
                                    factor=PER_INHABITANTS, digits=4)
    return result


def structures_table(territory: Territory, on=None):
    """The structures of a département with a validated application, with their posts:
    derived from the structures' posts (one query, cached, shared with the vacant posts)."""
    from .deployment import structures_with_posts

    on = on or timezone.localdate()
    return [
        {"pk": row["pk"], "name": row["name"], "commune__name": row["commune__name"],
         "granted_posts": row["granted_posts"], "occupied_posts": row["occupied_posts"],
         "vacant_posts": row["vacant_posts"]}
        for row in cached(("structure-posts", territory, on),
                          lambda: structures_with_posts(territory, on))
        if row["validated"]]


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
