"""Applications: filing, the status table, the préfet's opinion, the committee's decision."""

from collections.abc import Mapping

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from calendars.dates import long_date

from .. import emails, permissions
from ..models import Amendment, Application, ApplicationEvent, PrefectOpinion, Structure
from ..models.applications import OPINION_COMMENT_MAX_LENGTH, OPINION_COMMENT_MIN_LENGTH
from ..validators import normalize_siret
from .base import NotAllowed, WorkflowError, locked, require_admin, validate
from .posts import check_quota, posts_label

S = Application.Status
ADMIN = frozenset({"admin"})
MANAGER_OR_ADMIN = frozenset({"admin", "manager"})

# The one table of allowed moves: current status → {new status: who may make it}.
# The selection committee's outcomes (DECISIONS) are recorded through ``decide``.
TRANSITIONS = {
    S.CREATED: {S.EXAMINATION: ADMIN, S.VALIDATED: ADMIN, S.REFUSED: ADMIN,
                S.ABANDONED: MANAGER_OR_ADMIN, S.CANCELLED: ADMIN, S.DUPLICATE: ADMIN},
    S.EXAMINATION: {S.VALIDATED: ADMIN, S.REFUSED: ADMIN,
                    S.ABANDONED: MANAGER_OR_ADMIN, S.CANCELLED: ADMIN, S.DUPLICATE: ADMIN},
    # A validated structure may still give up its posts (once no contract holds them).
    S.VALIDATED: {S.ABANDONED: MANAGER_OR_ADMIN, S.CANCELLED: ADMIN},
    S.REFUSED: {},
    S.ABANDONED: {},
    S.CANCELLED: {},
    S.DUPLICATE: {},
}
DECISIONS = {S.VALIDATED, S.REFUSED, S.EXAMINATION}


def allowed_transitions(application, actor) -> list[str]:
    """The statuses this person may move the application to with ``transition``."""
    roles = _roles(actor, application.structure)
    return [status for status, who in TRANSITIONS[application.status].items()
            if status not in DECISIONS and who & roles]


def _roles(actor, structure) -> set[str]:
    roles = set()
    if permissions.is_anct_admin(actor):
        roles.add("admin")
    if permissions.can_edit(actor, structure):
        roles.add("manager")
    return roles


def _label(status):
    return S(status).label


def _move(application, to_status, actor, reason="", **fields):
    """Applies one move of the table and writes its history line. The application row must
    be locked by the caller."""
    allowed = TRANSITIONS[application.status]
    if to_status not in allowed:
        raise WorkflowError(
            f"Une candidature « {_label(application.status)} » ne peut pas passer à "
            f"« {_label(to_status)} ».")
    if not allowed[to_status] & _roles(actor, application.structure):
        raise NotAllowed(
            f"Vous n'avez pas le droit de passer cette candidature à « {_label(to_status)} ».")
    if application.status == S.VALIDATED:
        # Giving up validated posts: the structure's running contracts must still fit.
        locked(Structure, application.structure_id)
        check_quota(application.structure, granted_change=-(application.posts_granted or 0))
    from_status = application.status
    application.status = to_status
    for name, value in fields.items():
        setattr(application, name, value)
    validate(application)
    application.save()
    ApplicationEvent.objects.create(application=application, from_status=from_status,
                                    to_status=to_status, actor=actor, reason=reason)
    return application


def apply(structure, user, *, posts_requested, motivation, desired_start):
    """Files an application for ``posts_requested`` posts.

    ``structure`` is an existing Structure the user manages, or a mapping of the new
    structure's fields (its SIRET must be new). The user becomes one of its managers."""
    if user is None or not user.is_authenticated:
        raise NotAllowed("Connectez-vous pour déposer une candidature.")
    if desired_start and desired_start < timezone.localdate():
        raise WorkflowError("La date de démarrage souhaitée ne peut pas être passée.",
                            {"desired_start": ["La date ne peut pas être passée."]})
    with transaction.atomic():
        if isinstance(structure, Mapping):
            structure = _create_structure(structure)
        else:
            structure = locked(Structure, structure.pk)
            if not permissions.can_edit(user, structure):
                raise NotAllowed("Seuls les gestionnaires de la structure peuvent candidater "
                                 "pour elle.")
            if structure.applications.open().filter(kind=Application.Kind.ADVISOR).exists():
                raise WorkflowError("Cette structure a déjà une candidature en cours d'examen.")
        structure.managers.add(user)
        user.groups.add(Group.objects.get(name=Role.STRUCTURE_MANAGER))
        application = Application(structure=structure, posts_requested=posts_requested,
                                  motivation=(motivation or "").strip(),
                                  desired_start=desired_start, created_by=user)
        validate(application)
        application.save()
        ApplicationEvent.objects.create(application=application, to_status=S.CREATED,
                                        actor=user, reason="Dépôt de la candidature")
        emails.application_received(application)
        return application


def _create_structure(data):
    data = dict(data)
    data["siret"] = normalize_siret(data.get("siret", ""))
    duplicate = ("Une structure avec ce SIRET existe déjà : demandez à l'un de ses "
                 "gestionnaires de vous ajouter, ou écrivez à l'ANCT.")
    if data["siret"] and Structure.objects.filter(siret=data["siret"]).exists():
        raise WorkflowError(duplicate, {"siret": [duplicate]})
    structure = Structure(**data)
    validate(structure)
    try:
        with transaction.atomic():
            structure.save()
    except IntegrityError as error:  # the same SIRET filed at the same instant
        raise WorkflowError(duplicate, {"siret": [duplicate]}) from error
    return structure


def transition(application, to_status, actor, reason=""):
    """Moves the application along the table (abandon, cancel, mark as duplicate…).
    The committee's outcomes go through ``decide``."""
    if to_status in DECISIONS:
        raise WorkflowError("Cette décision relève du comité de sélection : enregistrez-la "
                            "avec son numéro de décision.")
    if to_status in (S.ABANDONED, S.CANCELLED, S.DUPLICATE) and not (reason or "").strip():
        raise WorkflowError("Indiquez le motif de ce changement de statut.")
    with transaction.atomic():
        current = locked(Application, application.pk)
        _move(current, to_status, actor, (reason or "").strip())
    application.refresh_from_db()
    return application


def give_opinion(subject, actor, verdict, comment):
    """The préfet of the structure's département gives their opinion, once, on an open
    application or on an amendment adding posts."""
    comment = (comment or "").strip()
    if verdict not in PrefectOpinion.Verdict.values:
        raise WorkflowError("Choisissez un avis favorable ou défavorable.")
    if not OPINION_COMMENT_MIN_LENGTH <= len(comment) <= OPINION_COMMENT_MAX_LENGTH:
        raise WorkflowError(
            f"Le commentaire doit comporter entre {OPINION_COMMENT_MIN_LENGTH} et "
            f"{OPINION_COMMENT_MAX_LENGTH} caractères.",
            {"comment": ["Longueur du commentaire incorrecte."]})
    with transaction.atomic():
        subject = locked(type(subject), subject.pk)
        if not type(subject).objects.filter(pk=subject.pk).opinion_of(actor).exists():
            raise NotAllowed("Seul le préfet du département de la structure (le préfet de "
                             "région pour une région) peut donner cet avis.")
        existing = PrefectOpinion.objects.filter(**{_opinion_target(subject): subject}).first()
        if existing:
            raise WorkflowError(
                f"Un avis a déjà été donné le {long_date(existing.given_at)}.")
        if isinstance(subject, Application) and not subject.is_open:
            raise WorkflowError(f"Cette candidature n'attend plus d'avis : elle est "
                                f"« {subject.get_status_display().lower()} ».")
        if isinstance(subject, Amendment) and (
            subject.status != Amendment.Status.PENDING_OPINION
        ):
            raise WorkflowError("Cet avenant n'attend pas d'avis du préfet.")
        opinion = PrefectOpinion(verdict=verdict, comment=comment, author=actor,
                                 **{_opinion_target(subject): subject})
        validate(opinion)
        opinion.save()
        if isinstance(subject, Amendment):
            subject.status = Amendment.Status.PENDING_DECISION
            subject.save(update_fields=["status"])
        return opinion


def _opinion_target(subject):
    return "application" if isinstance(subject, Application) else "amendment"


def decide(application, actor, outcome, posts_granted=None, decision_number="",
           decided_on=None, reason="", more_posts_confirmed=False):
    """The selection committee's decision (ANCT): validated with a number of posts (it may
    differ from the request; more than requested only with ``more_posts_confirmed``),
    refused, or further examination. Needs the préfet's opinion. The structure's managers
    and the préfets of its territory are told by email."""
    require_admin(actor, "Seule l'ANCT (comité de sélection) décide des candidatures.")
    if outcome not in DECISIONS:
        raise WorkflowError("La décision est « validée », « refusée » ou « en examen "
                            "complémentaire ».")
    decision_number = (decision_number or "").strip()
    decided_on = decided_on or timezone.localdate()
    fields = {"decided_on": decided_on, "decision_number": decision_number,
              "posts_granted": None}
    if outcome == S.VALIDATED:
        if not posts_granted or posts_granted < 1:
            raise WorkflowError("Indiquez le nombre de postes attribués (au moins un).",
                                {"posts_granted": ["Au moins un poste."]})
        requested = application.posts_requested
        if application.is_coordinator_post and posts_granted != 1:
            message = "Un poste de coordinateur s'attribue seul : indiquez 1 poste attribué."
            raise WorkflowError(message, {"posts_granted": [message]})
        if posts_granted > requested and not more_posts_confirmed:
            message = (f"La structure a demandé {posts_label(requested)} : pour en attribuer "
                       f"{posts_granted}, confirmez explicitement l'attribution de postes "
                       "supplémentaires.")
            raise WorkflowError(message, {"posts_granted": [message]})
        fields["posts_granted"] = posts_granted
    if outcome in (S.VALIDATED, S.REFUSED) and not decision_number:
        raise WorkflowError("Indiquez le numéro de la décision du comité de sélection.",
                            {"decision_number": ["Numéro obligatoire."]})
    with transaction.atomic():
        current = locked(Application, application.pk)
        if not PrefectOpinion.objects.filter(application=current).exists():
            raise WorkflowError("L'avis du préfet est nécessaire avant la décision du comité "
                                "de sélection.")
        reason = (reason or "").strip()
        if fields["posts_granted"] and fields["posts_granted"] > current.posts_requested:
            # Said in the history and in the email: more posts than asked for.
            note = (f"{posts_label(fields['posts_granted'])} attribués pour "
                    f"{current.posts_requested} demandé{'s' if current.posts_requested > 1 else ''}"
                    " (attribution supplémentaire confirmée).")
            reason = f"{reason}\n{note}".strip()
        _move(current, outcome, actor, reason, **fields)
        emails.application_decided(current, reason=reason)
    application.refresh_from_db()
    return application
