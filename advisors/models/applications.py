"""Applications for posts, their history, the préfet's opinions, conventions and amendments.
The rules that move them from one status to another live in ``services``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from calendars.dates import long_date

from .. import permissions
from .structures import Structure

MOTIVATION_MAX_LENGTH = 2500
OPINION_COMMENT_MIN_LENGTH = 10
OPINION_COMMENT_MAX_LENGTH = 1000
MAX_POSTS_REQUESTED = 50


class StructureScopedQuerySet(models.QuerySet):
    """Rows of one structure: seen by its managers, the préfet of its territory and ANCT;
    changed by its managers and ANCT."""

    structure_path = "structure"

    def visible_to(self, user):
        scope = permissions.scope_of(user)
        return scope.restrict(self, scope.structures(self.structure_path))

    def editable_by(self, user):
        scope = permissions.scope_of(user)
        return scope.restrict(self, scope.managed(self.structure_path))


class ApplicationQuerySet(StructureScopedQuerySet):
    def open(self):
        return self.filter(status__in=Application.OPEN_STATUSES)

    def validated(self):
        return self.filter(status=Application.Status.VALIDATED)

    def awaiting_opinion(self):
        return self.open().filter(opinion__isnull=True)

    def awaiting_opinion_of(self, user):
        """Open applications without an opinion that this préfet may give one on."""
        scope = permissions.scope_of(user)
        region = Structure.Kind.REGION
        if scope.department_id:  # the département's structures, régions excepted
            return self.awaiting_opinion().filter(
                structure__commune__department_id=scope.department_id,
            ).exclude(structure__kind=region)
        if scope.region_id:  # the regional préfet: the région itself
            return self.awaiting_opinion().filter(
                structure__kind=region,
                structure__commune__department__region_id=scope.region_id)
        return self.none()

    def in_territory(self, *, department=None, region=None):
        if department is not None:
            return self.filter(structure__commune__department=department)
        return self.filter(structure__commune__department__region=region)


class Application(models.Model):
    """A structure's application (candidature) for advisor posts."""

    class Status(models.TextChoices):
        CREATED = "created", "Déposée"
        EXAMINATION = "examination", "En examen complémentaire"
        VALIDATED = "validated", "Validée"
        REFUSED = "refused", "Refusée"
        ABANDONED = "abandoned", "Abandonnée"
        CANCELLED = "cancelled", "Annulée"
        DUPLICATE = "duplicate", "Doublon"

    OPEN_STATUSES = [Status.CREATED, Status.EXAMINATION]

    structure = models.ForeignKey("advisors.Structure", verbose_name="structure",
                                  on_delete=models.PROTECT, related_name="applications")
    posts_requested = models.PositiveSmallIntegerField(
        "postes demandés",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_POSTS_REQUESTED)])
    motivation = models.TextField("motivation", max_length=MOTIVATION_MAX_LENGTH,
                                  validators=[MaxLengthValidator(MOTIVATION_MAX_LENGTH)])
    desired_start = models.DateField("date de démarrage souhaitée")
    status = models.CharField("statut", max_length=20, choices=Status.choices,
                              default=Status.CREATED)
    posts_granted = models.PositiveSmallIntegerField("postes attribués", null=True, blank=True)
    decision_number = models.CharField("numéro de décision", max_length=50, blank=True)
    decided_on = models.DateField("date de décision", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="déposée par",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("déposée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"]),
                   models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(posts_requested__gte=1, posts_requested__lte=MAX_POSTS_REQUESTED),
                name="application_posts_requested_1_to_50",
                violation_error_message="Le nombre de postes demandés est compris entre 1 et 50."),
            models.CheckConstraint(
                condition=~Q(status="validated") | Q(posts_granted__gte=1),
                name="validated_application_grants_posts",
                violation_error_message="Une candidature validée attribue au moins un poste."),
            models.UniqueConstraint(
                fields=["structure"], condition=Q(status__in=["created", "examination"]),
                name="one_open_application_per_structure",
                violation_error_message=(
                    "Cette structure a déjà une candidature en cours d'examen.")),
        ]

    def __str__(self):
        return f"Candidature de {self.structure.name} ({self.get_status_display()})"

    def clean(self):
        errors = {}
        if self.status == self.Status.VALIDATED and not self.posts_granted:
            errors["posts_granted"] = "Une candidature validée attribue au moins un poste."
        if self.decided_on and self.decided_on > timezone.localdate():
            errors["decided_on"] = "La date de décision ne peut pas être dans le futur."
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class ApplicationEventQuerySet(StructureScopedQuerySet):
    structure_path = "application__structure"

    def editable_by(self, user):
        """History is written by the services only, never edited."""
        return self.none()


class ApplicationEvent(models.Model):
    """One line of an application's history: every change of status, with who and why."""

    application = models.ForeignKey(Application, verbose_name="candidature",
                                    on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("statut précédent", max_length=20, blank=True,
                                   choices=Application.Status.choices)
    to_status = models.CharField("nouveau statut", max_length=20,
                                 choices=Application.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="par", null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("le", default=timezone.now)
    reason = models.TextField("motif", blank=True)

    objects = ApplicationEventQuerySet.as_manager()

    class Meta:
        verbose_name = "historique de candidature"
        verbose_name_plural = "historique des candidatures"
        ordering = ["at", "pk"]

    def __str__(self):
        before = self.get_from_status_display() or "—"
        return f"{before} → {self.get_to_status_display()} ({long_date(self.at)})"


class PrefectOpinionQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = permissions.scope_of(user)
        return scope.restrict(self, scope.structures("application__structure"),
                              scope.structures("amendment__convention__structure"))

    def editable_by(self, user):
        """An opinion is given once (``services.give_opinion``), never edited."""
        return self.none()


class PrefectOpinion(models.Model):
    """The préfet's opinion (avis) on an application or on an amendment adding posts."""

    class Verdict(models.TextChoices):
        FAVOURABLE = "favourable", "Favorable"
        UNFAVOURABLE = "unfavourable", "Défavorable"

    application = models.OneToOneField(Application, verbose_name="candidature", null=True,
                                       blank=True, on_delete=models.CASCADE,
                                       related_name="opinion")
    amendment = models.OneToOneField("advisors.Amendment", verbose_name="avenant", null=True,
                                     blank=True, on_delete=models.CASCADE,
                                     related_name="opinion")
    verdict = models.CharField("avis", max_length=20, choices=Verdict.choices)
    comment = models.TextField(
        "commentaire", max_length=OPINION_COMMENT_MAX_LENGTH,
        validators=[MaxLengthValidator(OPINION_COMMENT_MAX_LENGTH)],
        help_text=f"Entre {OPINION_COMMENT_MIN_LENGTH} et {OPINION_COMMENT_MAX_LENGTH} "
                  "caractères.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="auteur",
                               on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField("donné le", default=timezone.now)

    objects = PrefectOpinionQuerySet.as_manager()

    class Meta:
        verbose_name = "avis du préfet"
        verbose_name_plural = "avis des préfets"
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(application__isnull=False, amendment__isnull=True)
                           | Q(application__isnull=True, amendment__isnull=False)),
                name="opinion_on_an_application_or_an_amendment",
                violation_error_message=(
                    "Un avis porte soit sur une candidature, soit sur un avenant.")),
        ]

    def __str__(self):
        return f"Avis {self.get_verdict_display().lower()} sur {self.subject}"

    @property
    def subject(self):
        return self.application or self.amendment

    def clean(self):
        errors = {}
        if bool(self.application_id) == bool(self.amendment_id):
            errors["__all__"] = "Un avis porte soit sur une candidature, soit sur un avenant."
        if len((self.comment or "").strip()) < OPINION_COMMENT_MIN_LENGTH:
            errors["comment"] = (f"Le commentaire doit comporter au moins "
                                 f"{OPINION_COMMENT_MIN_LENGTH} caractères.")
        if errors:
            raise ValidationError(errors)


class ConventionQuerySet(StructureScopedQuerySet):
    def validated(self):
        return self.filter(status=Convention.Status.VALIDATED)


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


class AmendmentQuerySet(StructureScopedQuerySet):
    structure_path = "convention__structure"

    def validated(self):
        return self.filter(status=Amendment.Status.VALIDATED)


class Amendment(models.Model):
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

