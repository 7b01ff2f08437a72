"""Dashboard exports: each table of a page as CSV or XLSX at once, and the large export
(every activity report of the territory) built by a Celery job whose progress the person
follows; only its requester may see or download it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import private_files

from . import exports, indicators
from .access import territory_of
from .indicators import BREAKDOWN_COLUMNS
from .models import ExportJob
from .period import PeriodForm, bad_period, period_of

TABLES = {"repartition", "activite", "academie", "historique"}


@login_required
def table_export(request, level, code, table, fmt):
    if fmt not in ("csv", "xlsx") or table not in TABLES:
        raise Http404
    territory = territory_of(request, level, None if level == "national" else code)
    form, start, end = period_of(request)
    if start is None:
        return bad_period(form)
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
    territory = territory_of(request, level, None if level == "national" else code)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        return bad_period(form)
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
    return render(request, "dashboards/export_job.html", {"job": job})


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
