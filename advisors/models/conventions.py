"""Conventions (the funding agreement, its renewals) and amendments adding or withdrawing
posts. The rules that move them from one status to another live in ``services``."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from calendars.dates import long_date

from .applications import AwaitsOpinion, OpinionQuerySet, StructureScopedQuerySet

# A validated convention "nears its end" (its renewal is offered first) within this many days.
RENEWAL_NOTICE_DAYS = 180


class ConventionQuerySet(StructureScopedQuerySet):
    def validated(self):
        return self.filter(status=Convention.Status.VALIDATED)

    def with_renewed(self):
        """Each row knows whether a renewal follows it (``renewed``, read by
        ``Convention.renewal_due`` without a query per row)."""
        return self.annotate(renewed=Exists(Convention.objects.filter(previous=OuterRef("pk"))))


class Convention(models.Model):
    """The funding agreement of a structure; a renewal (reconventionnement) follows one."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Conventionnement initial"
        RENEWAL = "renewal", "Reconventionnement"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "En cours"
        INITIATED = "initiated", "Initié"
        VALIDATED = "validated", "Validée"
        NOT_INTERESTED = "not_interested", "Non intéressée"

    # Statuses each kind of convention goes through.
    STATUSES_BY_KIND = {
        Kind.INITIAL: {Status.IN_PROGRESS, Status.VALIDATED},
        Kind.RENEWAL: {Status.INITIATED, Status.VALIDATED, Status.NOT_INTERESTED},
    }

    structure = models.ForeignKey("advisors.Structure", verbose_name="structure",
                                  on_delete=models.PROTECT, related_name="conventions")
    kind = models.CharField("type", max_length=10, choices=Kind.choices, default=Kind.INITIAL)
    previous = models.OneToOneField("self", verbose_name="convention renouvelée", null=True,
                                    blank=True, on_delete=models.PROTECT,
                                    related_name="renewal")
    status = models.CharField("statut", max_length=20, choices=Status.choices)
    posts = models.PositiveSmallIntegerField("postes conventionnés",
                                             validators=[MinValueValidator(1)])
    start = models.DateField("début")
    end = models.DateField("fin")
    reason = models.TextField("motif", blank=True,
                              help_text="Pourquoi la structure ne renouvelle pas.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="créée par",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="validée par",
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    validated_at = models.DateTimeField("validée le", null=True, blank=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention"
        ordering = ["structure", "start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                   name="convention_ends_after_start",
                                   violation_error_message=(
                                       "La fin de la convention doit suivre son début.")),
            models.UniqueConstraint(fields=["structure"], condition=Q(kind="initial"),
                                    name="one_initial_convention_per_structure",
                                    violation_error_message=(
                                        "Cette structure a déjà sa convention initiale.")),
            models.CheckConstraint(
                condition=Q(kind="initial", previous__isnull=True)
                | Q(kind="renewal", previous__isnull=False),
                name="renewal_follows_a_convention",
                violation_error_message=(
                    "Un reconventionnement renouvelle une convention existante.")),
        ]

    def __str__(self):
        return (f"{self.get_kind_display()} — {self.structure.name} "
                f"({long_date(self.start)} – {long_date(self.end)})")

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "La fin de la convention doit suivre son début."
        if self.status and self.status not in self.STATUSES_BY_KIND.get(self.kind, set()):
            errors["status"] = (f"Statut « {self.get_status_display()} » impossible pour un "
                                f"{self.get_kind_display().lower()}.")
        if self.kind == self.Kind.RENEWAL and not self.previous_id:
            errors["previous"] = "Un reconventionnement renouvelle une convention existante."
        if errors:
            raise ValidationError(errors)

    @property
    def is_renewed(self) -> bool:
        """A renewal follows it (the ``renewed`` annotation when the list has it)."""
        renewed = getattr(self, "renewed", None)
        if renewed is None:
            renewed = Convention.objects.filter(previous=self).exists()
        return renewed

    @property
    def renewal_due(self) -> bool:
        """Validated, not renewed yet and ending within ``RENEWAL_NOTICE_DAYS``: the renewal
        is offered first."""
        return self.renewal_due_on(timezone.localdate())

    def renewal_due_on(self, today) -> bool:
        return (self.may_be_renewed
                and self.end - today <= datetime.timedelta(days=RENEWAL_NOTICE_DAYS))

    @classmethod
    def may_start_for(cls, structure) -> bool:
        """The initial convention may be started: the structure has a validated application
        and no initial convention yet (``services.start_convention`` says why not)."""
        return (structure.applications.validated().exists()
                and not structure.conventions.filter(kind=cls.Kind.INITIAL).exists())

    @property
    def may_be_renewed(self) -> bool:
        """Validated and not renewed yet: its renewal may be started."""
        return self.status == self.Status.VALIDATED and not self.is_renewed

    @property
    def may_be_declined(self) -> bool:
        """An initiated renewal: the structure may say it is not interested."""
        return self.kind == self.Kind.RENEWAL and self.status == self.Status.INITIATED

    @property
    def has_ended(self) -> bool:
        return self.end < timezone.localdate()

    def may_be_amended(self) -> bool:
        """Validated, running, and no other amendment pending."""
        return (self.status == self.Status.VALIDATED and not self.has_ended
                and not self.amendments.pending().exists())


class AmendmentQuerySet(OpinionQuerySet):
    structure_path = "convention__structure"

    def pending(self):
        return self.filter(status__in=Amendment.PENDING_STATUSES)

    def awaiting_opinion(self):
        return self.filter(status=Amendment.Status.PENDING_OPINION, opinion__isnull=True)

    def validated(self):
        return self.filter(status=Amendment.Status.VALIDATED)


class Amendment(AwaitsOpinion, models.Model):
    """An avenant adding or withdrawing posts: préfet's opinion (additions only), then ANCT's
    decision."""

    class Kind(models.TextChoices):
        ADD = "add", "Ajout de postes"
        WITHDRAW = "withdraw", "Retrait de postes"

    class Status(models.TextChoices):
        PENDING_OPINION = "pending_opinion", "En attente de l'avis du préfet"
        PENDING_DECISION = "pending_decision", "En attente de décision"
        VALIDATED = "validated", "Validé"
        REFUSED = "refused", "Refusé"

    PENDING_STATUSES = [Status.PENDING_OPINION, Status.PENDING_DECISION]

    convention = models.ForeignKey(Convention, verbose_name="convention",
                                   on_delete=models.PROTECT, related_name="amendments")
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    posts = models.PositiveSmallIntegerField("nombre de postes",
                                             validators=[MinValueValidator(1)])
    reason = models.TextField("motif")
    status = models.CharField("statut", max_length=20, choices=Status.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="demandé par",
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="décidé par",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decision_comment = models.TextField("commentaire de la décision", blank=True)

    objects = AmendmentQuerySet.as_manager()

    class Meta:
        verbose_name = "avenant"
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=Q(posts__gte=1), name="amendment_posts_positive",
            violation_error_message="Un avenant porte sur au moins un poste."),
            models.CheckConstraint(
                condition=~Q(kind="withdraw", status="pending_opinion"),
                name="withdrawal_needs_no_opinion",
                violation_error_message="Un retrait de postes ne demande pas l'avis du préfet."),
        ]

    def __str__(self):
        return (f"Avenant ({self.get_kind_display().lower()} : {self.posts}) — "
                f"{self.convention.structure.name}")

    def clean(self):
        if self.kind == self.Kind.WITHDRAW and self.status == self.Status.PENDING_OPINION:
            raise ValidationError("Un retrait de postes ne demande pas l'avis du préfet.")

    @property
    def structure(self):
        return self.convention.structure

    @property
    def signed_posts(self):
        return self.posts if self.kind == self.Kind.ADD else -self.posts

