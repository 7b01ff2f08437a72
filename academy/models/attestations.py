"""Verifiable attestations: each downloaded "attestation de formation" has an unguessable
reference that its public page (/attestations/<reference>/) checks.

What the PDF states about the training (course, dates, half-days and hours) is kept on the
row as issued, so the page shows what that PDF says even after the attendance changes; the
holder's name is read from the account (an erased account no longer shows it). A correction
of the attendance revokes the enrolment's valid attestation (``academy.attestations``)."""

import secrets

from django.db import models

from .enrolments import Enrolment

REFERENCE_BYTES = 18  # 144 random bits, 24 URL-safe characters


def new_reference():
    return secrets.token_urlsafe(REFERENCE_BYTES)


class AttestationQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)


class Attestation(models.Model):
    enrolment = models.ForeignKey(Enrolment, verbose_name="inscription",
                                  on_delete=models.CASCADE, related_name="attestations")
    reference = models.CharField("référence", max_length=40, unique=True,
                                 default=new_reference, editable=False)
    issued_at = models.DateTimeField("délivrée le", auto_now_add=True)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    show_initials = models.BooleanField(
        "initiales seulement", default=False,
        help_text="La page publique de vérification n'affiche que les initiales du titulaire.")
    course_title = models.CharField("formation", max_length=255)
    session_dates = models.CharField("dates", max_length=255)
    # [{"label": "Lun. 2 mars — matin", "hours": 3.5}], the half-days marked present.
    half_days = models.JSONField("demi-journées suivies", default=list)
    hours = models.DecimalField("heures suivies", max_digits=6, decimal_places=1)
    planned_hours = models.DecimalField("heures prévues", max_digits=6, decimal_places=1)

    objects = AttestationQuerySet.as_manager()

    class Meta:
        verbose_name = "attestation"
        constraints = [models.UniqueConstraint(
            fields=["enrolment"], condition=models.Q(revoked_at__isnull=True),
            name="one_valid_attestation_per_enrolment")]

    def __str__(self):
        return f"Attestation {self.reference}"

    @property
    def is_valid(self):
        return self.revoked_at is None
