"""Correcting records: a structure (ANCT: name, type, address, contacts; its managers: address
and contacts), a service point and an advisor's training data (ANCT, in the back office), and
the training records advisors declare for ANCT to validate or refuse.

Each correction is checked by the model (``full_clean``) and the bounds, saved, and written
to the record's history (``advisors.history``) with the acting person; nothing is written
when nothing changed."""

from django.db import transaction
from django.utils import timezone

from .. import history, permissions
from ..models import Advisor, ServicePoint, Structure, TrainingRecord
from ..models.training import TRAINING_FIELDS, training_errors
from .base import NotAllowed, WorkflowError, locked, require_admin, validate
from .places import update_service_point

STRUCTURE_FIELDS = ("name", "kind", "address", "contact_first_name", "contact_last_name",
                    "contact_email", "contact_phone")
# What a structure's managers correct themselves (name and type are ANCT's).
STRUCTURE_MANAGER_FIELDS = ("address", "contact_first_name", "contact_last_name",
                            "contact_email", "contact_phone")
SERVICE_POINT_FIELDS = ("name", "address", "access", "is_itinerant", "phone", "email",
                        "website", "booking_url", "is_public")
NOT_MANAGER = "Seuls les gestionnaires de la structure modifient ses coordonnées."
NOT_ADVISOR = "Seuls les conseillers numériques déclarent leur formation."


def _known(data, allowed):
    unknown = set(data) - set(allowed)
    if unknown:
        raise NotAllowed(f"Ces champs ne peuvent pas être modifiés ici : "
                         f"{', '.join(sorted(unknown))}.")


def _raise_bounds(errors):
    if errors:
        text = " ".join(message for messages in errors.values() for message in messages)
        raise WorkflowError(text, errors)


def correct_structure(structure, actor, data):
    """Changes the given fields of the structure; returns it, with the changes recorded in
    its history. ANCT changes every field of ``STRUCTURE_FIELDS``, its managers their
    address and contacts."""
    if not permissions.can_edit(actor, structure):
        raise NotAllowed(NOT_MANAGER)
    _known(data, STRUCTURE_FIELDS if permissions.is_anct_admin(actor)
           else STRUCTURE_MANAGER_FIELDS)
    with transaction.atomic():
        current = locked(Structure, structure.pk)
        before = history.snapshot(current, data)
        for name, value in data.items():
            setattr(current, name, value)
        validate(current)
        changes = history.changes_between(current, before, data)
        if changes:
            current.save()
            history.record_changes(current, actor, changes)
    structure.refresh_from_db()
    return structure


def correct_service_point(service_point, actor, data):
    """ANCT corrects a service point from the back office (the same rules as its editors'
    changes, ``update_service_point``), recorded in its history."""
    require_admin(actor)
    _known(data, SERVICE_POINT_FIELDS)
    with transaction.atomic():
        before = history.snapshot(locked(ServicePoint, service_point.pk), data)
        update_service_point(service_point, actor, data)
        history.record_changes(service_point, actor,
                               history.changes_between(service_point, before, data))
    return service_point


def correct_training(advisor, actor, data):
    """ANCT corrects an advisor's training data (dates, hours, Pix level, CCP1)."""
    require_admin(actor)
    _known(data, TRAINING_FIELDS)
    with transaction.atomic():
        current = locked(Advisor, advisor.pk)
        before = history.snapshot(current, data)
        for name, value in data.items():
            setattr(current, name, value)
        _raise_bounds(training_errors(**{name: getattr(current, name)
                                         for name in TRAINING_FIELDS}))
        validate(current)
        changes = history.changes_between(current, before, data)
        if changes:
            current.save()
            history.record_changes(current, actor, changes)
    advisor.refresh_from_db()
    return advisor


def submit_training(actor, data):
    """The signed-in advisor declares their training; it waits for ANCT ("À valider").
    A record still waiting is replaced by the new one (the advisor corrects it)."""
    advisor = Advisor.objects.filter(user=actor).first() if actor.is_authenticated else None
    if advisor is None:
        raise NotAllowed(NOT_ADVISOR)
    _known(data, TRAINING_FIELDS)
    with transaction.atomic():
        locked(Advisor, advisor.pk)  # one declaration at a time per advisor
        record = advisor.training_records.pending().first() or TrainingRecord(advisor=advisor)
        for name, value in data.items():
            setattr(record, name, value)
        record.submitted_by, record.submitted_at = actor, timezone.now()
        validate(record)
        record.save()
        history.record_changes(advisor, actor, [], history.TRAINING_SUBMITTED,
                               record=record.pk)
    return record


def _pending(record):
    current = locked(TrainingRecord, record.pk)
    if current.status != TrainingRecord.Status.SUBMITTED:
        raise WorkflowError(f"Cette déclaration est déjà « {current.get_status_display()} ».")
    return current


def validate_training(record, actor):
    """ANCT validates the record: its values become the advisor's training data."""
    require_admin(actor)
    with transaction.atomic():
        current = _pending(record)
        advisor = locked(Advisor, current.advisor_id)
        before = history.snapshot(advisor, TRAINING_FIELDS)
        for name, value in current.values.items():
            setattr(advisor, name, value)
        validate(advisor)
        advisor.save()
        current.status = TrainingRecord.Status.VALIDATED
        current.decided_by, current.decided_at = actor, timezone.now()
        current.save()
        history.record_changes(advisor, actor,
                               history.changes_between(advisor, before, TRAINING_FIELDS),
                               history.TRAINING_VALIDATED, record=current.pk)
    record.refresh_from_db()
    return record


def refuse_training(record, actor, reason):
    """ANCT refuses the record with a reason the advisor reads on "Ma formation"."""
    require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("Indiquez le motif du refus.",
                            {"reason": ["Indiquez le motif du refus."]})
    with transaction.atomic():
        current = _pending(record)
        current.status = TrainingRecord.Status.REFUSED
        current.refusal_reason = reason
        current.decided_by, current.decided_at = actor, timezone.now()
        current.save()
        history.record_changes(current.advisor, actor, [], history.TRAINING_REFUSED,
                               record=current.pk, reason=reason)
    record.refresh_from_db()
    return record
