"""Host structures (structures d'accueil) and the territory each préfet covers."""

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..validators import normalize_phone, normalize_siret, validate_phone, validate_siret
from .positions import Located
from .scope import scope_of


def _total(queryset, field):
    """Subquery: SUM(field) of ``queryset`` rows of the outer structure, 0 when none."""
    summed = (queryset.order_by().values("structure_key")
              .annotate(total=Sum(field)).values("total"))
    return Coalesce(Subquery(summed, output_field=models.IntegerField()), Value(0))


class StructureQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .people import Contract

        scope = scope_of(user)
        return scope.restrict(
            self,
            scope.structures(""),
            # An advisor sees the structures they are under contract with (submitted or
            # validated, still running): once their contract ends, none of its data.
            scope.via(Contract.objects.holding_posts(), "structure_id",
                      scope.own_advisor("advisor")),
        )

    def editable_by(self, user):
        scope = scope_of(user)
        return scope.restrict(self, scope.managed(""))

    def in_territory(self, *, department=None, region=None):
        if department is not None:
            return self.filter(commune__department=department)
        return self.filter(commune__department__region=region)

    def with_validated_application(self):
        from .applications import Application

        return self.filter(pk__in=Application.objects.filter(
            status=Application.Status.VALIDATED).values("structure_id"))

    def with_posts(self, on=None):
        """Annotates ``granted_posts`` (validated applications' granted posts + validated
        amendments adding posts − those withdrawing posts), ``occupied_posts`` (contracts
        submitted or validated and still running), ``pending_posts`` (those of them still
        awaiting ANCT's validation) and ``vacant_posts``.

        The single definition of the quota: ``services.granted_posts`` reads it."""
        from .applications import Application
        from .conventions import Amendment
        from .people import Contract

        applications = Application.objects.filter(
            structure=OuterRef("pk"), status=Application.Status.VALIDATED,
        ).annotate(structure_key=F("structure_id"))
        amendments = Amendment.objects.filter(
            convention__structure=OuterRef("pk"), status=Amendment.Status.VALIDATED,
        ).annotate(structure_key=F("convention__structure_id"))
        contracts = Contract.objects.filter(structure=OuterRef("pk")).holding_posts(on)
        occupied = Coalesce(Subquery(
            contracts.order_by().values("structure_id")
            .annotate(count=models.Count("pk")).values("count"),
            output_field=models.IntegerField(),
        ), Value(0))
        granted = (
            _total(applications, "posts_granted")
            + _total(amendments.filter(kind=Amendment.Kind.ADD), "posts")
            - _total(amendments.filter(kind=Amendment.Kind.WITHDRAW), "posts")
        )
        pending = Coalesce(Subquery(
            contracts.filter(status=Contract.Status.SUBMITTED).order_by()
            .values("structure_id").annotate(count=models.Count("pk")).values("count"),
            output_field=models.IntegerField(),
        ), Value(0))
        return self.annotate(granted_posts=granted, occupied_posts=occupied,
                             pending_posts=pending).annotate(
            vacant_posts=F("granted_posts") - F("occupied_posts"))


class Structure(Located):
    """An employer of advisors, identified by its SIRET."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", "Commune"
        EPCI = "epci", "EPCI (intercommunalité)"
        DEPARTMENT = "departement", "Département"
        REGION = "region", "Région"
        OTHER_PUBLIC = "other_public", "Autre structure publique (GIP, établissement public…)"
        ASSOCIATION = "association", "Association"
        COMPANY = "company", "Entreprise"

    name = models.CharField("nom", max_length=255)
    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret],
                             help_text="14 chiffres.")
    kind = models.CharField("type de structure", max_length=20, choices=Kind.choices)
    address = models.CharField("adresse", max_length=255)
    commune = models.ForeignKey("territories.Commune", verbose_name="commune",
                                on_delete=models.PROTECT, related_name="+")
    # Located from the address (advisors.geocoding), else the commune's centre.
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    contact_first_name = models.CharField("prénom du contact", max_length=150)
    contact_last_name = models.CharField("nom du contact", max_length=150)
    contact_email = models.EmailField("courriel du contact")
    contact_phone = models.CharField("téléphone du contact", max_length=20, blank=True,
                                     validators=[validate_phone])
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="gestionnaires",
                                      blank=True, related_name="managed_structures")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta(Located.Meta):
        verbose_name = "structure d'accueil"
        verbose_name_plural = "structures d'accueil"
        ordering = ["name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.siret})"

    def clean_fields(self, exclude=None):
        # "732 829 320 00074" is accepted and stored as digits only.
        self.siret = normalize_siret(self.siret)
        self.contact_phone = normalize_phone(self.contact_phone)
        super().clean_fields(exclude=exclude)

    @property
    def department(self):
        return self.commune.department

    @property
    def region(self):
        return self.commune.department.region


class PrefectAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """ANCT sees every assignment, a préfet their own."""
        scope = scope_of(user)
        own = Q(user=scope.user) if scope.user is not None else None
        return scope.restrict(self, own)

    def editable_by(self, user):
        scope = scope_of(user)
        return scope.restrict(self)

    def active(self):
        """Assignments whose user still holds the préfet role."""
        from accounts.roles import Role

        return self.filter(user__is_active=True, user__groups__name=Role.PREFET)

    def covering(self, commune):
        """Préfets of the commune's département and of its région."""
        return self.filter(Q(department_id=commune.department_id)
                           | Q(region_id=commune.department.region_id))


class PrefectAssignment(models.Model):
    """The territory a préfet (or territorial delegate) covers: a département, or a région
    for a regional préfet."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="préfet",
                                on_delete=models.CASCADE, related_name="prefect_assignment")
    department = models.ForeignKey("territories.Department", verbose_name="département",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    region = models.ForeignKey("territories.Region", verbose_name="région", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    last_digest_at = models.DateTimeField("dernier récapitulatif envoyé le", null=True,
                                          blank=True, editable=False)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)

    objects = PrefectAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "affectation de préfet"
        verbose_name_plural = "affectations de préfets"
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(department__isnull=False, region__isnull=True)
                           | Q(department__isnull=True, region__isnull=False)),
                name="prefect_covers_a_department_or_a_region",
                violation_error_message="Un préfet couvre soit un département, soit une région.",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.territory}"

    @property
    def territory(self):
        return self.department or self.region

    def clean(self):
        from django.core.exceptions import ValidationError

        if bool(self.department_id) == bool(self.region_id):
            raise ValidationError(
                "Indiquez soit un département (préfet de département), soit une région "
                "(préfet de région).")

    def covers(self, commune) -> bool:
        if self.department_id:
            return commune.department_id == self.department_id
        return commune.department.region_id == self.region_id
