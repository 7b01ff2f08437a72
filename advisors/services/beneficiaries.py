"""Bénéficiaires: records kept by the advisors of a structure, linked to their activity
reports, merged when the same person was entered twice, anonymised on request, after two
years without a visit, or when nobody of the structure is under contract any more."""

from django.db import transaction
from django.utils import timezone

from ..models import ActivityReport, Beneficiary, Contract
from ..models.beneficiaries import RETENTION_WITHOUT_VISIT, structures_followed_by
from .base import NotAllowed, WorkflowError, locked, validate

FIELDS = {"first_name", "last_name", "commune", "birth_band", "contact_consent", "email",
          "phone"}
NOT_THEIRS = "Seuls les conseillers sous contrat avec la structure suivent ses bénéficiaires."
ANONYMISED = "Cette fiche est anonymisée : elle ne se modifie plus."
# Accompaniments that concern one person.
SINGLE = {ActivityReport.Kind.INDIVIDUAL, ActivityReport.Kind.ONE_OFF}


def _fill(beneficiary, data):
    unknown = set(data) - FIELDS
    if unknown:
        raise WorkflowError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    for name, value in data.items():
        setattr(beneficiary, name, "" if value is None and name != "commune" else value)


def create_beneficiary(structure, data, actor):
    """A new record of ``structure``, entered by ``actor`` (an advisor under contract
    there)."""
    if not structures_followed_by(actor).filter(pk=structure.pk).exists():
        raise NotAllowed(NOT_THEIRS)
    beneficiary = Beneficiary(structure=structure, created_by=actor)
    _fill(beneficiary, data)
    with transaction.atomic():
        validate(beneficiary)
        beneficiary.save()
    return beneficiary


def _editable(beneficiary, actor):
    if not Beneficiary.objects.visible_to(actor).filter(pk=beneficiary.pk).exists():
        raise NotAllowed(NOT_THEIRS)
    current = locked(Beneficiary, beneficiary.pk)
    if current.anonymised_at:
        raise WorkflowError(ANONYMISED)
    return current


def update_beneficiary(beneficiary, data, actor):
    with transaction.atomic():
        _editable(beneficiary, actor)
        _fill(beneficiary, data)
        validate(beneficiary)
        beneficiary.save()
    return beneficiary


def merge_beneficiaries(kept, other, actor):
    """``other`` was the same person as ``kept``: its reports go to ``kept``, what ``kept``
    lacks (band, contact given with consent) is taken from it, and ``other`` is deleted."""
    if kept.pk == other.pk:
        raise WorkflowError("Une fiche ne se fusionne pas avec elle-même.")
    with transaction.atomic():
        first, second = sorted([kept.pk, other.pk])  # locks in one order: no deadlock
        rows = {first: _editable(Beneficiary(pk=first), actor),
                second: _editable(Beneficiary(pk=second), actor)}
        kept, other = rows[kept.pk], rows[other.pk]
        if kept.structure_id != other.structure_id:
            raise WorkflowError("Ces deux fiches appartiennent à des structures différentes.")
        if not kept.birth_band:
            kept.birth_band = other.birth_band
        if other.contact_consent and not kept.contact_consent:
            kept.contact_consent, kept.email, kept.phone = True, other.email, other.phone
        elif kept.contact_consent and other.contact_consent:
            kept.email = kept.email or other.email
            kept.phone = kept.phone or other.phone
        validate(kept)
        kept.save()
        kept.reports.add(*other.reports.all())
        other.delete()
    return kept


def anonymise_beneficiary(beneficiary, actor):
    """The person asked to be forgotten: the identity goes, the statistics stay."""
    with transaction.atomic():
        current = _editable(beneficiary, actor)
        current.anonymise(Beneficiary.AnonymisedBecause.REQUEST)
    return current


def set_report_beneficiaries(report, beneficiaries, actor):
    """Links ``report`` to ``beneficiaries`` (replacing its links), its author acting:
    records they follow, not anonymised; one person for an individual accompaniment or a
    one-off request, no more people than participants."""
    if actor is None or report.advisor.user_id != actor.pk:
        raise NotAllowed("Seul le conseiller qui a saisi ce compte rendu le relie à des "
                         "bénéficiaires.")
    chosen = list(beneficiaries or [])
    pks = {b.pk for b in chosen}
    allowed = set(Beneficiary.objects.editable_by(actor).filter(pk__in=pks)
                  .values_list("pk", flat=True))
    linked = set(report.beneficiaries.values_list("pk", flat=True))
    if pks - allowed - linked:  # an anonymised record already linked may stay
        raise WorkflowError("Choisissez parmi les bénéficiaires de votre structure.",
                            {"beneficiaries": ["Choisissez parmi les bénéficiaires de votre "
                                               "structure."]})
    if report.kind in SINGLE and len(pks) > 1:
        message = "Un accompagnement individuel concerne un seul bénéficiaire."
        raise WorkflowError(message, {"beneficiaries": [message]})
    if len(pks) > report.participants:
        message = (f"{len(pks)} bénéficiaires choisis pour {report.participants} "
                   f"participant{'s' if report.participants > 1 else ''}.")
        raise WorkflowError(message, {"beneficiaries": [message]})
    report.beneficiaries.set(pks)
    return report


def anonymise_due(today=None):
    """The daily job: anonymises the records without a visit for two years, and those of
    structures where nobody is under contract any more. Idempotent: anonymised records are
    left alone. Returns {reason: count}."""
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {}
    identified = Beneficiary.objects.identified()
    staffed = Contract.objects.active(today).values("structure_id")
    groups = [
        (Beneficiary.AnonymisedBecause.STRUCTURE_LEFT,
         identified.exclude(structure_id__in=staffed)),
        (Beneficiary.AnonymisedBecause.INACTIVITY,
         identified.without_visit_since(today - RETENTION_WITHOUT_VISIT)),
    ]
    for because, rows in groups:
        done = 0
        for pk in list(rows.values_list("pk", flat=True)):
            with transaction.atomic():
                beneficiary = locked(Beneficiary, pk)
                done += beneficiary.anonymise(because, now)
        counts[because.value] = done
    return counts
