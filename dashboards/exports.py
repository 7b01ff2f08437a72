"""Exports of the dashboards: each table as CSV or XLSX (built at once), and the large
exports (every activity report of a territory) built by a Celery task with a progress."""

import csv
import decimal
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from advisors.models import AGE_BANDS, STATUS_BANDS, ActivityReport, ActivityTheme

from .models import ExportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_cell(value):
    """A cell of a semicolon CSV a person opens in a French spreadsheet: decimal numbers
    with a decimal comma ("12,5"), which French Excel reads as numbers ("12.5" is text)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (float, decimal.Decimal)):
        return str(value).replace(".", ",")
    return value


def table_response(filename, headers, rows, fmt):
    """A small table (already aggregated) as a CSV (UTF-8 with BOM, ';') or XLSX download."""
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")  # so that spreadsheet programs read UTF-8
        writer = csv.writer(response, delimiter=";")
        writer.writerow(headers)
        writer.writerows([csv_cell(cell) for cell in row] for row in rows)
        return response
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Données"
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    workbook.save(response)
    return response


# --- large exports ----------------------------------------------------------------------------
ACTIVITY_COLUMNS = (
    ["Date", "Conseiller", "Structure", "SIRET", "Commune", "Code INSEE", "Département",
     "Canal", "Type", "Participants"]
    + [label for _name, label in AGE_BANDS] + [label for _name, label in STATUS_BANDS]
    + ["Thèmes", "Durée", "Réorientée vers"]
)
CHUNK = 500


def job_reports(job):
    """The activity reports an export job covers."""
    from territories.models import Department, Region

    reports = ActivityReport.objects.all()
    if job.level == "region":
        reports = reports.filter(commune__department__region=Region.objects.get(
            code=job.territory_code))
    elif job.level == "department":
        reports = reports.filter(commune__department=Department.objects.get(
            code=job.territory_code))
    elif job.level == "structure":
        reports = reports.filter(structure_id=int(job.territory_code))
    if job.date_from:
        reports = reports.filter(date__gte=job.date_from)
    if job.date_to:
        reports = reports.filter(date__lte=job.date_to)
    return reports


def _row(report, channels, kinds, durations, themes):
    structure = report.structure
    return ([report.date, f"{report.advisor.first_name} {report.advisor.last_name}",
             structure.name if structure else "", structure.siret if structure else "",
             report.commune.name, report.commune.insee_code, report.commune.department.code,
             channels.get(report.channel, report.channel), kinds.get(report.kind, report.kind),
             report.participants]
            + [getattr(report, name) for name, _label in AGE_BANDS]
            + [getattr(report, name) for name, _label in STATUS_BANDS]
            + [", ".join(themes.get(code, code) for code in report.themes),
               durations.get(report.duration, report.duration), report.redirected_to])


def run_export_job(job_id):
    """Builds the job's XLSX file. Idempotent: a finished job is left as it is; a job that
    was interrupted is rebuilt from the start (the file is replaced)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.DONE:
            return job and job.status
        job.status, job.progress = ExportJob.Status.RUNNING, 0
        job.save(update_fields=["status", "progress"])
    try:
        reports = job_reports(job)
        total = reports.count()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Comptes rendus d'activité")
        sheet.append(ACTIVITY_COLUMNS)
        labels = (dict(ActivityReport.Channel.choices), dict(ActivityReport.Kind.choices),
                  dict(ActivityReport.Duration.choices), dict(ActivityTheme.choices))
        done = 0
        rows = (reports.select_related("advisor", "structure", "commune__department")
                .order_by("date", "pk").iterator(chunk_size=CHUNK))
        for report in rows:
            sheet.append(_row(report, *labels))
            done += 1
            if done % CHUNK == 0:
                ExportJob.objects.filter(pk=job.pk).update(
                    progress=min(99, done * 100 // max(total, 1)))
        buffer = io.BytesIO()
        workbook.save(buffer)
        slug = job.territory_code or "france"
        # Under the job's random id: the file's address cannot be guessed, should the media
        # directory ever be served publicly. Downloads go through the view (requester only).
        name = f"{job.pk.hex}/activite-{job.level}-{slug}-{timezone.localdate():%Y%m%d}.xlsx"
        if job.file:
            job.file.delete(save=False)
        job.file.save(name, ContentFile(buffer.getvalue()), save=False)
        job.status, job.progress, job.finished_at = (ExportJob.Status.DONE, 100,
                                                     timezone.now())
        job.save(update_fields=["file", "status", "progress", "finished_at"])
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED,
                                                   error=str(error)[:1000])
        raise
    return job.status


def request_export(user, level, territory_code, date_from, date_to):
    """Records an export job and sends its task once the transaction commits. The same
    pending or running request of the same person is reused rather than duplicated."""
    from .tasks import build_export

    job = ExportJob.objects.filter(
        requester=user, level=level, territory_code=territory_code, date_from=date_from,
        date_to=date_to, status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING],
    ).first()
    if job is not None:
        return job
    job = ExportJob.objects.create(requester=user, kind="activity", level=level,
                                   territory_code=territory_code, date_from=date_from,
                                   date_to=date_to)
    transaction.on_commit(lambda: build_export.delay(str(job.pk)))
    return job
