"""Activity totals per advisor and month (``AdvisorActivityMonth``), for the personal
statistics: an advisor's own, a coordinator's team, a structure's. Read by month, kind and
theme without scanning the reports.

Kept in the very places that keep the département totals (``advisors.rollups``): its
``add`` and ``remove`` call ``add`` here in the report's transaction, and its ``rebuild``
calls ``rebuild`` here, so the services, the factories and the bulk loaders (demo, national
generator, weekly job) keep both.

A report is counted on one row per theme it has (``first_theme`` marks the row of its first
theme): totals read the ``first_theme`` rows, or the rows of the chosen theme; the themes'
counts are the accompaniments grouped by theme.
"""

import datetime

from django.db import connection
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from .models import ActivityReport, ActivityTheme
from .models.rollups import AdvisorActivityMonth

KEYS = ("advisor_id", "structure_id", "service_point_id", "month", "kind", "theme",
        "first_theme")
CHANNELS = [f"channel_{channel}" for channel in ActivityReport.Channel.values]
BANDS = [field.name for field in AdvisorActivityMonth._meta.get_fields()
         if field.name.startswith(("age_", "status_"))]
COUNTERS = ["accompaniments", "people", *CHANNELS, *BANDS]
NO_THEME = ""  # the row of a report without any theme (bulk data only: the form asks one)


def _themes(report):
    themes = [code for code in (report.themes or []) if isinstance(code, str)]
    return list(dict.fromkeys(themes)) or [NO_THEME]


def _counters(report):
    values = {"accompaniments": 1, "people": report.participants or 0,
              f"channel_{report.channel}": 1}
    for name in BANDS:
        values[name] = getattr(report, name, 0) or 0
    return {name: value for name, value in values.items() if name in COUNTERS and value}


# --- writing ----------------------------------------------------------------------------------
def add(report, sign=1):
    """Counts ``report`` (``sign=-1`` takes it back, as it was counted) on its rows: one per
    theme. Row-level increments, as the département totals: a concurrent report of the
    same advisor waits for the row's lock, nothing is lost."""
    changes = {name: F(name) + sign * value for name, value in _counters(report).items()}
    month = report.date.replace(day=1)
    cells = sorted((theme, n == 0) for n, theme in enumerate(_themes(report)))
    for theme, first in cells:  # always in the same order: no two writers wait on each other
        key = {"advisor_id": report.advisor_id, "structure_id": report.structure_id,
               "service_point_id": report.service_point_id, "month": month,
               "kind": report.kind, "theme": theme, "first_theme": first}
        AdvisorActivityMonth.objects.bulk_create([AdvisorActivityMonth(**key)],
                                                 ignore_conflicts=True)
        lookup = dict(key)
        for name in ("structure_id", "service_point_id"):
            if lookup[name] is None:
                lookup[f"{name.removesuffix('_id')}__isnull"] = True
                del lookup[name]
        AdvisorActivityMonth.objects.filter(**lookup).update(**changes)


def remove(report):
    add(report, sign=-1)


def _report_aggregates():
    aggregates = {"accompaniments": Count("pk"), "people": Sum("participants")}
    for channel in ActivityReport.Channel.values:
        aggregates[f"channel_{channel}"] = Count("pk", filter=Q(channel=channel))
    report_fields = {field.name for field in ActivityReport._meta.get_fields()}
    for name in BANDS:
        aggregates[name] = Sum(name) if name in report_fields else Value(0)
    return aggregates


def rebuild(start=None, end=None):
    """Recomputes the rows of the months from ``start`` to ``end`` (whole months; the whole
    history by default) from the reports: one grouped query per theme. Returns the number of
    rows written. Called by ``advisors.rollups.rebuild``, in its transaction."""
    reports = ActivityReport.objects.order_by()
    rows = AdvisorActivityMonth.objects.all()
    if start is not None:
        start = start.replace(day=1)
        reports, rows = reports.filter(date__gte=start), rows.filter(month__gte=start)
    if end is not None:
        after = (end.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        reports, rows = reports.filter(date__lt=after), rows.filter(month__lt=after)
    rows.delete()
    if connection.vendor == "postgresql":
        return _rebuild_in_postgresql(start, after if end is not None else None)
    groups = [(theme, reports.filter(themes__icontains=f'"{theme}"'),
               Case(When(themes__0=theme, then=Value(True)), default=Value(False)))
              for theme in ActivityTheme.values]
    # Reports without a theme (possible in bulk data only) are counted once all the same.
    groups.append((NO_THEME, reports.filter(themes=[]),
                   Value(True)))
    written = 0
    for theme, selected, first in groups:
        batch = []
        grouped = (selected.values("advisor_id", "structure_id", "service_point_id", "kind",
                                   month=TruncMonth("date"), first_theme=first)
                   .annotate(**_report_aggregates()))
        for row in grouped.iterator(chunk_size=5000):
            if isinstance(row["month"], datetime.datetime):
                row["month"] = row["month"].date()
            batch.append(AdvisorActivityMonth(theme=theme, **row))
            if len(batch) == 5000:
                written += len(AdvisorActivityMonth.objects.bulk_create(batch))
                batch = []
        written += len(AdvisorActivityMonth.objects.bulk_create(batch))
    return written


def _rebuild_in_postgresql(start, before):
    """The same rows in one ``INSERT … SELECT`` (each report joined to its distinct themes,
    the first one marked): 2,000,000 reports never travel through Python."""
    table = AdvisorActivityMonth._meta.db_table
    reports = ActivityReport._meta.db_table
    report_columns = {field.column for field in ActivityReport._meta.concrete_fields}
    channels = ", ".join("count(*) FILTER (WHERE r.channel = %s)"
                         for _channel in ActivityReport.Channel.values)
    bands = ", ".join(f'coalesce(sum(r."{name}"), 0)' if name in report_columns else "0"
                      for name in BANDS)
    columns = ", ".join(f'"{name}"' for name in (
        "advisor_id", "structure_id", "service_point_id", "month", "kind", "theme",
        "first_theme", *COUNTERS))
    where, params = ["t.theme = ANY(%s)"], [list(ActivityReport.Channel.values),
                                            [*ActivityTheme.values, NO_THEME]]
    if start is not None:
        where.append("r.date >= %s")
        params.append(start)
    if before is not None:
        where.append("r.date < %s")
        params.append(before)
    sql = f"""
        INSERT INTO {table} ({columns})
        SELECT r.advisor_id, r.structure_id, r.service_point_id,
               date_trunc('month', r.date)::date, r.kind, t.theme, t.ord = 1,
               count(*), coalesce(sum(r.participants), 0), {channels}, {bands}
        FROM {reports} r
        CROSS JOIN LATERAL (
            SELECT e.theme, min(e.ord) AS ord
            FROM jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(r.themes) = 'array' AND jsonb_array_length(r.themes) > 0
                     THEN r.themes ELSE '[""]'::jsonb END) WITH ORDINALITY AS e(theme, ord)
            GROUP BY e.theme) t
        WHERE {" AND ".join(where)}
        GROUP BY 1, 2, 3, 4, 5, 6, 7"""
    flat = [*params[0], *params[1:]]
    with connection.cursor() as cursor:
        cursor.execute(sql, flat)
        return cursor.rowcount


# --- reading ----------------------------------------------------------------------------------
def _sums(names):
    return {name: Sum(name) for name in names}


def _zeros(row, names):
    return {name: row.get(name) or 0 for name in names}


def statistics(condition: Q, first_month, last_month, *, kind=None, theme=None, by_advisor=False):
    """Every figure of a personal statistics page over the rows of ``condition`` (e.g.
    ``Q(advisor_id=…)``, ``Q(advisor_id__in=…)``, ``Q(structure_id=…)``), the months from
    ``first_month`` to ``last_month`` (first days), the reports of ``kind`` and ``theme``
    (None: all). Six grouped queries at most, each over that person's rows only."""
    rows = AdvisorActivityMonth.objects.filter(
        condition, month__gte=first_month, month__lte=last_month).order_by()
    if kind:
        rows = rows.filter(kind=kind)
    # Each report once: on the row of the chosen theme, else on the row of its first theme.
    selected = rows.filter(theme=theme) if theme else rows.filter(first_theme=True)
    totals = _zeros(selected.aggregate(**_sums(COUNTERS)), COUNTERS)
    by_kind = {row["kind"]: _zeros(row, ("accompaniments", "people"))
               for row in selected.values("kind").annotate(**_sums(("accompaniments",
                                                                     "people")))}
    by_month = {}
    for row in selected.values("month").annotate(**_sums(("accompaniments", "people"))):
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        by_month[month] = _zeros(row, ("accompaniments", "people"))
    by_place = {row["service_point_id"]: _zeros(row, ("accompaniments", "people"))
                for row in selected.values("service_point_id")
                .annotate(**_sums(("accompaniments", "people")))}
    by_theme = {row["theme"]: row["accompaniments"] or 0
                for row in rows.values("theme").annotate(accompaniments=Sum("accompaniments"))
                if row["theme"] != NO_THEME and (not theme or row["theme"] == theme)}
    figures = {"totals": totals, "by_kind": by_kind, "by_month": by_month,
               "by_place": by_place, "by_theme": by_theme}
    if by_advisor:
        figures["by_advisor"] = {
            row["advisor_id"]: _zeros(row, ("accompaniments", "people"))
            for row in selected.values("advisor_id").annotate(**_sums(("accompaniments",
                                                                        "people")))}
    return figures
