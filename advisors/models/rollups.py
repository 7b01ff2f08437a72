"""Activity totals per département and per day and per month, and per advisor and month.

The dashboards never scan the millions of activity reports: they read these totals.
``advisors.rollups`` adds each report as it is recorded (in the same transaction) and
rebuilds them from the reports after bulk loads."""

from django.db import models
from django.db.models.functions import Coalesce

from calendars.dates import long_date


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
    age_unknown = _counter("âge non renseigné")
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


def _advisor_counter(label):
    return models.IntegerField(label, default=0)


class AdvisorActivityMonth(models.Model):
    """One advisor's activity over one month, per structure, service point, kind and theme:
    what the personal statistics ("Mes statistiques", a coordinator's team, a structure)
    read, whatever their filters (period in months, kind, theme), without scanning reports.

    A report is counted once per theme it has, on the row of that theme; ``first_theme``
    marks the row of its first theme, so that a total over the rows with ``first_theme``
    counts each report once, a total over the rows of one theme counts the reports having
    that theme, and the accompaniments grouped by theme are the themes' counts. Kept by
    ``advisors.advisor_rollups`` in the transaction that records, corrects or deletes a
    report, and rebuilt with the département totals (``advisors.rollups.rebuild``)."""

    advisor = models.ForeignKey("advisors.Advisor", verbose_name="conseiller",
                                on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey("advisors.Structure", verbose_name="structure", null=True,
                                  blank=True, on_delete=models.CASCADE, related_name="+")
    # A deleted service point leaves its reports without a place (SET_NULL): its rows here
    # keep its number until the next rebuild, and read as "lieu supprimé".
    service_point = models.ForeignKey("advisors.ServicePoint", verbose_name="lieu d'activité",
                                      null=True, blank=True, on_delete=models.DO_NOTHING,
                                      db_constraint=False, related_name="+")
    month = models.DateField("mois", help_text="Le premier jour du mois.")
    kind = models.CharField("type d'accompagnement", max_length=20)
    theme = models.CharField("thème", max_length=30, blank=True)
    first_theme = models.BooleanField("premier thème du compte rendu", default=True)
    accompaniments = _advisor_counter("accompagnements")
    people = _advisor_counter("personnes accompagnées")
    channel_service_point = _advisor_counter("au lieu d'activité")
    channel_other_place = _advisor_counter("dans un autre lieu")
    channel_remote = _advisor_counter("à distance")
    channel_home = _advisor_counter("à domicile")
    age_under_12 = _advisor_counter("moins de 12 ans")
    age_12_18 = _advisor_counter("12 à 18 ans")
    age_18_35 = _advisor_counter("18 à 35 ans")
    age_35_60 = _advisor_counter("35 à 60 ans")
    age_over_60 = _advisor_counter("plus de 60 ans")
    age_unknown = _advisor_counter("âge non renseigné")
    status_student = _advisor_counter("scolarisés ou étudiants")
    status_job_seeker = _advisor_counter("en recherche d'emploi")
    status_employed = _advisor_counter("en emploi")
    status_retired = _advisor_counter("retraités")
    status_unknown = _advisor_counter("situation non renseignée")

    class Meta:
        verbose_name = "activité d'un conseiller sur un mois"
        verbose_name_plural = "activité par conseiller et par mois"
        indexes = [models.Index(fields=["advisor", "month"], name="advisor_activity_month"),
                   models.Index(fields=["structure", "month"],
                                name="structure_activity_month")]
        constraints = [
            # One row per cell; a missing structure or place is one cell too (NULLs would
            # not collide in a plain unique constraint, and increments would be split).
            models.UniqueConstraint(
                models.F("advisor"), Coalesce("structure", models.Value(0)),
                Coalesce("service_point", models.Value(0)), models.F("month"),
                models.F("kind"), models.F("theme"), models.F("first_theme"),
                name="one_advisor_activity_cell"),
        ]

    def __str__(self):
        return f"{self.advisor_id} — {self.month:%m/%Y}"
