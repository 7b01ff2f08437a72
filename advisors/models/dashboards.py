"""Deployment dashboards: daily snapshots of the indicators and export jobs."""

import uuid

from django.conf import settings
from django.db import models

from accounts.private_files import private_storage
from calendars.dates import long_date


class DailySnapshot(models.Model):
    """The deployment indicators of one département on one day (filled by the
    ``advisors.tasks.take_daily_snapshots`` beat task; re-running a day updates its rows)."""

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
        verbose_name = "export"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export {self.kind} {self.level} {self.territory_code} ({self.status})"

    @property
    def level_label(self):
        return {"region": "région", "department": "département",
                "structure": "structure n°"}.get(self.level, self.level)


# --- activity rollups -------------------------------------------------------------------------
# The dashboards never scan the millions of activity reports: they read these totals, kept per
# département and per day and per month. ``advisors.dashboards.rollups`` adds each report as it
# is recorded (in the same transaction) and rebuilds them from the reports after bulk loads.
def _counter(label):
    return models.IntegerField(label, default=0)


class ActivityTotals(models.Model):
    """The activity counters of one département over one span of time."""

    department = models.ForeignKey("territories.Department", verbose_name="département",
                                   on_delete=models.CASCADE, related_name="+")
    accompaniments = _counter("accompagnements")
    people = _counter("personnes accompagnées")
    kind_individual = _counter("accompagnements individuels")
    kind_workshop = _counter("ateliers collectifs")
    kind_one_off = _counter("demandes ponctuelles")
    channel_service_point = _counter("au lieu d'activité")
    channel_other_place = _counter("dans un autre lieu")
    channel_remote = _counter("à distance")
    channel_home = _counter("à domicile")
    age_under_12 = _counter("moins de 12 ans")
    age_12_18 = _counter("12 à 18 ans")
    age_18_35 = _counter("18 à 35 ans")
    age_35_60 = _counter("35 à 60 ans")
    age_over_60 = _counter("plus de 60 ans")
    status_student = _counter("scolarisés ou étudiants")
    status_job_seeker = _counter("en recherche d'emploi")
    status_employed = _counter("en emploi")
    status_retired = _counter("retraités")
    status_unknown = _counter("situation non renseignée")
    theme_equipment = _counter("thème matériel")
    theme_vocabulary = _counter("thème vocabulaire")
    theme_internet = _counter("thème internet")
    theme_security = _counter("thème sécurité")
    theme_email = _counter("thème courriels")
    theme_communicating = _counter("thème échanger")
    theme_word_processing = _counter("thème traitement de texte")
    theme_digital_content = _counter("thème contenus numériques")
    theme_job_search = _counter("thème emploi")
    theme_small_business = _counter("thème TPE/PME")
    theme_helping_children = _counter("thème enfant")
    theme_online_procedures = _counter("thème démarches")
    theme_fraud_harassment = _counter("thème fraude")
    theme_health = _counter("thème santé")
    theme_smartphone = _counter("thème smartphone")
    theme_budget = _counter("thème budget")
    theme_school = _counter("thème scolarité")
    theme_diagnosis = _counter("thème diagnostic")
    theme_other = _counter("thème autre")

    class Meta:
        abstract = True


class ActivityDay(ActivityTotals):
    day = models.DateField("jour")

    class Meta:
        verbose_name = "activité d'un jour"
        verbose_name_plural = "activité par jour"
        constraints = [models.UniqueConstraint(fields=["day", "department"],
                                               name="one_activity_day_per_department")]

    def __str__(self):
        return f"{self.department} — {long_date(self.day)}"


class ActivityMonth(ActivityTotals):
    month = models.DateField("mois", help_text="Le premier jour du mois.")

    class Meta:
        verbose_name = "activité d'un mois"
        verbose_name_plural = "activité par mois"
        constraints = [models.UniqueConstraint(fields=["month", "department"],
                                               name="one_activity_month_per_department")]

    def __str__(self):
        return f"{self.department} — {self.month:%m/%Y}"
