"""Advisors (conseillers numériques), their employment contracts and contract extensions."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from calendars.dates import long_date

from ..validators import normalize_phone, validate_phone
from .scope import scope_of

MAX_PIX_LEVEL = 8


def minimum_monthly_salary() -> Decimal:
    return Decimal(str(settings.ADVISOR_MINIMUM_MONTHLY_SALARY))


def euros(amount) -> str:
    """1823.03 → "1 823,03 €" (French formatting, independent of the active locale)."""
    return f"{Decimal(amount):,.2f} €".replace(",", " ").replace(".", ",")


class AdvisorQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        return scope.restrict(
            self,
            scope.own_advisor(""),
            scope.coordinated(""),
            # Structure managers and préfets see the advisors their structures recruit.
            scope.via(Contract.objects.all(), "advisor_id", scope.structures("structure")),
        )

    def editable_by(self, user):
        scope = scope_of(user)
        return scope.restrict(
            self,
            scope.own_advisor(""),
            scope.via(Contract.objects.all(), "advisor_id", scope.managed("structure")),
        )

    def coordinators(self):
        return self.filter(is_coordinator=True)

    def coordinated_by(self, user):
        """The advisors this person coordinates: those their granted coordinator posts
        cover (``Application.objects.held_by``: a list of advisors, or those with a running
        contract in a département or a région), plus the links imported with the advisors
        (``Advisor.coordinated``). The coordinator themself is left out. The one definition
        of a coordinator's team (``Scope.coordinated`` and the coordinator's pages read it)."""
        from .applications import Application

        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        scope = Application.CoordinationScope
        # One small query first (the posts this person holds and what they cover), so the
        # team query joins only the parts that exist: most coordinators hold a single post
        # of one kind, or none (imported links only).
        posts = list(Application.objects.held_by(user).values_list(
            "pk", "coordination_scope", "coordinated_department_id", "coordinated_region_id"))
        imported = Advisor.coordinated.through.objects.filter(
            from_advisor__user=user, from_advisor__is_coordinator=True)
        covered = Q(pk__in=imported.values("to_advisor_id"))
        listed = [pk for pk, kind, _d, _r in posts if kind == scope.ADVISORS]
        departments = [d for _pk, kind, d, _r in posts if kind == scope.DEPARTMENT]
        regions = [r for _pk, kind, _d, r in posts if kind == scope.REGION]
        if listed:
            covered |= Q(pk__in=Application.coordinated_advisors.through.objects.filter(
                application__in=listed).values("advisor_id"))
        if departments:
            covered |= Q(pk__in=Contract.objects.active().filter(
                structure__commune__department_id__in=departments).values("advisor_id"))
        if regions:
            covered |= Q(pk__in=Contract.objects.active().filter(
                structure__commune__department__region_id__in=regions).values("advisor_id"))
        return self.filter(covered).exclude(user=user)

    def employed_by(self, structure, on=None):
        """Advisors with an active contract at the structure."""
        return self.filter(pk__in=Contract.objects.filter(structure=structure).active(on)
                           .values("advisor_id"))


class Advisor(models.Model):
    """A conseiller numérique. Imported advisors may not have an account yet (``user``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="compte", null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="advisor")
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("courriel professionnel", unique=True)
    phone = models.CharField("téléphone professionnel", max_length=20, blank=True,
                             validators=[validate_phone])
    is_coordinator = models.BooleanField("coordinateur", default=False)
    coordinated = models.ManyToManyField(
        "self", verbose_name="conseillers coordonnés", symmetrical=False, blank=True,
        related_name="coordinators",
    )
    training_start = models.DateField("début de la formation initiale", null=True, blank=True)
    training_end = models.DateField("fin de la formation initiale", null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField("heures de formation", null=True,
                                                      blank=True)
    pix_level = models.PositiveSmallIntegerField(
        "niveau Pix", null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_PIX_LEVEL)],
    )
    ccp1_obtained = models.BooleanField("CCP1 du titre professionnel REMN obtenu",
                                        default=False)
    ccp1_obtained_on = models.DateField("date d'obtention du CCP1", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = AdvisorQuerySet.as_manager()

    class Meta:
        verbose_name = "conseiller numérique"
        verbose_name_plural = "conseillers numériques"
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"]),
                   # Case-insensitive lookups by professional email (account linking, the
                   # open data's "is this contact an advisor's own" check per row).
                   models.Index(Upper("email"), name="advisor_email_upper")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pix_level__isnull=True) | Q(pix_level__lte=MAX_PIX_LEVEL),
                name="advisor_pix_level_0_to_8",
                violation_error_message="Le niveau Pix est compris entre 0 et 8."),
            models.CheckConstraint(
                condition=Q(training_end__isnull=True) | Q(training_start__isnull=True)
                | Q(training_end__gte=F("training_start")),
                name="advisor_training_ends_after_start",
                violation_error_message="La fin de la formation doit suivre son début."),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    def clean_fields(self, exclude=None):
        self.email = (self.email or "").strip().lower()
        self.phone = normalize_phone(self.phone)
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.training_start and self.training_end and self.training_end < self.training_start:
            errors["training_end"] = "La fin de la formation doit suivre son début."
        if self.ccp1_obtained_on and not self.ccp1_obtained:
            errors["ccp1_obtained_on"] = "Une date d'obtention suppose le CCP1 obtenu."
        if self.ccp1_obtained_on and self.ccp1_obtained_on > timezone.localdate():
            errors["ccp1_obtained_on"] = "La date d'obtention ne peut pas être dans le futur."
        if errors:
            raise ValidationError(errors)

    def academy_trainings(self):
        """Académie des territoires sessions this advisor attended: confirmed enrolments of
        their account on sessions that took place (not cancelled, already over). Their
        attendances come along: ``Enrolment.hours_attended()`` credits the hours of the
        half-days marked present, as "Mon espace" does."""
        from academy.models import Enrolment, Session

        if not self.user_id:
            return Enrolment.objects.none()
        return (Enrolment.objects.filter(
            user_id=self.user_id, status=Enrolment.Status.CONFIRMED,
            session__status=Session.Status.SCHEDULED, session__end__lt=timezone.now(),
        ).select_related("session__course").prefetch_related("attendances")
                .order_by("session__start"))

    def current_contract(self, on=None):
        return self.contracts.active(on).select_related("structure").first()


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        return scope.restrict(self, scope.structures("structure"), scope.own_advisor("advisor"))

    def editable_by(self, user):
        scope = scope_of(user)
        return scope.restrict(self, scope.managed("structure"))

    @staticmethod
    def _running_on(on):
        """Not ended on that day: no end or an end on/after it, no rupture effective by then."""
        ruptured = Q(rupture_status=Contract.Rupture.VALIDATED, rupture_date__lte=on)
        return (Q(end__isnull=True) | Q(end__gte=on)) & ~ruptured

    def holding_posts(self, on=None):
        """Submitted or validated contracts still running: they count against the structure's
        granted posts (a validated contract starting later holds its post already)."""
        on = on or timezone.localdate()
        return self.filter(Q(status__in=Contract.HOLDING_STATUSES) & self._running_on(on))

    def active(self, on=None):
        """Validated, started, not ended, and no rupture effective on that day."""
        on = on or timezone.localdate()
        return self.filter(Q(status=Contract.Status.VALIDATED, start__lte=on)
                           & self._running_on(on))

    def overlapping(self, start, end):
        """Submitted or validated contracts whose period meets [start, end] (end None: open)."""
        period = Q(end__isnull=True) | Q(end__gte=start)
        if end is not None:
            period &= Q(start__lte=end)
        ruptured_before = Q(rupture_status=Contract.Rupture.VALIDATED, rupture_date__lte=start)
        return self.filter(Q(status__in=Contract.HOLDING_STATUSES) & period & ~ruptured_before)


class Contract(models.Model):
    """An advisor's employment contract with a structure, validated by ANCT."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "En attente de validation"
        VALIDATED = "validated", "Validé"
        REFUSED = "refused", "Refusé"

    # The statuses in which a contract holds one of the structure's posts.
    HOLDING_STATUSES = [Status.SUBMITTED, Status.VALIDATED]

    class Kind(models.TextChoices):
        CDI = "cdi", "CDI"
        CDD = "cdd", "CDD"
        PEC = "pec", "Parcours emploi compétences (PEC)"
        PUBLIC_PROJECT = "contrat_projet_public", "Contrat de projet (fonction publique)"

    class RuptureReason(models.TextChoices):
        DISMISSAL = "dismissal", "Licenciement"
        RESIGNATION = "resignation", "Démission"
        NON_RENEWAL = "non_renewal_fixed_term", "Non-renouvellement du contrat à durée déterminée"
        END_OF_FUNDING = "end_of_funding", "Fin de financement"
        END_OF_CONVENTION = "end_of_convention", "Fin de convention"

    class Rupture(models.TextChoices):
        NONE = "none", "Aucune"
        REQUESTED = "requested", "Demandée"
        VALIDATED = "validated", "Validée"

    advisor = models.ForeignKey(Advisor, verbose_name="conseiller", on_delete=models.PROTECT,
                                related_name="contracts")
    structure = models.ForeignKey("advisors.Structure", verbose_name="structure",
                                  on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField("type de contrat", max_length=30, choices=Kind.choices)
    start = models.DateField("début")
    end = models.DateField("fin", null=True, blank=True,
                           help_text="Dernier jour du contrat ; vide pour un CDI.")
    monthly_gross_salary = models.DecimalField("salaire brut mensuel (€)", max_digits=8,
                                               decimal_places=2)
    status = models.CharField("statut", max_length=20, choices=Status.choices,
                              default=Status.SUBMITTED)
    refusal_reason = models.TextField("motif du refus", blank=True)
    rupture_status = models.CharField("rupture", max_length=20, choices=Rupture.choices,
                                      default=Rupture.NONE)
    rupture_reason = models.CharField("motif de la rupture", max_length=30, blank=True,
                                      choices=RuptureReason.choices)
    rupture_date = models.DateField(
        "date d'effet de la rupture", null=True, blank=True,
        help_text="Premier jour où le contrat ne court plus.")
    rupture_requested_at = models.DateTimeField("rupture demandée le", null=True, blank=True)
    rupture_validated_at = models.DateTimeField("rupture validée le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="saisi par",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("saisi le", auto_now_add=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="traité par",
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    validated_at = models.DateTimeField("traité le", null=True, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat"
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["advisor", "status"]),
                   models.Index(fields=["structure", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                                   name="contract_ends_after_start",
                                   violation_error_message=(
                                       "La fin du contrat doit suivre son début.")),
            models.CheckConstraint(
                condition=Q(kind="cdi", end__isnull=True) | (~Q(kind="cdi")
                                                             & Q(end__isnull=False)),
                name="contract_end_unless_cdi",
                violation_error_message="Seul un CDI n'a pas de date de fin."),
            models.CheckConstraint(condition=Q(monthly_gross_salary__gt=0),
                                   name="contract_salary_positive",
                                   violation_error_message="Le salaire doit être positif."),
            models.CheckConstraint(
                condition=Q(rupture_status="none", rupture_reason="", rupture_date__isnull=True)
                | (~Q(rupture_status="none") & ~Q(rupture_reason="")
                   & Q(rupture_date__isnull=False, status="validated")),
                name="contract_rupture_complete",
                violation_error_message=(
                    "Une rupture porte sur un contrat validé et indique son motif et sa date.")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} de {self.advisor} — {self.structure.name}"

    def clean(self):
        errors = {}
        if self.kind == self.Kind.CDI and self.end:
            errors["end"] = "Un CDI n'a pas de date de fin."
        elif self.kind and self.kind != self.Kind.CDI and not self.end:
            errors["end"] = "Indiquez la date de fin du contrat (seul un CDI n'en a pas)."
        elif self.start and self.end and self.end <= self.start:
            errors["end"] = "La fin du contrat doit suivre son début."
        minimum = minimum_monthly_salary()
        if self.monthly_gross_salary is not None and self.monthly_gross_salary < minimum:
            errors["monthly_gross_salary"] = (
                f"Le salaire brut mensuel ne peut pas être inférieur au minimum légal "
                f"({euros(minimum)}).")
        if self.rupture_status != self.Rupture.NONE:
            if not self.rupture_reason:
                errors["rupture_reason"] = "Indiquez le motif de la rupture."
            if not self.rupture_date:
                errors["rupture_date"] = "Indiquez la date d'effet de la rupture."
            elif self.start and self.rupture_date <= self.start:
                errors["rupture_date"] = "La rupture doit prendre effet après le début du contrat."
            elif self.end and self.rupture_date > self.end:
                errors["rupture_date"] = (
                    "La rupture ne peut pas prendre effet après la fin du contrat.")
        if errors:
            raise ValidationError(errors)

    @property
    def effective_end(self):
        """The last day the contract runs (None: open-ended)."""
        if self.rupture_status == self.Rupture.VALIDATED and self.rupture_date:
            return self.rupture_date - datetime.timedelta(days=1)
        return self.end

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        if self.status != self.Status.VALIDATED or self.start > on:
            return False
        return self.effective_end is None or self.effective_end >= on

    def has_ended(self, on=None) -> bool:
        """A validated contract whose last day (end or rupture) is before that day."""
        on = on or timezone.localdate()
        return (self.status == self.Status.VALIDATED and self.effective_end is not None
                and self.effective_end < on)

    def may_be_broken_off(self, on=None) -> bool:
        """The structure may still ask for a rupture: validated, not ended, none asked."""
        return (self.status == self.Status.VALIDATED
                and self.rupture_status == self.Rupture.NONE and not self.has_ended(on))

    def may_be_extended(self, on=None) -> bool:
        """The structure may still ask to push the end of a running fixed-term contract."""
        return self.end is not None and self.may_be_broken_off(on)


class ContractExtensionQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        return scope.restrict(self, scope.structures("contract__structure"),
                              scope.own_advisor("contract__advisor"))

    def editable_by(self, user):
        scope = scope_of(user)
        return scope.restrict(self, scope.managed("contract__structure"))

    def pending(self):
        return self.filter(status=ContractExtension.Status.REQUESTED)


class ContractExtension(models.Model):
    """A request to push a fixed-term contract's end date, decided by ANCT."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Demandée"
        VALIDATED = "validated", "Validée"
        REFUSED = "refused", "Refusée"

    contract = models.ForeignKey(Contract, verbose_name="contrat", on_delete=models.CASCADE,
                                 related_name="extensions")
    new_end = models.DateField("nouvelle date de fin")
    previous_end = models.DateField("date de fin précédente", editable=False)
    status = models.CharField("statut", max_length=20, choices=Status.choices,
                              default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="demandée par",
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="décidée par",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    objects = ContractExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = "prolongation de contrat"
        verbose_name_plural = "prolongations de contrat"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(new_end__gt=F("previous_end")),
                                   name="extension_pushes_the_end",
                                   violation_error_message=(
                                       "La nouvelle date de fin doit suivre l'actuelle.")),
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status="requested"),
                name="one_pending_extension_per_contract",
                violation_error_message="Une prolongation de ce contrat attend déjà une décision."),
        ]

    def __str__(self):
        return f"Prolongation jusqu'au {long_date(self.new_end)} — {self.contract}"

    def clean(self):
        if self.new_end and self.previous_end and self.new_end <= self.previous_end:
            raise ValidationError({"new_end": "La nouvelle date de fin doit suivre l'actuelle."})
