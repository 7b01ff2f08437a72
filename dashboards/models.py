"""The dashboards' own records: daily snapshots of the indicators and export jobs.

Both tables were created by the advisors app (migration ``advisors.0002_dashboards``) and
keep their names (``db_table``): the models moved here without moving a row."""

import uuid

from django.conf import settings
from django.db import models

from accounts.private_files import private_storage
from calendars.dates import long_date


class DailySnapshot(models.Model):
    """The deployment indicators of one département on one day (filled by the
    ``dashboards.tasks.take_daily_snapshots`` beat task; re-running a day updates its rows)."""

    date = models.DateField("date")
    department = models.ForeignKey("territories.Department", verbose_name="département",
                                   on_delete=models.CASCADE, related_name="+")
    granted_posts = models.IntegerField("postes accordés", default=0)
    occupied_posts = models.IntegerField("postes occupés", default=0)
    vacant_posts = models.IntegerField("postes vacants", default=0)
    recruited = models.IntegerField("conseillers recrutés", default=0)
    in_training = models.IntegerField("conseillers en formation", default=0)
    active = models.IntegerField("conseillers en poste", default=0)
    ruptures = models.IntegerField("ruptures", default=0)
    service_points = models.IntegerField("lieux d'activité ouverts", default=0)
    accompaniments = models.IntegerField("accompagnements (cumul)", default=0)
    people = models.IntegerField("personnes accompagnées (cumul)", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "advisors_dailysnapshot"
        verbose_name = "instantané quotidien"
        verbose_name_plural = "instantanés quotidiens"
        ordering = ["-date", "department"]
        constraints = [models.UniqueConstraint(fields=["date", "department"],
                                               name="one_snapshot_per_department_per_day")]

    def __str__(self):
        return f"{self.department} — {long_date(self.date)}"


class ExportJob(models.Model):
    """A large export built by a Celery task; only its requester may download the file."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="demandeur",
                                  on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("type d'export", max_length=30, default="activity")
    level = models.CharField("échelon", max_length=20)
    territory_code = models.CharField("territoire", max_length=20, blank=True)
    date_from = models.DateField("du", null=True, blank=True)
    date_to = models.DateField("au", null=True, blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    # Private storage, outside MEDIA_ROOT: downloaded only through the checking view.
    file = models.FileField("fichier", upload_to="exports/dashboards/", blank=True,
                            storage=private_storage)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        db_table = "advisors_exportjob"
        verbose_name = "export"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export {self.kind} {self.level} {self.territory_code} ({self.status})"

    @property
    def level_label(self):
        return {"region": "région", "department": "département",
                "structure": "structure n°"}.get(self.level, self.level)


# --- rollups (``dashboards/rollups.py``) ----------------------------------------------------------
class SessionTotals(models.Model):
    """What the dashboards count of one academy session: its confirmed enrolments, the
    half-days marked (present among them) and the DIF requests of its enrolments. Kept in
    the transaction of each enrolment, attendance or DIF change (``rollups.py``), so a
    dashboard sums a few thousand session rows instead of every attendance mark. The
    session's place, date and status are read from the session itself: moving or
    cancelling it changes no row here."""

    session = models.OneToOneField("academy.Session", verbose_name="session",
                                   on_delete=models.CASCADE, primary_key=True,
                                   related_name="dashboard_totals")
    enrolments = models.IntegerField("inscriptions confirmées", default=0)
    present = models.IntegerField("demi-journées présentes", default=0)
    marked = models.IntegerField("demi-journées pointées", default=0)
    dif_requested = models.IntegerField("demandes DIF en attente", default=0)
    dif_granted = models.IntegerField("financements DIF accordés", default=0)
    dif_refused = models.IntegerField("financements DIF refusés", default=0)

    class Meta:
        verbose_name = "totaux d'une session"
        verbose_name_plural = "totaux des sessions"

    def __str__(self):
        return f"Totaux de la session {self.session_id}"


DEPLOYMENT_COUNTERS = {
    "granted": "postes accordés",
    "occupied": "postes occupés",
    "pending": "postes retenus par un contrat en attente",
    "active": "conseillers en poste",
    "in_training": "conseillers en formation",
    "active_small_communes": "en poste dans une petite commune",
    "ruptures": "ruptures",
    "service_points": "lieux d'activité ouverts",
}


class DeploymentCounters(models.Model):
    granted = models.IntegerField(DEPLOYMENT_COUNTERS["granted"], default=0)
    occupied = models.IntegerField(DEPLOYMENT_COUNTERS["occupied"], default=0)
    pending = models.IntegerField(DEPLOYMENT_COUNTERS["pending"], default=0)
    active = models.IntegerField(DEPLOYMENT_COUNTERS["active"], default=0)
    in_training = models.IntegerField(DEPLOYMENT_COUNTERS["in_training"], default=0)
    active_small_communes = models.IntegerField(DEPLOYMENT_COUNTERS["active_small_communes"],
                                                default=0)
    ruptures = models.IntegerField(DEPLOYMENT_COUNTERS["ruptures"], default=0)
    service_points = models.IntegerField(DEPLOYMENT_COUNTERS["service_points"], default=0)

    class Meta:
        abstract = True


class DeploymentTotal(DeploymentCounters):
    """The deployment of one département on the day ``as_of`` (posts, advisors, open
    service points, population). A figure on another day ``on`` adds the changes
    (``DeploymentChange``) of the days between (``rollups.py``). This row is also what each
    writer of the département locks, so they wait for one another."""

    department = models.OneToOneField("territories.Department", verbose_name="département",
                                      on_delete=models.CASCADE, primary_key=True,
                                      related_name="deployment_total")
    as_of = models.DateField("au")
    population = models.BigIntegerField("population", default=0)

    class Meta:
        verbose_name = "déploiement d'un département"
        verbose_name_plural = "déploiement des départements"

    def __str__(self):
        return f"Déploiement {self.department_id} au {self.as_of}"


class DeploymentChange(DeploymentCounters):
    """How the deployment of a département changes on a day: a contract adds one advisor in
    post on its first day and takes them back on the day after its last."""

    department = models.ForeignKey("territories.Department", verbose_name="département",
                                   on_delete=models.CASCADE, related_name="+")
    day = models.DateField("jour")

    class Meta:
        verbose_name = "évolution du déploiement"
        verbose_name_plural = "évolutions du déploiement"
        constraints = [models.UniqueConstraint(fields=["department", "day"],
                                               name="one_deployment_change_per_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"Déploiement {self.department_id} — {self.day}"


class RecruitedAdvisor(models.Model):
    """An advisor with a validated contract in a structure of the département: "recruited"
    is a number of distinct advisors, counted over these pairs (an advisor recruited in two
    départements is one advisor of their région)."""

    department = models.ForeignKey("territories.Department", verbose_name="département",
                                   on_delete=models.CASCADE, related_name="+")
    advisor_id = models.BigIntegerField("conseiller")

    class Meta:
        verbose_name = "conseiller recruté"
        constraints = [models.UniqueConstraint(fields=["department", "advisor_id"],
                                               name="one_recruited_pair")]

    def __str__(self):
        return f"Conseiller {self.advisor_id} recruté ({self.department_id})"
