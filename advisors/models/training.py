"""Training records an advisor declares (initial training dates and hours, Pix level, CCP1),
checked by ANCT before they become the advisor's own training data.

An advisor submits a record ("À valider"); an ANCT administrator validates it (its values are
copied onto the ``Advisor``) or refuses it with a reason the advisor reads on "Ma formation".
The bounds of these values are ``training_errors``: the record's ``clean()`` and the services
correcting an advisor's training in the back office both ask it."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from calendars.dates import long_date

from .people import MAX_PIX_LEVEL
from .scope import scope_of

# The programme's first trainings began in 2020; the initial training is at most a few
# hundred hours (105 h to 420 h): 1,000 hours is surely a typing error.
EARLIEST_TRAINING_DATE = datetime.date(2020, 1, 1)
MAX_TRAINING_HOURS = 1000
TRAINING_HOURS_MESSAGE = f"Indiquez un nombre d'heures entre 1 et {MAX_TRAINING_HOURS}."
# A training may be declared up to a year ahead (its planned end).
TRAINING_DAYS_AHEAD = 366
# The fields an advisor declares, copied onto ``Advisor`` when ANCT validates them.
TRAINING_FIELDS = ("training_start", "training_end", "training_hours", "pix_level",
                   "ccp1_obtained", "ccp1_obtained_on")


def training_errors(*, training_start=None, training_end=None, training_hours=None,
                    ccp1_obtained_on=None, today=None, **_ignored) -> dict:
    """{field: [French message]} for training values out of bounds; empty when all is well."""
    today = today or timezone.localdate()
    latest = today + datetime.timedelta(days=TRAINING_DAYS_AHEAD)
    errors = {}
    for field, value, label in (("training_start", training_start, "Le début de la formation"),
                                ("training_end", training_end, "La fin de la formation")):
        if value and value < EARLIEST_TRAINING_DATE:
            errors[field] = [f"{label} ne peut pas précéder le "
                             f"{long_date(EARLIEST_TRAINING_DATE)} (début du programme) : "
                             "vérifiez l'année saisie."]
        elif value and value > latest:
            errors[field] = [f"{label} ne peut pas dépasser le {long_date(latest)} (un an à "
                             "partir d'aujourd'hui) : vérifiez l'année saisie."]
    if training_start and training_end and training_end < training_start \
            and "training_end" not in errors and "training_start" not in errors:
        errors["training_end"] = ["La fin de la formation doit suivre son début."]
    if training_hours is not None and not 1 <= training_hours <= MAX_TRAINING_HOURS:
        errors["training_hours"] = [TRAINING_HOURS_MESSAGE]
    if ccp1_obtained_on and ccp1_obtained_on > today:
        errors["ccp1_obtained_on"] = ["La date d'obtention ne peut pas être dans le futur."]
    elif ccp1_obtained_on and ccp1_obtained_on < EARLIEST_TRAINING_DATE:
        errors["ccp1_obtained_on"] = [f"La date d'obtention ne peut pas précéder le "
                                      f"{long_date(EARLIEST_TRAINING_DATE)} : vérifiez "
                                      "l'année saisie."]
    return errors


class TrainingRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        return scope.restrict(self, scope.own_advisor("advisor"), scope.coordinated("advisor"))

    def editable_by(self, user):
        """Only ANCT decides on a record (the advisor submits a new one)."""
        return scope_of(user).restrict(self)

    def pending(self):
        return self.filter(status=TrainingRecord.Status.SUBMITTED)


class TrainingRecord(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "À valider"
        VALIDATED = "validated", "Validée"
        REFUSED = "refused", "Refusée"

    advisor = models.ForeignKey("advisors.Advisor", verbose_name="conseiller",
                                on_delete=models.CASCADE, related_name="training_records")
    training_start = models.DateField("début de la formation initiale")
    training_end = models.DateField("fin de la formation initiale", null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField("heures de formation")
    pix_level = models.PositiveSmallIntegerField(
        "niveau Pix", null=True, blank=True,
        validators=[MinValueValidator(0, "Le niveau Pix est compris entre 0 et 8."),
                    MaxValueValidator(MAX_PIX_LEVEL, "Le niveau Pix est compris entre 0 et 8.")])
    ccp1_obtained = models.BooleanField("CCP1 du titre professionnel REMN obtenu",
                                        default=False)
    ccp1_obtained_on = models.DateField("date d'obtention du CCP1", null=True, blank=True)
    status = models.CharField("statut", max_length=20, choices=Status.choices,
                              default=Status.SUBMITTED)
    refusal_reason = models.TextField("motif du refus", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="déclarée par",
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField("déclarée le", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="traitée par",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("traitée le", null=True, blank=True)

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "formation déclarée"
        verbose_name_plural = "formations déclarées"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["advisor"], condition=Q(status="submitted"),
                name="one_training_record_to_validate",
                violation_error_message="Une déclaration de formation attend déjà la "
                                        "validation de l'ANCT."),
            models.CheckConstraint(
                condition=Q(training_end__isnull=True) | Q(training_end__gte=F("training_start")),
                name="training_record_ends_after_start",
                violation_error_message="La fin de la formation doit suivre son début."),
            models.CheckConstraint(
                condition=Q(pix_level__isnull=True) | Q(pix_level__lte=MAX_PIX_LEVEL),
                name="training_record_pix_level_0_to_8",
                violation_error_message="Le niveau Pix est compris entre 0 et 8."),
        ]

    def __str__(self):
        return f"Formation de {self.advisor} déclarée le {long_date(self.submitted_at)}"

    def clean(self):
        errors = training_errors(**{name: getattr(self, name) for name in TRAINING_FIELDS})
        if self.ccp1_obtained_on and not self.ccp1_obtained and "ccp1_obtained_on" not in errors:
            errors["ccp1_obtained_on"] = ["Une date d'obtention suppose le CCP1 obtenu."]
        if self.status == self.Status.REFUSED and not self.refusal_reason.strip():
            errors["refusal_reason"] = ["Indiquez le motif du refus."]
        if errors:
            raise ValidationError(errors)

    @property
    def values(self) -> dict:
        """What the record declares, as ``Advisor`` fields."""
        return {name: getattr(self, name) for name in TRAINING_FIELDS}
