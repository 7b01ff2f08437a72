"""Dashboard pages (``/tableau-de-bord/``): each person is sent to their own; who may open
which one is ``access.py``, the period ``period.py``, the charts ``charts.py``, the exports
``export_views.py``."""


from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from advisors import permissions
from advisors.models import Advisor, Structure
from territories.models import Department, Region

from . import indicators
from .access import FORBIDDEN, code_of, territory_of, url_of
from .cache import cached
from .charts import bars, choropleth, history_chart
from .indicators import BREAKDOWN_COLUMNS
from .indicators.vacancies import vacancies
from .period import period_of
from .whole_pages import keep_whole_page


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
    if Advisor.objects.filter(user=request.user).exists():  # advisors and coordinators
        return redirect("dashboards:my_statistics")
    raise PermissionDenied(FORBIDDEN)


def _dashboard(request, level, code=None):
    keep_whole_page(request)
    territory = territory_of(request, level, code)
    form, start, end = period_of(request)
    today = timezone.localdate()
    sort = _known_sort(request.GET.get("tri", ""))
    if start is None:  # the errors next to the fields, and no figure
        return render(request, "dashboards/dashboard.html", {
            "territory": territory, "level": level, "form": form, "today": today,
            "base_url": url_of(level, territory), "sort": sort, "period_error": True,
            "territory_code": code_of(level, territory)})
    # Everything below the period form is the same for whoever may open this dashboard: it
    # is rendered once, then read back until a figure it shows changes (cache.py).
    figures = cached(("page", level, territory, start, end, sort, today),
                     lambda: _render_figures(level, territory, start, end, today, sort),
                     with_activity=True)
    return render(request, "dashboards/dashboard.html", {
        "territory": territory, "level": level, "form": form, "start": start, "end": end,
        "today": today, "base_url": url_of(level, territory), "sort": figures["sort"],
        "territory_code": code_of(level, territory),
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
        "academy": figures["academy"], "dif": figures["dif"],
        "base_url": url_of(level, territory),
        "period_query": f"du={start:%Y-%m-%d}&au={end:%Y-%m-%d}",
        "history": indicators.history(territory, on=today),
        "territory_code": code_of(level, territory), "sort": "",
    }
    context["history_chart"] = history_chart(context["history"])
    activity = figures["activity"]
    context["charts"] = [
        ("kind", "Accompagnements par type", bars(activity["by_kind"])),
        ("channel", "Accompagnements par canal", bars(activity["by_channel"])),
        ("theme", "Accompagnements par thème", bars(activity["by_theme"])),
        ("age", "Personnes accompagnées par tranche d'âge", bars(activity["by_age"])),
        ("month", "Accompagnements par mois",
         bars([(f"{month:%m/%Y}", count) for month, count, _people in activity["by_month"]])),
    ]
    by = {"national": "region", "region": "department"}.get(level)
    if by:
        rows, sort = indicators.sort_rows(
            indicators.breakdown(by, territory, start, end, on=today), sort)
        context.update(breakdown=rows, sort=sort, breakdown_by=by,
                       columns=_columns(sort))
    if by:
        # One reverse() for every row's link (codes are letters and digits), instead of a
        # {% url %} per row; rows are copied (the cached ones are shared).
        unit_link = _link(f"dashboards:{by}")
        context["breakdown"] = [{**row, "url": unit_link(row["code"])}
                                for row in context["breakdown"]]
    if level in ("department", "structure"):
        structure_link = _link("dashboards:structure", 0)
    if level == "department":
        # The three posts' cells written here: the same digits as the template's number
        # formatting (integers, no thousands separator), without its cost for ~100 rows.
        context["structures"] = [
            {**row, "url": structure_link(row["pk"]),
             "posts_cells": mark_safe("".join(  # noqa: S308 (integers only)
                 f"<td>{int(row[name])}</td>"
                 for name in ("granted_posts", "occupied_posts", "vacant_posts")))}
            for row in indicators.structures_table(territory, on=today)]
    if level in ("department", "structure"):
        context["vacancies"] = [
            {**vars(vacancy), "url": structure_link(vacancy.structure_id)}
            for vacancy in vacancies(territory, on=today)]
    if level in ("national", "region"):
        link = _link("dashboards:department")
        departments = (context["breakdown"] if by == "department" else
                       [{**row, "url": link(row["code"])}
                        for row in indicators.map_rows(territory, on=today)])
        context["map"] = choropleth(departments, "active", "Conseillers en poste", link)
    return {"sort": context["sort"],
            "top": render_to_string("dashboards/includes/figures_top.html", context),
            "bottom": render_to_string("dashboards/includes/figures_bottom.html",
                                       context)}


def _link(name, placeholder="CODE"):
    """A function giving the URL of ``name`` for one code or pk: reverse() once with a
    placeholder, then a replacement per row (the same URL as reverse() for codes and pks
    made of letters and digits)."""
    prefix, _placeholder, suffix = reverse(name, args=[placeholder]).rpartition(
        f"/{placeholder}/")
    return lambda value: f"{prefix}/{value}/{suffix}"


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
