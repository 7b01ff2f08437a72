"""What the Académie knows of an elected official: the profile and the mandates."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class MandateRole(models.TextChoices):
    MAYOR = "maire", "Maire"
    DELEGATE_MAYOR = "maire_delegue", "Maire délégué"
    DEPUTY_MAYOR = "adjoint", "Adjoint au maire"
    MUNICIPAL_COUNCILLOR = "conseiller_municipal", "Conseiller municipal"
    EPCI_PRESIDENT = "president_epci", "Président d'EPCI"
    EPCI_VICE_PRESIDENT = "vice_president_epci", "Vice-président d'EPCI"
    EPCI_COUNCILLOR = "conseiller_epci", "Conseiller communautaire (EPCI)"
    DEPARTMENT_PRESIDENT = "president_departement", "Président du conseil départemental"
    DEPARTMENT_COUNCILLOR = "conseiller_departemental", "Conseiller départemental"
    REGION_PRESIDENT = "president_region", "Président du conseil régional"
    REGION_COUNCILLOR = "conseiller_regional", "Conseiller régional"


# The level of local authority each mandate is held in (see territories.authorities).
MANDATE_LEVELS = {
    MandateRole.MAYOR: "commune", MandateRole.DELEGATE_MAYOR: "commune",
    MandateRole.DEPUTY_MAYOR: "commune", MandateRole.MUNICIPAL_COUNCILLOR: "commune",
    MandateRole.EPCI_PRESIDENT: "epci", MandateRole.EPCI_VICE_PRESIDENT: "epci",
    MandateRole.EPCI_COUNCILLOR: "epci",
    MandateRole.DEPARTMENT_PRESIDENT: "departement",
    MandateRole.DEPARTMENT_COUNCILLOR: "departement",
    MandateRole.REGION_PRESIDENT: "region", MandateRole.REGION_COUNCILLOR: "region",
}


class OfficialProfile(models.Model):
    """What the Académie needs to know about an elected official."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="official_profile")
    is_employee = models.BooleanField(
        "salarié", null=True, blank=True,
        help_text="Les élus salariés ont droit à un congé de formation (18 jours par mandat).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "profil d'élu"

    def __str__(self):
        return str(self.user)


class Mandate(models.Model):
    profile = models.ForeignKey(OfficialProfile, on_delete=models.CASCADE,
                                related_name="mandates")
    role = models.CharField("fonction", max_length=30, choices=MandateRole.choices)
    commune = models.ForeignKey("territories.Commune", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    epci = models.ForeignKey("territories.Epci", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("territories.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territories.Region", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField("début du mandat")
    is_first_mandate = models.BooleanField("premier mandat", default=False)

    # No élu in office today took up a mandate before this day.
    EARLIEST_START = date(1950, 1, 1)

    class Meta:
        verbose_name = "mandat"
        ordering = ["started_on", "pk"]

    def __str__(self):
        return f"{self.get_role_display()} — {self.authority}"

    def clean(self):
        if self.started_on is None:
            return
        if self.started_on < self.EARLIEST_START:
            raise ValidationError({"started_on": (
                "Cette date est trop ancienne : indiquez le début de votre mandat actuel "
                "(au plus tôt le 1er janvier 1950).")})
        if self.started_on > timezone.localdate():
            raise ValidationError({"started_on": (
                "Un mandat ne peut pas commencer dans le futur : indiquez la date de votre "
                "installation, au plus tard aujourd'hui.")})

    @property
    def level(self):
        return MANDATE_LEVELS[self.role]

    @property
    def authority(self):
        return {"commune": self.commune, "epci": self.epci, "departement": self.department,
                "region": self.region}[self.level]

    def set_authority(self, authority):
        self.commune = self.epci = self.department = self.region = None
        setattr(self, {"commune": "commune", "epci": "epci", "departement": "department",
                       "region": "region"}[self.level], authority)
