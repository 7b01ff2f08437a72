"""Activity reports (CRA, comptes rendus d'activité): one accompaniment each."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from calendars.dates import long_date

from .scope import scope_of

FIRST_REPORT_DATE = datetime.date(2020, 1, 1)
MAX_PARTICIPANTS = 100
CORRECTION_RULE = ("Un compte rendu se corrige ou se supprime jusqu'à la fin du mois qui suit "
                   "sa date ; ensuite, il compte dans les statistiques publiées et ne se "
                   "modifie plus.")


def correction_deadline(date):
    """The last day a report of ``date`` may be corrected: the end of the following month."""
    after_next = (date.replace(day=1) + datetime.timedelta(days=62)).replace(day=1)
    return after_next - datetime.timedelta(days=1)


def first_correctable_date(on):
    """The earliest report date still correctable ``on`` that day: the first day of the
    previous month (the same rule as ``correction_deadline``, read the other way)."""
    return (on.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def too_old_message(earliest):
    return (f"Cette date est sortie de la période de correction : un accompagnement se saisit "
            f"au plus tard le mois qui suit, donc pas avant le {long_date(earliest)} (les "
            f"statistiques des mois d'avant sont publiées).")


class ActivityTheme(models.TextChoices):
    """Accompaniment themes, from the national activity report."""

    EQUIPMENT = "equipment", "Prendre en main du matériel informatique"
    VOCABULARY = "vocabulary", "Vocabulaire numérique"
    INTERNET = "internet", "Naviguer sur internet"
    SECURITY = "security", "Sécuriser son équipement et ses données"
    EMAIL = "email", "Courriels"
    COMMUNICATING = "communicating", "Échanger avec ses proches"
    WORD_PROCESSING = "word_processing", "Traitement de texte"
    DIGITAL_CONTENT = "digital_content", "Gérer ses contenus numériques"
    JOB_SEARCH = "job_search", "Emploi et formation"
    SMALL_BUSINESS = "small_business", "Accompagner une petite entreprise (TPE/PME)"
    HELPING_CHILDREN = "helping_children", "Accompagner son enfant"
    ONLINE_PROCEDURES = "online_procedures", "Démarches en ligne"
    FRAUD_HARASSMENT = "fraud_harassment", "Fraude et cyberharcèlement"
    HEALTH = "health", "Santé"
    SMARTPHONE = "smartphone", "Prendre en main un smartphone ou une tablette"
    BUDGET = "budget", "Gérer son budget"
    SCHOOL = "school", "Scolarité et numérique"
    DIAGNOSIS = "diagnosis", "Diagnostic numérique"
    OTHER = "other", "Autre"


AGE_BANDS = [("age_under_12", "moins de 12 ans"), ("age_12_18", "12 à 18 ans"),
             ("age_18_35", "18 à 35 ans"), ("age_35_60", "35 à 60 ans"),
             ("age_over_60", "plus de 60 ans"), ("age_unknown", "âge non renseigné")]
MAX_TAGS = 5
MAX_TAG_LENGTH = 40
STATUS_BANDS = [("status_student", "scolarisés ou étudiants"),
                ("status_job_seeker", "en recherche d'emploi"),
                ("status_employed", "en emploi"), ("status_retired", "retraités"),
                ("status_unknown", "situation non renseignée")]


def _band(label):
    return models.PositiveSmallIntegerField(label, default=0)


def _sum_of(fields):
    total = F(fields[0])
    for name in fields[1:]:
        total = total + F(name)
    return total


class ActivityReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        territory_without_structure = scope.territory("commune")
        if territory_without_structure is not None:
            territory_without_structure &= Q(structure__isnull=True)
        return scope.restrict(
            self,
            scope.own_advisor("advisor"),
            scope.coordinated("advisor"),
            scope.structures("structure"),
            territory_without_structure,
        )

    def editable_by(self, user):
        """Only the advisor who wrote the report (and ANCT)."""
        scope = scope_of(user)
        return scope.restrict(self, scope.own_advisor("advisor"))

    def correctable(self, on=None):
        """The reports whose correction window is still open ``on`` (today by default)."""
        return self.filter(date__gte=first_correctable_date(on or timezone.localdate()))

    def correctable_by(self, user, on=None):
        """The reports ``user`` may still edit or delete: their own (the author's), inside
        the correction window. Nobody else corrects an advisor's report, ANCT included."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(advisor__user=user).correctable(on)

    def between(self, start, end):
        return self.filter(date__gte=start, date__lte=end)


class ActivityReport(models.Model):
    class Channel(models.TextChoices):
        SERVICE_POINT = "service_point", "Au lieu d'activité"
        OTHER_PLACE = "other_place", "Dans un autre lieu"
        REMOTE = "remote", "À distance"
        HOME = "home", "À domicile"

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Accompagnement individuel"
        WORKSHOP = "workshop", "Atelier collectif"
        ONE_OFF = "one_off", "Demande ponctuelle"

        @classmethod
        def current(cls):
            """The kinds a new report may take since the 2025 national model: individual
            accompaniment and collective workshop. "Demande ponctuelle" reports made
            before stay readable, correctable and counted."""
            return [cls.INDIVIDUAL, cls.WORKSHOP]

    class Duration(models.TextChoices):
        UNDER_30 = "0_30", "Moins de 30 minutes"
        UNDER_60 = "30_60", "30 à 60 minutes"
        UNDER_120 = "60_120", "1 à 2 heures"
        OVER_120 = "over_120", "Plus de 2 heures"

    advisor = models.ForeignKey("advisors.Advisor", verbose_name="conseiller",
                                on_delete=models.PROTECT, related_name="activity_reports")
    structure = models.ForeignKey("advisors.Structure", verbose_name="structure", null=True,
                                  blank=True, on_delete=models.PROTECT,
                                  related_name="activity_reports")
    service_point = models.ForeignKey("advisors.ServicePoint", verbose_name="lieu d'activité",
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="activity_reports")
    date = models.DateField("date de l'accompagnement")
    commune = models.ForeignKey("territories.Commune", verbose_name="commune",
                                on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)
    kind = models.CharField("type d'accompagnement", max_length=20, choices=Kind.choices)
    participants = models.PositiveSmallIntegerField(
        "nombre de participants",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PARTICIPANTS)])
    age_under_12 = _band("moins de 12 ans")
    age_12_18 = _band("12 à 18 ans")
    age_18_35 = _band("18 à 35 ans")
    age_35_60 = _band("35 à 60 ans")
    age_over_60 = _band("plus de 60 ans")
    age_unknown = _band("âge non renseigné")
    status_student = _band("scolarisés ou étudiants")
    status_job_seeker = _band("en recherche d'emploi")
    status_employed = _band("en emploi")
    status_retired = _band("retraités")
    status_unknown = _band("situation non renseignée")
    themes = models.JSONField("thèmes", default=list,
                              help_text="Codes des thèmes d'accompagnement.")
    duration = models.CharField("durée", max_length=10, choices=Duration.choices)
    title = models.CharField("titre de l'atelier", max_length=200, blank=True,
                             help_text="Pour un atelier collectif.")
    tags = models.JSONField("étiquettes", default=list, blank=True,
                            help_text="Étiquettes libres du conseiller (au plus 5).")
    redirected = models.BooleanField("personne réorientée", default=False)
    redirected_to = models.CharField("réorientée vers", max_length=255, blank=True)
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    objects = ActivityReportQuerySet.as_manager()

    class Meta:
        verbose_name = "compte rendu d'activité"
        verbose_name_plural = "comptes rendus d'activité"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["date"]), models.Index(fields=["advisor", "date"]),
                   models.Index(fields=["commune", "date"]),
                   models.Index(fields=["structure", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=1, participants__lte=MAX_PARTICIPANTS),
                name="activity_participants_1_to_100",
                violation_error_message="Le nombre de participants est compris entre 1 et 100."),
            models.CheckConstraint(
                condition=Q(participants=_sum_of([name for name, _ in AGE_BANDS])),
                name="activity_age_bands_sum_to_participants",
                violation_error_message=(
                    "La répartition par tranches d'âge doit correspondre au nombre de "
                    "participants.")),
            models.CheckConstraint(
                condition=Q(participants=_sum_of([name for name, _ in STATUS_BANDS])),
                name="activity_status_bands_sum_to_participants",
                violation_error_message=(
                    "La répartition par situations doit correspondre au nombre de participants.")),
            models.CheckConstraint(condition=Q(date__gte=FIRST_REPORT_DATE),
                                   name="activity_not_before_2020",
                                   violation_error_message=(
                                       "La date de l'accompagnement ne peut pas précéder 2020.")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {long_date(self.date)} — {self.advisor}"

    def correction_deadline(self):
        return correction_deadline(self.date)

    def can_be_corrected(self, on=None):
        """Inside the correction window ``on`` (today by default): see ``CORRECTION_RULE``."""
        return (on or timezone.localdate()) <= correction_deadline(self.date)

    def clean(self):
        errors = {}
        if self.date:
            if self.date > timezone.localdate():
                errors["date"] = "La date de l'accompagnement ne peut pas être dans le futur."
            elif self.date < FIRST_REPORT_DATE:
                errors["date"] = "La date de l'accompagnement ne peut pas précéder 2020."
        participants = self.participants
        if participants is not None:
            if not 1 <= participants <= MAX_PARTICIPANTS:
                errors["participants"] = (f"Le nombre de participants est compris entre 1 et "
                                          f"{MAX_PARTICIPANTS}.")
            elif self.kind == self.Kind.INDIVIDUAL and participants != 1:
                errors["participants"] = "Un accompagnement individuel concerne une personne."
            else:
                for bands, label in [(AGE_BANDS, "tranches d'âge"),
                                     (STATUS_BANDS, "situations")]:
                    total = sum(getattr(self, name) or 0 for name, _ in bands)
                    if total != participants:
                        errors[bands[0][0]] = (
                            f"La répartition par {label} ({total}) doit correspondre au "
                            f"nombre de participants ({participants}).")
        if self.kind == self.Kind.WORKSHOP and not (self.title or "").strip():
            errors["title"] = "Donnez un titre à l'atelier."
        tags = self.tags if isinstance(self.tags, list) else None
        if tags is None or not all(isinstance(tag, str) for tag in tags):
            errors["tags"] = "Les étiquettes sont une liste de mots."
        elif len(tags) > MAX_TAGS:
            errors["tags"] = f"Au plus {MAX_TAGS} étiquettes."
        elif any(not tag.strip() or len(tag) > MAX_TAG_LENGTH for tag in tags):
            errors["tags"] = f"Chaque étiquette compte de 1 à {MAX_TAG_LENGTH} caractères."
        themes = self.themes if isinstance(self.themes, list) else None
        if not themes:
            errors["themes"] = "Choisissez au moins un thème."
        else:
            unknown = [code for code in themes if code not in ActivityTheme.values]
            if unknown:
                errors["themes"] = f"Thèmes inconnus : {', '.join(map(str, unknown))}."
            elif len(set(themes)) != len(themes):
                errors["themes"] = "Chaque thème ne figure qu'une fois."
        if self.channel == self.Channel.SERVICE_POINT and not self.service_point_id:
            errors["service_point"] = "Indiquez le lieu d'activité."
        if self.redirected and not (self.redirected_to or "").strip():
            errors["redirected_to"] = "Indiquez vers qui la personne a été réorientée."
        if errors:
            raise ValidationError(errors)

    def get_themes_display(self):
        labels = dict(ActivityTheme.choices)
        return [labels.get(code, code) for code in self.themes]
