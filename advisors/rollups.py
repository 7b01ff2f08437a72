"""Activity totals per département and per day and month, so the dashboards read a few
thousand rows instead of millions of activity reports.

- ``add(report)`` counts one new report, in the transaction that records it (see
  ``advisors.services.activity.record_activity``): the totals are never behind the reports.
- ``rebuild()`` recomputes them from the reports; bulk loads (demo data, the national-scale
  generator, imports made outside the services) call it, and a weekly beat job runs it as a
  safety net. It is idempotent.
- ``remove(report)`` takes a report back out, in the transaction that corrects (remove the
  old, add the new) or deletes it.
- Each of them keeps the totals per advisor and month as well (``advisor_rollups``, the
  personal statistics), in the same transaction.
- Both send ``signals.activity_totals_changed`` in their transaction (the dashboards renew
  their cache version on it).
- ``totals()``, ``grouped()`` and ``by_month()`` read a period: whole months from the month
  table, the days at either end from the day table (at most two partial months).
"""

import datetime

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from . import advisor_rollups
from .models import (
    AGE_BANDS,
    STATUS_BANDS,
    ActivityDay,
    ActivityMonth,
    ActivityReport,
    ActivityTheme,
)
from .signals import activity_totals_changed

BAND_FIELDS = [name for name, _label in AGE_BANDS + STATUS_BANDS]
COUNTERS = (["accompaniments", "people"]
            + [f"kind_{kind}" for kind in ActivityReport.Kind.values]
            + [f"channel_{channel}" for channel in ActivityReport.Channel.values]
            + BAND_FIELDS
            + [f"theme_{theme}" for theme in ActivityTheme.values])


def _theme_lookup(code):
    # The themes are a JSON list of codes: match the quoted code in its text (works on
    # SQLite and PostgreSQL alike; no code is a quoted part of another).
    return Q(themes__icontains=f'"{code}"')


def report_aggregates():
    """Each counter as an aggregate over ActivityReport rows."""
    aggregates = {"accompaniments": Count("pk"), "people": Coalesce(Sum("participants"), 0)}
    for kind in ActivityReport.Kind.values:
        aggregates[f"kind_{kind}"] = Count("pk", filter=Q(kind=kind))
    for channel in ActivityReport.Channel.values:
        aggregates[f"channel_{channel}"] = Count("pk", filter=Q(channel=channel))
    for name in BAND_FIELDS:
        aggregates[name] = Coalesce(Sum(name), 0)
    for theme in ActivityTheme.values:
        aggregates[f"theme_{theme}"] = Count("pk", filter=_theme_lookup(theme))
    return aggregates


def _total_aggregates(names=COUNTERS):
    """Each counter as a sum over rollup rows (NULL over no row: read as 0 by the callers;
    wrapping forty sums in Coalesce doubled the time Django takes to build the query)."""
    return {name: Sum(name) for name in names}


# --- writing ----------------------------------------------------------------------------------
def counters_of(report) -> dict:
    """What one report adds to its day's and month's totals."""
    values = {"accompaniments": 1, "people": report.participants,
              f"kind_{report.kind}": 1, f"channel_{report.channel}": 1}
    for name in BAND_FIELDS:
        values[name] = getattr(report, name) or 0
    for theme in report.themes or []:
        values[f"theme_{theme}"] = 1
    return {name: value for name, value in values.items() if name in COUNTERS and value}


def add(report, sign=1):
    """Counts ``report`` (``sign=-1`` takes it back) in its département's totals of its day
    and month. Row-level increments: concurrent reports of one département serialise on the
    row's lock for the rest of their transaction, and nothing is lost."""
    from territories.models import Commune

    department_id = (Commune.objects.filter(pk=report.commune_id)
                     .values_list("department_id", flat=True).first())
    if department_id is None:
        return
    changes = {name: F(name) + sign * value for name, value in counters_of(report).items()}
    for model, key in ((ActivityDay, {"day": report.date}),
                       (ActivityMonth, {"month": report.date.replace(day=1)})):
        model.objects.bulk_create([model(department_id=department_id, **key)],
                                  ignore_conflicts=True)
        model.objects.filter(department_id=department_id, **key).update(**changes)
    # The same report in its advisor's totals (personal statistics), in this transaction.
    advisor_rollups.add(report, sign)
    # Dashboard pages rendered from the old totals are not reused.
    activity_totals_changed.send(sender=ActivityDay, department_id=department_id,
                                 day=report.date)


def remove(report):
    """Takes ``report`` (as it was counted: read it from the database before changing it)
    out of its day's and month's totals, in the transaction that edits or deletes it (see
    ``advisors.services.activity``). Rows left at zero stay: deleting them could drop the
    increment of a report recorded at the same time."""
    add(report, sign=-1)


def rebuild(start=None, end=None):
    """Recomputes the totals of the reports dated from ``start`` to ``end`` (whole history by
    default) and of the months around them. Returns the number of day rows written."""
    reports = ActivityReport.objects.order_by()
    days = ActivityDay.objects.all()
    months = ActivityMonth.objects.all()
    if start is not None:
        reports, days = reports.filter(date__gte=start), days.filter(day__gte=start)
        months = months.filter(month__gte=start.replace(day=1))
    if end is not None:
        reports, days = reports.filter(date__lte=end), days.filter(day__lte=end)
        months = months.filter(month__lte=end.replace(day=1))
    rows = (reports.values(department_id=F("commune__department_id"), day=F("date"))
            .annotate(**report_aggregates()))
    with transaction.atomic():
        days.delete()
        written = 0
        batch = []
        for row in rows.iterator(chunk_size=5000):  # one row per département and day
            batch.append(ActivityDay(**row))
            if len(batch) == 5000:
                written += len(ActivityDay.objects.bulk_create(batch))
                batch = []
        written += len(ActivityDay.objects.bulk_create(batch))
        # Months are summed from the day rows, whole months only.
        month_days = ActivityDay.objects.order_by()
        if start is not None:
            month_days = month_days.filter(day__gte=start.replace(day=1))
        if end is not None:
            month_days = month_days.filter(day__lt=_next_month(end))
        months.delete()
        ActivityMonth.objects.bulk_create(
            ActivityMonth(**row) for row in
            month_days.values("department_id", month=TruncMonth("day"))
            .annotate(**_total_aggregates()))
        advisor_rollups.rebuild(start, end)  # the advisors' months, from the same reports
    activity_totals_changed.send(sender=ActivityDay, department_id=None, day=None)
    return written


def _next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


# --- reading ----------------------------------------------------------------------------------
def split(start, end):
    """The period as whole months and the day ranges around them:
    ``((first_month, last_month) or None, [(from, to), …])``."""
    first_month = start if start.day == 1 else _next_month(start)
    after_end = end + datetime.timedelta(days=1)
    stop = after_end.replace(day=1)  # the first day of the month after the last whole one
    if first_month >= stop:
        return None, [(start, end)]
    last_month = (stop - datetime.timedelta(days=1)).replace(day=1)
    edges = []
    if start < first_month:
        edges.append((start, first_month - datetime.timedelta(days=1)))
    if stop <= end:
        edges.append((stop, end))
    return (first_month, last_month), edges


def _parts(department_filter: Q, start, end):
    """The month rows and the day rows that make up the period."""
    months, edges = split(start, end)
    parts = []
    if months is not None:
        parts.append(("month", ActivityMonth.objects.filter(
            department_filter, month__gte=months[0], month__lte=months[1]).order_by()))
    if edges:
        in_edges = Q()
        for first, last in edges:
            in_edges |= Q(day__gte=first, day__lte=last)
        parts.append(("day", ActivityDay.objects.filter(department_filter, in_edges)
                      .order_by()))
    return parts


def totals(department_filter: Q, start, end, names=COUNTERS) -> dict:
    """The counters of the period over the départements of ``department_filter`` (a Q on a
    rollup row, e.g. ``Q(department__region=…)``). At most two aggregate queries."""
    result = dict.fromkeys(names, 0)
    for _span, rows in _parts(department_filter, start, end):
        for name, value in rows.aggregate(**_total_aggregates(names)).items():
            result[name] += value or 0
    return result


def grouped(department_filter: Q, start, end, key: str, names=COUNTERS) -> dict:
    """``{key value: {counter: total}}``, ``key`` a path from a rollup row such as
    ``department_id`` or ``department__region_id``. At most two grouped queries."""
    result = {}
    for _span, rows in _parts(department_filter, start, end):
        for row in rows.values(unit=F(key)).annotate(**_total_aggregates(names)):
            unit = row.pop("unit")  # one aggregated row per unit
            into = result.setdefault(unit, dict.fromkeys(names, 0))
            for name, value in row.items():
                into[name] += value or 0
    return result


def by_month(department_filter: Q, start, end, names=("accompaniments", "people")):
    """``[(first day of month, {counter: total}), …]`` in order. At most two queries."""
    result = {}
    for span, rows in _parts(department_filter, start, end):
        month = F("month") if span == "month" else TruncMonth("day")
        for row in rows.values(period=month).annotate(**_total_aggregates(names)):
            period = row.pop("period")  # one aggregated row per month
            if isinstance(period, datetime.datetime):
                period = period.date()
            into = result.setdefault(period, dict.fromkeys(names, 0))
            for name, value in row.items():
                into[name] += value or 0
    return sorted(result.items())
