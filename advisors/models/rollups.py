"""Activity totals per département and per day and per month.

The dashboards never scan the millions of activity reports: they read these totals.
``advisors.rollups`` adds each report as it is recorded (in the same transaction) and
rebuilds them from the reports after bulk loads."""

from django.db import models

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
