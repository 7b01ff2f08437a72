from django.conf import settings
from django.db import models

from calendars.dates import long_date


class InactivityWarning(models.Model):
    """The warning email sent before an inactive account is erased. A login after
    ``sent_at`` cancels it (see ``services.inactive_accounts``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="inactivity_warning")
    sent_at = models.DateTimeField("envoyé le")

    class Meta:
        verbose_name = "avertissement d'inactivité"
        verbose_name_plural = "avertissements d'inactivité"

    def __str__(self):
        return f"Avertissement du {long_date(self.sent_at)} (compte n° {self.user_id})"


class AccountErasure(models.Model):
    """Marks an account whose personal data were erased. The user row stays, anonymised,
    so that enrolments, attendances and the acts of the account keep their counts."""

    class Reason(models.TextChoices):
        REQUEST = "request", "À la demande de la personne"
        INACTIVITY = "inactivity", "Inactivité de plus de trois ans"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="erasure")
    reason = models.CharField("motif", max_length=20, choices=Reason.choices)
    erased_at = models.DateTimeField("effacé le")

    class Meta:
        verbose_name = "effacement de compte"
        verbose_name_plural = "effacements de comptes"
        ordering = ["-erased_at"]

    def __str__(self):
        return f"Compte n° {self.user_id} effacé le {long_date(self.erased_at)}"
