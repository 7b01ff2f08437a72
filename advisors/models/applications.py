"""Applications for posts, their history and the préfet's opinions (with the rule of who
gives them); conventions and amendments are in ``conventions``. The rules that move them
from one status to another live in ``services``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from calendars.dates import long_date

from .scope import scope_of
from .structures import Structure

MOTIVATION_MAX_LENGTH = 2500
OPINION_COMMENT_MIN_LENGTH = 10
OPINION_COMMENT_MAX_LENGTH = 1000
MAX_POSTS_REQUESTED = 50
# A coordinator post request names at most this many advisors (else: a département or région).
MAX_COORDINATED_ADVISORS = 100


def opinion_territory(scope, structure):
    """Who gives the préfet's opinion, as a condition on the structure (path) of the rows:
    the préfet of the structure's département, régions excepted; for a structure of kind
    "région", the regional préfet. None when the user gives no opinion."""
    region = Structure.Kind.REGION
    if scope.department_id:
        return (Q(**{f"{structure}__commune__department_id": scope.department_id})
                & ~Q(**{f"{structure}__kind": region}))
    if scope.region_id:
        return Q(**{f"{structure}__kind": region,
                    f"{structure}__commune__department__region_id": scope.region_id})
    return None


class StructureScopedQuerySet(models.QuerySet):
    """Rows of one structure: seen by its managers, the préfet of its territory and ANCT;
    changed by its managers and ANCT."""

    structure_path = "structure"

    def visible_to(self, user):
        scope = scope_of(user)
        return scope.restrict(self, scope.structures(self.structure_path))

    def editable_by(self, user):
        scope = scope_of(user)
        return scope.restrict(self, scope.managed(self.structure_path))


class OpinionQuerySet(StructureScopedQuerySet):
    """Rows a préfet gives an opinion on (applications, amendments adding posts)."""

    def opinion_of(self, user):
        """The rows whose opinion this user gives (``opinion_territory``)."""
        condition = opinion_territory(scope_of(user), self.structure_path)
        return self.none() if condition is None else self.filter(condition)

    def awaiting_opinion_of(self, user):
        """The rows waiting for this préfet's opinion."""
        return self.awaiting_opinion().opinion_of(user)


class AwaitsOpinion:
    """For applications and amendments: the rule, asked about one row."""

    def awaits_opinion_of(self, user) -> bool:
        """True when this user is the préfet whose opinion the row waits for."""
        return type(self).objects.awaiting_opinion_of(user).filter(pk=self.pk).exists()


class ApplicationQuerySet(OpinionQuerySet):
    def open(self):
        return self.filter(status__in=Application.OPEN_STATUSES)

    def validated(self):
        return self.filter(status=Application.Status.VALIDATED)

    def awaiting_opinion(self):
        return self.open().filter(opinion__isnull=True)

    def coordinator_posts(self):
        return self.filter(kind=Application.Kind.COORDINATOR)

    def held_by(self, user):
        """Granted coordinator posts whose appointed coordinator is this person, under a
        contract running today: the requests a coordinator's scope comes from."""
        from .people import Contract

        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.coordinator_posts().validated().filter(
            coordinator_contract__advisor__user=user,
            coordinator_contract__in=Contract.objects.active().values("pk"))

    def in_territory(self, *, department=None, region=None):
        if department is not None:
            return self.filter(structure__commune__department=department)
        return self.filter(structure__commune__department__region=region)


class Application(AwaitsOpinion, models.Model):
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

    class Kind(models.TextChoices):
        ADVISOR = "conseiller", "Postes de conseillers numériques"
        COORDINATOR = "coordinateur", "Poste de coordinateur"

    class CoordinationScope(models.TextChoices):
        """What a coordinator post covers (the coordinator's scope)."""
        ADVISORS = "advisors", "Une liste de conseillers"
        DEPARTMENT = "department", "Un département"
        REGION = "region", "Une région"

    structure = models.ForeignKey("advisors.Structure", verbose_name="structure",
                                  on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField("type de demande", max_length=20, choices=Kind.choices,
                            default=Kind.ADVISOR)
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
    # A coordinator post: what it covers, chosen in the request and editable by ANCT, and
    # the contract of the coordinator recruited under it once granted.
    coordination_scope = models.CharField("périmètre de coordination", max_length=20,
                                          blank=True, default="",
                                          choices=CoordinationScope.choices)
    coordinated_department = models.ForeignKey(
        "territories.Department", verbose_name="département coordonné", null=True,
        blank=True, on_delete=models.PROTECT, related_name="+")
    coordinated_region = models.ForeignKey(
        "territories.Region", verbose_name="région coordonnée", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    coordinated_advisors = models.ManyToManyField(
        "advisors.Advisor", verbose_name="conseillers coordonnés", blank=True,
        related_name="coordinator_posts_listing")
    coordinator_contract = models.OneToOneField(
        "advisors.Contract", verbose_name="contrat du coordinateur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="coordinator_post")

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
                fields=["structure", "kind"], condition=Q(status__in=["created", "examination"]),
                name="one_open_application_per_structure_and_kind",
                violation_error_message=(
                    "Cette structure a déjà une candidature en cours d'examen.")),
            models.CheckConstraint(
                condition=Q(kind="conseiller") | Q(posts_requested=1),
                name="coordinator_request_asks_one_post",
                violation_error_message="Une demande de poste de coordinateur porte sur un "
                                        "seul poste."),
            models.CheckConstraint(
                condition=(Q(kind="conseiller", coordination_scope="",
                             coordinated_department__isnull=True,
                             coordinated_region__isnull=True, coordinator_contract__isnull=True)
                           | Q(kind="coordinateur", coordination_scope="advisors",
                               coordinated_department__isnull=True,
                               coordinated_region__isnull=True)
                           | Q(kind="coordinateur", coordination_scope="department",
                               coordinated_department__isnull=False,
                               coordinated_region__isnull=True)
                           | Q(kind="coordinateur", coordination_scope="region",
                               coordinated_department__isnull=True,
                               coordinated_region__isnull=False)),
                name="coordinator_scope_complete",
                violation_error_message="Le périmètre d'un poste de coordinateur est une liste "
                                        "de conseillers, un département ou une région."),
        ]

    def __str__(self):
        return f"Candidature de {self.structure.name} ({self.get_status_display()})"

    def clean(self):
        errors = {}
        if self.status == self.Status.VALIDATED and not self.posts_granted:
            errors["posts_granted"] = "Une candidature validée attribue au moins un poste."
        if self.decided_on and self.decided_on > timezone.localdate():
            errors["decided_on"] = "La date de décision ne peut pas être dans le futur."
        errors.update(self._coordination_errors())
        if errors:
            raise ValidationError(errors)

    def _coordination_errors(self):
        scope = self.CoordinationScope
        if self.kind != self.Kind.COORDINATOR:
            if self.coordination_scope or self.coordinated_department_id \
                    or self.coordinated_region_id:
                return {"coordination_scope": "Seule une demande de poste de coordinateur a "
                                              "un périmètre de coordination."}
            return {}
        errors = {}
        if self.posts_requested is not None and self.posts_requested != 1:
            errors["posts_requested"] = ("Une demande de poste de coordinateur porte sur un "
                                         "seul poste.")
        if self.coordination_scope not in scope.values:
            errors["coordination_scope"] = ("Choisissez ce que le coordinateur suivra : une "
                                            "liste de conseillers, un département ou une "
                                            "région.")
        elif self.coordination_scope == scope.DEPARTMENT and not self.coordinated_department_id:
            errors["coordinated_department"] = "Choisissez le département coordonné."
        elif self.coordination_scope == scope.REGION and not self.coordinated_region_id:
            errors["coordinated_region"] = "Choisissez la région coordonnée."
        if self.coordination_scope != scope.DEPARTMENT and self.coordinated_department_id:
            errors["coordinated_department"] = ("Un département ne se choisit que pour un "
                                                "périmètre départemental.")
        if self.coordination_scope != scope.REGION and self.coordinated_region_id:
            errors["coordinated_region"] = ("Une région ne se choisit que pour un périmètre "
                                            "régional.")
        return errors

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_coordinator_post(self):
        return self.kind == self.Kind.COORDINATOR

    def coordination_label(self):
        """"Département : Oise (60)", "Région : Hauts-de-France", "3 conseillers"."""
        scope = self.CoordinationScope
        if self.coordination_scope == scope.DEPARTMENT and self.coordinated_department_id:
            department = self.coordinated_department
            return f"Département : {department.name} ({department.code})"
        if self.coordination_scope == scope.REGION and self.coordinated_region_id:
            return f"Région : {self.coordinated_region.name}"
        if self.coordination_scope == scope.ADVISORS:
            count = self.coordinated_advisors.count() if self.pk else 0
            plural = "s" if count > 1 else ""
            return ("Aucun conseiller désigné" if count == 0
                    else f"{count} conseiller{plural} désigné{plural}")
        return ""


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
        scope = scope_of(user)
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
