"""The activity of a period: accompaniments and people, by kind, channel, age, theme and
month, read from the activity rollups (``advisors/rollups.py``)."""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncMonth

from advisors import rollups
from advisors.models import AGE_BANDS, ActivityReport, ActivityTheme

from .base import Territory


def activity(territory: Territory, start, end):
    """The activity of the period: from the rollups (two small queries), except for one
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
        # Every counter by month (two queries: whole months, days at the ends), the
        # period's totals being their sums: the same rows as ``rollups.totals`` reads,
        # without reading them twice.
        by_month = rollups.by_month(territory.departments("department"), start, end,
                                    names=rollups.COUNTERS)
        totals = dict.fromkeys(rollups.COUNTERS, 0)
        for _month, row in by_month:
            for name, value in row.items():
                totals[name] += value
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
