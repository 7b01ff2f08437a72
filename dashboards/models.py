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
