"""Recruitment: contracts within the granted posts, their validation, ruptures, extensions.

Counting happens with the structure row locked, then the advisor's: two managers (or a
manager and ANCT) acting at the same instant can never exceed the posts or give one advisor
two overlapping contracts."""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from .. import bounds, emails, notices, permissions
from ..dates import long_date
from ..models import Advisor, Contract, ContractExtension, Structure
from .accounts import grant_roles, link_record
from .base import (
    WorkflowError,
    locked,
    require_admin,
    require_editable,
    required_text,
    validate,
)
from .posts import check_quota

NOT_MANAGER = "Seuls les gestionnaires de la structure et l'ANCT gèrent ses contrats."
OVERLAP = ("Ce conseiller a déjà un contrat en cours ou en attente de validation sur cette "
           "période.")


def _advisor(advisor):
    """An Advisor, or the one with this professional email, or a new one from a mapping."""
    if not isinstance(advisor, Mapping):
        return advisor
    email = (advisor.get("email") or "").strip().lower()
    existing = Advisor.objects.filter(email=email).first() if email else None
    if existing:
        return existing
    created = Advisor(**advisor)
    validate(created)
    created.save()
    return link_record(created)


def _check_no_overlap(advisor, start, end, exclude=None):
    others = Contract.objects.filter(advisor=advisor).overlapping(start, end)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise WorkflowError(OVERLAP)


def check_contract_bounds(start, end, monthly_gross_salary, *, salary_confirmed=False):
    """Dates from 2020 to five years ahead; a salary above 10,000 € a month only with
    ANCT's explicit confirmation."""
    errors = {**bounds.contract_errors(start, end),
              **bounds.salary_errors(monthly_gross_salary, salary_confirmed)}
    if errors:
        raise WorkflowError(" ".join(m for messages in errors.values() for m in messages),
                            errors)


def submit_contract(structure, advisor, actor, *, kind, start, end=None,
                    monthly_gross_salary, salary_confirmed=False):
    """The structure records a contract for an advisor (an Advisor, or a mapping of a new
    advisor's fields); it holds a post until ANCT refuses it. A salary above 10,000 € a
    month is accepted only from ANCT, with ``salary_confirmed``."""
    require_editable(actor, structure, NOT_MANAGER)
    check_contract_bounds(
        start, end, monthly_gross_salary,
        salary_confirmed=salary_confirmed and permissions.is_anct_admin(actor))
    with transaction.atomic():
        structure = locked(Structure, structure.pk)
        if not structure.applications.validated().exists():
            raise WorkflowError("Seule une structure dont la candidature a été validée peut "
                                "recruter des conseillers.")
        advisor = _advisor(advisor)
        advisor = locked(Advisor, advisor.pk)
        contract = Contract(advisor=advisor, structure=structure, kind=kind, start=start,
                            end=end, monthly_gross_salary=monthly_gross_salary,
                            created_by=actor)
        validate(contract)
        _check_no_overlap(advisor, start, end)
        holds_a_post = end is None or end >= timezone.localdate()
        check_quota(structure, extra=1 if holds_a_post else 0)
        contract.save()
        return contract


def validate_contract(contract, actor, *, salary_confirmed=False):
    """ANCT validates a submitted contract, re-checking posts, overlaps and bounds under
    lock (a salary above 10,000 € a month needs ``salary_confirmed``)."""
    require_admin(actor, "Seule l'ANCT valide les contrats.")
    with transaction.atomic():
        structure = locked(Structure, contract.structure_id)
        locked(Advisor, contract.advisor_id)
        contract = locked(Contract, contract.pk)
        if contract.status != Contract.Status.SUBMITTED:
            raise WorkflowError(f"Ce contrat est « {contract.get_status_display()} » : il ne "
                                "peut plus être validé.")
        validate(contract)
        check_contract_bounds(contract.start, contract.end, contract.monthly_gross_salary,
                              salary_confirmed=salary_confirmed)
        check_quota(structure)  # this contract is already counted among the occupied posts
        _check_no_overlap(contract.advisor, contract.start, contract.end, exclude=contract)
        contract.status = Contract.Status.VALIDATED
        contract.validated_by = actor
        contract.validated_at = timezone.now()
        contract.save()
        grant_roles(link_record(contract.advisor))
        emails.contract_decided(contract)
        return contract


def refuse_contract(contract, actor, reason):
    """ANCT refuses a submitted contract; its post is free again."""
    require_admin(actor, "Seule l'ANCT refuse les contrats.")
    reason = required_text(reason, "Indiquez le motif du refus.")
    with transaction.atomic():
        contract = locked(Contract, contract.pk)
        if contract.status != Contract.Status.SUBMITTED:
            raise WorkflowError(f"Ce contrat est « {contract.get_status_display()} » : il ne "
                                "peut plus être refusé.")
        contract.status = Contract.Status.REFUSED
        contract.refusal_reason = reason
        contract.validated_by = actor
        contract.validated_at = timezone.now()
        contract.save()
        emails.contract_decided(contract)
        return contract


def request_rupture(contract, actor, *, reason, date):
    """The structure asks to end a validated contract early (from ``date``, the first day
    it no longer runs)."""
    require_editable(actor, contract, NOT_MANAGER)
    if reason not in Contract.RuptureReason.values:
        raise WorkflowError("Choisissez le motif de la rupture.")
    with transaction.atomic():
        contract = locked(Contract, contract.pk)
        if contract.status != Contract.Status.VALIDATED:
            raise WorkflowError("Seul un contrat validé peut être rompu.")
        if contract.rupture_status != Contract.Rupture.NONE:
            raise WorkflowError("Une rupture de ce contrat est déjà "
                                f"{contract.get_rupture_status_display().lower()}.")
        if contract.has_ended():
            raise WorkflowError(f"Ce contrat a pris fin le "
                                f"{long_date(contract.effective_end)} : il ne peut plus être "
                                "rompu.")
        contract.rupture_status = Contract.Rupture.REQUESTED
        contract.rupture_reason = reason
        contract.rupture_date = date
        contract.rupture_requested_at = timezone.now()
        validate(contract)
        contract.save()
        return contract


def validate_rupture(contract, actor):
    """ANCT validates the rupture: from its date the post is vacant. A pending extension
    of the contract is refused."""
    require_admin(actor, "Seule l'ANCT valide les ruptures de contrat.")
    with transaction.atomic():
        contract = locked(Contract, contract.pk)
        if contract.rupture_status != Contract.Rupture.REQUESTED:
            raise WorkflowError("Aucune rupture de ce contrat n'attend de validation.")
        contract.rupture_status = Contract.Rupture.VALIDATED
        contract.rupture_validated_at = timezone.now()
        validate(contract)
        contract.save()
        contract.extensions.pending().update(status=ContractExtension.Status.REFUSED,
                                             decided_by=actor, decided_at=timezone.now())
        notices.rupture_decided(contract)
        return contract


def refuse_rupture(contract, actor):
    """ANCT turns down a requested rupture: the contract runs on."""
    require_admin(actor, "Seule l'ANCT décide des ruptures de contrat.")
    with transaction.atomic():
        contract = locked(Contract, contract.pk)
        if contract.rupture_status != Contract.Rupture.REQUESTED:
            raise WorkflowError("Aucune rupture de ce contrat n'attend de décision.")
        contract.rupture_status = Contract.Rupture.NONE
        contract.rupture_reason = ""
        contract.rupture_date = None
        contract.rupture_requested_at = None
        contract.save()
        notices.rupture_decided(contract)
        return contract


def request_extension(contract, actor, new_end):
    """The structure asks to push the end of a validated fixed-term contract."""
    require_editable(actor, contract, NOT_MANAGER)
    with transaction.atomic():
        locked(Advisor, contract.advisor_id)
        contract = locked(Contract, contract.pk)
        if contract.has_ended():
            raise WorkflowError(f"Ce contrat a pris fin le "
                                f"{long_date(contract.effective_end)} : il ne peut plus être "
                                "prolongé.")
        _check_extensible(contract, new_end)
        if contract.extensions.pending().exists():
            raise WorkflowError("Une prolongation de ce contrat attend déjà une décision.")
        extension = ContractExtension(contract=contract, new_end=new_end,
                                      previous_end=contract.end, requested_by=actor)
        validate(extension)
        extension.save()
        return extension


def _check_extensible(contract, new_end):
    if contract.status != Contract.Status.VALIDATED:
        raise WorkflowError("Seul un contrat validé peut être prolongé.")
    if contract.end is None:
        raise WorkflowError("Un CDI n'a pas de date de fin à prolonger.")
    if contract.rupture_status != Contract.Rupture.NONE:
        raise WorkflowError("Un contrat en cours de rupture ne peut pas être prolongé.")
    if not new_end or new_end <= contract.end:
        message = ("La nouvelle date de fin doit suivre la date de fin actuelle "
                   f"({long_date(contract.end)}).")
        raise WorkflowError(message, {"new_end": [message]})
    errors = bounds.extension_errors(new_end)
    if errors:
        raise WorkflowError(errors["new_end"][0], errors)
    _check_no_overlap(contract.advisor, contract.end + datetime.timedelta(days=1), new_end,
                      exclude=contract)


def decide_extension(extension, actor, approve: bool):
    """ANCT validates (the contract's end moves) or refuses a requested extension."""
    require_admin(actor, "Seule l'ANCT décide des prolongations de contrat.")
    with transaction.atomic():
        locked(Advisor, extension.contract.advisor_id)
        contract = locked(Contract, extension.contract_id)
        extension = locked(ContractExtension, extension.pk)
        if extension.status != ContractExtension.Status.REQUESTED:
            raise WorkflowError("Cette prolongation a déjà été décidée.")
        if approve:
            if contract.end != extension.previous_end:
                raise WorkflowError("La date de fin du contrat a changé depuis la demande.")
            _check_extensible(contract, extension.new_end)
            contract.end = extension.new_end
            validate(contract)
            contract.save()
        extension.status = (ContractExtension.Status.VALIDATED if approve
                            else ContractExtension.Status.REFUSED)
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        extension.save()
        notices.extension_decided(extension)
        return extension
