"""Dashboard exports: each table of a page as CSV or XLSX at once, and the large export
(every activity report of the territory) built by a Celery job whose progress the person
follows; only its requester may see or download it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import private_files
from core.exports import CONTENT_TYPES, XLSX

from . import exports
from .access import territory_of
from .models import ExportJob
from .period import PeriodForm, bad_period, period_of


@login_required
def table_export(request, level, code, table, fmt):
    """A table of a dashboard page as CSV or XLSX (``exports.TABLES``), over the period of
    the page's address."""
    export_class = exports.TABLES.get(table)
    if export_class is None or fmt not in export_class.formats:
        raise Http404
    territory = territory_of(request, level, None if level == "national" else code)
    form, start, end = period_of(request)
    if start is None:
        return bad_period(form)
    export = export_class(request.user, territory=territory, start=start, end=end,
                          sort=request.GET.get("tri", ""))
    if not export.offered():
        raise Http404
    return export.response(fmt)


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
                               content_type=CONTENT_TYPES[XLSX])
