"""The history of the deployment, from the daily snapshots (``DailySnapshot``)."""

import datetime

from django.db.models import IntegerField, Max, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from ..models import DailySnapshot
from .base import Territory
from .breakdowns import breakdown

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
