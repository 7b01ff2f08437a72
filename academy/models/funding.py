"""Funding of an élu's training by their "droit individuel à la formation" (DIF élus, managed
by the Caisse des dépôts on "Mon compte élu"): the approved training bodies a course is given
under, and each enrolment's funding request as the élu and ANCT record it. The rules that
change a request are ``academy/funding.py``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.models import register_snippet

from .enrolments import Enrolment

siret_validator = RegexValidator(r"^\d{14}$", "Le SIRET compte 14 chiffres, sans espace.")


class TrainingBody(models.Model):
    """A training body approved by the Ministry of the Interior to train élus locaux (after
    the opinion of the Conseil national de la formation des élus locaux)."""

    name = models.CharField("nom de l'organisme", max_length=200, unique=True)
    siret = models.CharField("SIRET", max_length=14, validators=[siret_validator])
    address = models.CharField("adresse", max_length=255, blank=True)
    approval_number = models.CharField(
        "numéro d'agrément", max_length=50,
        help_text="Agrément du ministère de l'Intérieur pour la formation des élus locaux.")
    approval_date = models.DateField("date de l'arrêté d'agrément")
    approval_until = models.DateField(
        "agrément valable jusqu'au", null=True, blank=True,
        help_text="Laisser vide si la date de fin n'est pas connue.")

    panels = [
        FieldPanel("name"), FieldPanel("siret"), FieldPanel("address"),
        FieldRowPanel([FieldPanel("approval_number"), FieldPanel("approval_date"),
                       FieldPanel("approval_until")], heading="Agrément"),
    ]

    class Meta:
        verbose_name = "organisme de formation agréé"
        verbose_name_plural = "organismes de formation agréés"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.approval_date and self.approval_date > timezone.localdate():
            raise ValidationError({"approval_date": "La date de l'agrément ne peut pas être "
                                                    "dans le futur."})
        if self.approval_date and self.approval_until and self.approval_until < self.approval_date:
            raise ValidationError({"approval_until": "La fin de l'agrément doit suivre sa "
                                                     "date."})

    def approved_on(self, day):
        return self.approval_date <= day and (self.approval_until is None
                                              or day <= self.approval_until)


register_snippet(TrainingBody)


class CoursePageForm(WagtailAdminPageForm):
    """The course's editor form: ticking "éligible au DIF élus" asks for the approved body
    (a rule of the editor's panel, so that code and seeds may still save a course)."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("dif_eligible") and not cleaned.get("training_body"):
            self.add_error("training_body", "Une formation éligible au DIF des élus nomme "
                                            "l'organisme agréé qui la dispense.")
        return cleaned


def dif_body(course, day=None):
    """The approved body under which the DIF élus funds ``course`` on ``day`` (today), or
    None when the course is not eligible or its body's approval has lapsed."""
    if not course.dif_eligible or not course.training_body_id:
        return None
    body = course.training_body
    return body if body.approved_on(day or timezone.localdate()) else None


class DifFundingQuerySet(models.QuerySet):
    def asked(self):
        """Requests declared by the élu (requested, granted or refused)."""
        return self.exclude(status=DifFunding.Status.NONE)


class DifFunding(models.Model):
    """One enrolment's DIF funding: declared by the élu ("J'ai fait ma demande sur Mon
    compte élu"), then granted or refused as ANCT records it."""

    class Status(models.TextChoices):
        NONE = "none", "Aucune demande"
        REQUESTED = "requested", "Demande faite"
        GRANTED = "granted", "Financement accordé"
        REFUSED = "refused", "Financement refusé"

    enrolment = models.OneToOneField(Enrolment, verbose_name="inscription",
                                     on_delete=models.CASCADE, related_name="dif_funding")
    status = models.CharField("financement DIF", max_length=20, choices=Status.choices,
                              default=Status.NONE)
    requested_on = models.DateField("demande faite le", null=True, blank=True)
    file_reference = models.CharField("numéro de dossier sur Mon compte élu", max_length=50,
                                      blank=True)
    declared_at = models.DateTimeField("déclarée le", null=True, blank=True)
    decided_at = models.DateTimeField("décision enregistrée le", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="enregistrée par",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    refusal_reason = models.CharField("motif du refus", max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DifFundingQuerySet.as_manager()

    class Meta:
        verbose_name = "financement DIF élus"
        verbose_name_plural = "financements DIF élus"
        constraints = [
            models.CheckConstraint(
                name="dif_funding_dates_follow_status",
                condition=Q(status="none") | Q(requested_on__isnull=False),
            ),
            models.CheckConstraint(
                name="dif_funding_decision_dated",
                condition=~Q(status__in=["granted", "refused"]) | Q(decided_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.get_status_display()} — {self.enrolment}"

    @property
    def is_decided(self):
        return self.status in (self.Status.GRANTED, self.Status.REFUSED)

