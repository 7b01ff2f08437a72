"""Conventions (funding agreements), their renewal, and amendments adding or withdrawing
posts (préfet's opinion for additions, then ANCT's decision)."""

from django.db import transaction
from django.utils import timezone

from .. import bounds, notices
from ..dates import long_date
from ..models import Amendment, Convention, Structure
from .base import (
    WorkflowError,
    locked,
    require_admin,
    require_editable,
    required_text,
    validate,
)
from .posts import check_quota, granted_posts

NOT_MANAGER = "Seuls les gestionnaires de la structure et l'ANCT gèrent ses conventions."


def start_convention(structure, actor, *, start, end, posts=None):
    """The initial convention of a validated structure, for its granted posts by default."""
    require_editable(actor, structure, NOT_MANAGER)
    with transaction.atomic():
        structure = locked(Structure, structure.pk)
        if not structure.applications.validated().exists():
            raise WorkflowError("Une convention suppose une candidature validée par le comité "
                                "de sélection.")
        if structure.conventions.filter(kind=Convention.Kind.INITIAL).exists():
            raise WorkflowError("Cette structure a déjà sa convention initiale.")
        convention = Convention(structure=structure, kind=Convention.Kind.INITIAL,
                                status=Convention.Status.IN_PROGRESS, start=start, end=end,
                                created_by=actor)
        return _save_with_posts(convention, structure, posts)


def _check_bounds(convention):
    errors = bounds.convention_errors(convention.start, convention.end)
    if errors:
        raise WorkflowError(" ".join(m for messages in errors.values() for m in messages),
                            errors)


def _check_not_ended(convention, today=None):
    """No amendment on a convention that has ended."""
    today = today or timezone.localdate()
    if convention.end < today:
        raise WorkflowError(f"Cette convention s'est terminée le {long_date(convention.end)} :"
                            " un avenant ne peut plus la modifier. Engagez son "
                            "reconventionnement.")


def _save_with_posts(convention, structure, posts):
    _check_bounds(convention)
    granted = granted_posts(structure)
    convention.posts = granted if posts is None else posts
    if convention.posts is not None and convention.posts > granted:
        raise WorkflowError(f"La convention ne peut pas porter sur plus de postes que ceux "
                            f"attribués à la structure ({granted}).")
    validate(convention)
    convention.save()
    return convention


def validate_convention(convention, actor):
    """ANCT validates a convention in progress or an initiated renewal."""
    require_admin(actor, "Seule l'ANCT valide les conventions.")
    with transaction.atomic():
        convention = locked(Convention, convention.pk)
        if convention.status not in (Convention.Status.IN_PROGRESS,
                                     Convention.Status.INITIATED):
            raise WorkflowError(f"Cette convention est « {convention.get_status_display()} » :"
                                " elle ne peut pas être validée.")
        _check_bounds(convention)
        convention.status = Convention.Status.VALIDATED
        convention.validated_by = actor
        convention.validated_at = timezone.now()
        validate(convention)
        convention.save()
        notices.convention_validated(convention)
        return convention


def start_renewal(convention, actor, *, start, end, posts=None):
    """Initiates the renewal (reconventionnement) of a validated convention."""
    require_editable(actor, convention, NOT_MANAGER)
    with transaction.atomic():
        structure = locked(Structure, convention.structure_id)
        convention = locked(Convention, convention.pk)
        if convention.status != Convention.Status.VALIDATED:
            raise WorkflowError("Seule une convention validée peut être renouvelée.")
        if Convention.objects.filter(previous=convention).exists():
            raise WorkflowError("Le renouvellement de cette convention est déjà engagé.")
        if start and start <= convention.start:
            raise WorkflowError("Le reconventionnement commence après le début de la "
                                "convention qu'il renouvelle.")
        renewal = Convention(structure=structure, kind=Convention.Kind.RENEWAL,
                             previous=convention, status=Convention.Status.INITIATED,
                             start=start, end=end, created_by=actor)
        renewal = _save_with_posts(renewal, structure, posts)
        if not structure.managers.filter(pk=actor.pk).exists():  # engaged by ANCT
            notices.renewal_started(renewal)
        return renewal


def renewal_not_interested(renewal, actor, reason):
    """The structure declines the renewal it was offered."""
    require_editable(actor, renewal, NOT_MANAGER)
    reason = required_text(reason, "Indiquez pourquoi la structure ne renouvelle pas.")
    with transaction.atomic():
        renewal = locked(Convention, renewal.pk)
        if not renewal.may_be_declined:
            raise WorkflowError("Seul un reconventionnement initié peut être décliné.")
        renewal.status = Convention.Status.NOT_INTERESTED
        renewal.reason = reason
        validate(renewal)
        renewal.save()
        notices.renewal_declined(renewal)
        return renewal


def request_amendment(convention, actor, *, kind, posts, reason):
    """An avenant to a validated convention: additions wait for the préfet's opinion,
    withdrawals go straight to ANCT's decision."""
    require_editable(actor, convention, NOT_MANAGER)
    reason = required_text(reason, "Indiquez le motif de l'avenant.")
    if kind not in Amendment.Kind.values:
        raise WorkflowError("Un avenant ajoute ou retire des postes.")
    with transaction.atomic():
        locked(Structure, convention.structure_id)
        convention = locked(Convention, convention.pk)
        if convention.status != Convention.Status.VALIDATED:
            raise WorkflowError("Un avenant modifie une convention validée.")
        _check_not_ended(convention)
        if convention.amendments.pending().exists():
            raise WorkflowError("Un avenant de cette convention est déjà en cours d'examen.")
        status = (Amendment.Status.PENDING_OPINION if kind == Amendment.Kind.ADD
                  else Amendment.Status.PENDING_DECISION)
        amendment = Amendment(convention=convention, kind=kind, posts=posts, reason=reason,
                              status=status, requested_by=actor)
        validate(amendment)
        if kind == Amendment.Kind.WITHDRAW:
            check_quota(convention.structure, granted_change=-posts)
        amendment.save()
        return amendment


def decide_amendment(amendment, actor, outcome, comment=""):
    """ANCT validates or refuses an amendment, after the préfet's opinion for additions.
    A withdrawal never leaves the structure with fewer posts than its running contracts."""
    require_admin(actor, "Seule l'ANCT décide des avenants.")
    if outcome not in (Amendment.Status.VALIDATED, Amendment.Status.REFUSED):
        raise WorkflowError("La décision est « validé » ou « refusé ».")
    with transaction.atomic():
        locked(Structure, amendment.convention.structure_id)
        amendment = locked(Amendment, amendment.pk)
        if amendment.status == Amendment.Status.PENDING_OPINION:
            raise WorkflowError("L'avis du préfet est nécessaire avant de décider de cet "
                                "avenant.")
        if amendment.status != Amendment.Status.PENDING_DECISION:
            raise WorkflowError("Cet avenant a déjà été décidé.")
        if outcome == Amendment.Status.VALIDATED:
            _check_not_ended(amendment.convention)
        if outcome == Amendment.Status.VALIDATED and amendment.kind == Amendment.Kind.WITHDRAW:
            check_quota(amendment.structure, granted_change=-amendment.posts)
        amendment.status = outcome
        amendment.decided_by = actor
        amendment.decided_at = timezone.now()
        amendment.decision_comment = (comment or "").strip()
        validate(amendment)
        amendment.save()
        notices.amendment_decided(amendment)
        return amendment
