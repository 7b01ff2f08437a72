"""Exports of the dashboards, declared with ``core.exports``: each table of a page (CSV or
XLSX, built at once) and the large export of every activity report of a territory (XLSX,
built by a Celery job with a progress). The writing (BOM, ';', French dates and decimals,
inert formulas, typed cells) is ``core.exports``'s.

The tables are only ever built for a territory the view has let the person open
(``access.territory_of``): ``allowed`` asks no more than a signed-in person."""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from advisors.models import AGE_BANDS, STATUS_BANDS, ActivityReport, ActivityTheme
from core.exports import XLSX, Export

from . import indicators, personal
from .models import ExportJob
from .period import default_period

# --- the tables of a dashboard page ----------------------------------------------------------
HISTORY_COLUMNS = [("granted_posts", "Postes accordés"), ("recruited", "Recrutés"),
                   ("active", "En poste"), ("in_training", "En formation"),
                   ("vacant_posts", "Postes vacants"), ("ruptures", "Ruptures"),
                   ("service_points", "Lieux ouverts"),
                   ("accompaniments", "Accompagnements (cumul)")]


class DashboardTable(Export):
    """A table of a dashboard page over ``territory`` and the period ``start``–``end``
    (by default the whole country over the page's default period)."""

    table = ""  # its name in the address (``…/<table>.csv``)
    params = ("territory", "start", "end", "sort")

    def __init__(self, user=None, **params):
        super().__init__(user, **params)
        default_start, default_end = default_period()
        self.territory = self.territory or indicators.Territory("national")
        self.start, self.end = self.start or default_start, self.end or default_end

    @classmethod
    def allowed(cls, user):
        return user is not None and user.is_authenticated

    def offered(self):
        """False when the page has no such table (the view answers 404)."""
        return True

    def get_filename(self):
        territory = self.territory
        slug = ("france" if territory.level == "national" else
                str(territory.obj.pk) if territory.level == "structure" else territory.obj.code)
        return f"tableau-de-bord-{self.table}-{slug}"


class BreakdownTable(DashboardTable):
    identifier = "dashboards.breakdown"
    verbose_name = "Tableau de bord : répartition par territoire"
    table = "repartition"

    def by(self):
        return {"national": "region", "region": "department"}.get(self.territory.level)

    def offered(self):
        return self.by() is not None

    def headers(self):
        return [label for _name, label in indicators.BREAKDOWN_COLUMNS]

    def rows(self):
        rows, _sort = indicators.sort_rows(
            indicators.breakdown(self.by(), self.territory, self.start, self.end,
                                 on=timezone.localdate()), self.sort or "")
        for row in rows:
            yield [row.get(name) for name, _label in indicators.BREAKDOWN_COLUMNS]


class ActivityTable(DashboardTable):
    identifier = "dashboards.activity"
    verbose_name = "Tableau de bord : activité"
    table = "activite"

    def headers(self):
        return ["Répartition", "Catégorie", "Nombre"]

    def rows(self):
        activity = indicators.activity(self.territory, self.start, self.end)
        for heading, key in (("Type", "by_kind"), ("Canal", "by_channel"),
                             ("Thème", "by_theme"), ("Tranche d'âge", "by_age")):
            for label, value in activity[key]:
                yield [heading, label, value]
        for month, count, _people in activity["by_month"]:
            yield ["Mois", f"{month:%m/%Y}", count]


class AcademyTable(DashboardTable):
    identifier = "dashboards.academy"
    verbose_name = "Tableau de bord : académie"
    table = "academie"

    def offered(self):
        return self.territory.level != "structure"

    def headers(self):
        return ["Département", "Sessions", "Inscriptions", "Taux de présence (%)"]

    def rows(self):
        academy = indicators.academy(self.territory, self.start, self.end) or {}
        for row in academy.get("by_department", []):
            yield [f"{row['name']} ({row['code']})", row["sessions"], row["enrolments"],
                   row["attendance_rate"]]


class DifTable(DashboardTable):
    identifier = "dashboards.dif"
    verbose_name = "Tableau de bord : DIF des élus"
    table = "dif-elus"

    def offered(self):
        return self.territory.level != "structure"

    def headers(self):
        return ["Département", "Demandes déclarées", "En attente", "Accordées", "Refusées"]

    def rows(self):
        figures = indicators.dif(self.territory, self.start, self.end) or {}
        for row in figures.get("by_department", []):
            yield [f"{row['name']} ({row['code']})", row["asked"], row["requested"],
                   row["granted"], row["refused"]]


class HistoryTable(DashboardTable):
    identifier = "dashboards.history"
    verbose_name = "Tableau de bord : historique"
    table = "historique"

    def headers(self):
        return ["Date", *[label for _name, label in HISTORY_COLUMNS]]

    def rows(self):
        for row in indicators.history(self.territory, on=timezone.localdate()):
            yield [row["date"], *[row[name] for name, _label in HISTORY_COLUMNS]]


TABLES = {table.table: table for table in (BreakdownTable, ActivityTable, AcademyTable,
                                           DifTable, HistoryTable)}


# --- the large export: every activity report of a territory ---------------------------------
ACTIVITY_COLUMNS = (
    ["Date", "Conseiller", "Structure", "SIRET", "Commune", "Code INSEE", "Département",
     "Canal", "Type", "Participants"]
    + [label for _name, label in AGE_BANDS] + [label for _name, label in STATUS_BANDS]
    + ["Thèmes", "Durée", "Réorientée vers"]
)
CHUNK = 500


class ActivityReportsExport(Export):
    """The activity reports an export job covers, one row each (built by the Celery job)."""

    identifier = "dashboards.activity_reports"
    verbose_name = "Comptes rendus d'activité d'un territoire"
    params = ("job",)
    formats = (XLSX,)
    sheet_title = "Comptes rendus d'activité"
    progress_every = CHUNK

    @classmethod
    def allowed(cls, user):  # the view checked the territory; the file is the requester's
        return user is not None and user.is_authenticated

    def reports(self):  # without a job: every report (as a national job with no dates)
        return job_reports(self.job or ExportJob(level="national"))

    def total(self):
        return self.reports().count()

    def headers(self):
        return ACTIVITY_COLUMNS

    def rows(self):
        channels, kinds = dict(ActivityReport.Channel.choices), dict(ActivityReport.Kind.choices)
        durations, themes = dict(ActivityReport.Duration.choices), dict(ActivityTheme.choices)
        reports = (self.reports().select_related("advisor", "structure", "commune__department")
                   .order_by("date", "pk").iterator(chunk_size=CHUNK))
        for report in reports:
            structure = report.structure
            yield ([report.date, f"{report.advisor.first_name} {report.advisor.last_name}",
                    structure.name if structure else "", structure.siret if structure else "",
                    report.commune.name, report.commune.insee_code,
                    report.commune.department.code,
                    channels.get(report.channel, report.channel),
                    kinds.get(report.kind, report.kind), report.participants]
                   + [getattr(report, name) for name, _label in AGE_BANDS]
                   + [getattr(report, name) for name, _label in STATUS_BANDS]
                   + [[themes.get(code, code) for code in report.themes],
                      durations.get(report.duration, report.duration), report.redirected_to])

    def get_filename(self):
        job = self.job or ExportJob(level="national")
        return f"activite-{job.level}-{job.territory_code or 'france'}"


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


def run_export_job(job_id):
    """Builds the job's XLSX file. Idempotent: a finished job is left as it is; a job that
    was interrupted is rebuilt from the start (the file is replaced)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.DONE:
            return job and job.status
        job.status, job.progress = ExportJob.Status.RUNNING, 0
        job.save(update_fields=["status", "progress"])

    def progress(percent):  # 100 is written with the file, below
        ExportJob.objects.filter(pk=job.pk).update(progress=min(99, percent))

    try:
        export = ActivityReportsExport(job.requester, job=job, progress=progress)
        filename, _content_type, data = export.render(XLSX)
        # Under the job's random id: the file's address cannot be guessed, should the media
        # directory ever be served publicly. Downloads go through the view (requester only).
        if job.file:
            job.file.delete(save=False)
        job.file.save(f"{job.pk.hex}/{filename}", ContentFile(data), save=False)
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


# --- personal statistics: an advisor's, a coordinator's team's, a structure's -----------------
class PersonalStatisticsTable(Export):
    """The figures of a personal statistics page (``personal.py``). Its subject is read from
    the person running it, never from the parameters: an export cannot be built for someone
    else's figures (``PermissionDenied`` when the person has none of this kind)."""

    params = ("filters", "structure")

    def __init__(self, user=None, **params):
        super().__init__(user, **params)
        self.subject = self.subject_of(user) if user is not None else None
        if user is not None and self.subject is None:
            raise PermissionDenied(self.forbidden)
        self.filters = self.filters or personal.Filters(*personal.default_months())

    forbidden = personal.FORBIDDEN_ADVISOR

    def subject_of(self, user):
        raise NotImplementedError

    def headers(self):
        return ["Répartition", "Catégorie", "Nombre"]

    def rows(self):
        if self.subject is not None:  # built without a person: nobody's figures
            yield from personal.export_rows(self.subject, self.filters)

    def get_filename(self):
        slug = self.subject.slug if self.subject is not None else "statistiques"
        return f"{slug}-{self.filters.first:%Y%m}-{self.filters.last:%Y%m}"


class MyStatisticsTable(PersonalStatisticsTable):
    identifier = "dashboards.my_statistics"
    verbose_name = "Mes statistiques (conseiller numérique)"

    @classmethod
    def allowed(cls, user):
        return personal.own_advisor(user) is not None

    def subject_of(self, user):
        return personal.advisor_subject(user)


class TeamStatisticsTable(PersonalStatisticsTable):
    identifier = "dashboards.team_statistics"
    verbose_name = "Statistiques de mon équipe (coordinateur)"
    forbidden = personal.FORBIDDEN_TEAM

    @classmethod
    def allowed(cls, user):
        return user is not None and user.is_authenticated and personal.team_subject(
            user) is not None

    def subject_of(self, user):
        return personal.team_subject(user)


class StructureStatisticsTable(PersonalStatisticsTable):
    identifier = "dashboards.structure_statistics"
    verbose_name = "Statistiques de ma structure (gestionnaire)"
    forbidden = personal.FORBIDDEN_STRUCTURE

    @classmethod
    def allowed(cls, user):
        return personal.managed_structures(user).exists()

    def subject_of(self, user):
        return personal.structure_subject(user, getattr(self.structure, "pk", self.structure))


PERSONAL_TABLES = {"advisor": MyStatisticsTable, "team": TeamStatisticsTable,
                   "structure": StructureStatisticsTable}
