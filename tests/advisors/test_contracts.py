"""Recruitment: posts quota, one contract at a time per advisor, contract rules, ruptures
and extensions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from advisors import services
from advisors.models import Advisor, Contract, ContractExtension

from . import factories as make

pytestmark = pytest.mark.django_db
C = Contract.Status
TODAY = timezone.localdate


def submit(structure, advisor, actor, **fields):
    values = {"kind": Contract.Kind.CDD, "start": TODAY() + timedelta(days=7),
              "end": TODAY() + timedelta(days=372), "monthly_gross_salary": Decimal("2100")}
    values.update(fields)
    return services.submit_contract(structure, advisor, actor, **values)


def test_a_manager_submits_a_contract_that_holds_a_post_until_decided(structure, manager):
    contract = submit(structure, make.advisor(), manager)
    assert contract.status == C.SUBMITTED and contract.created_by == manager
    assert services.occupied_posts(structure) == 1


def test_a_new_advisor_is_created_or_found_by_professional_email(structure, manager):
    data = {"first_name": "Lou", "last_name": "Petit", "email": "Lou.Petit@CNFS.fr"}
    contract = submit(structure, data, manager)
    assert contract.advisor.email == "lou.petit@cnfs.fr"
    services.refuse_contract(contract, make.admin(), "Erreur de saisie")
    again = submit(structure, {**data, "email": "lou.petit@cnfs.fr"}, manager)
    assert again.advisor == contract.advisor and Advisor.objects.count() == 1


def test_submission_is_refused_when_every_granted_post_is_taken(structure, manager):
    make.contract(structure, make.advisor())                  # validated
    make.contract(structure, make.advisor(), status=C.SUBMITTED)  # awaiting ANCT
    with pytest.raises(services.WorkflowError, match="ne peut pas être dépassé"):
        submit(structure, make.advisor(), manager)
    assert structure.contracts.count() == 2


def test_ended_refused_and_ruptured_contracts_free_their_post(structure, manager):
    make.contract(structure, make.advisor(), start=TODAY() - timedelta(days=400),
                  end=TODAY() - timedelta(days=1))
    make.contract(structure, make.advisor(), status=C.REFUSED)
    make.contract(structure, make.advisor(), rupture_status="validated",
                  rupture_reason="resignation", rupture_date=TODAY())
    assert services.occupied_posts(structure) == 0
    submit(structure, make.advisor(), manager)
    submit(structure, make.advisor(), manager)


def test_validation_rechecks_the_quota(structure, admin):
    # Three submissions got in for two posts (e.g. posts withdrawn meanwhile): ANCT
    # cannot validate any until one is refused.
    contracts = [make.contract(structure, make.advisor(), status=C.SUBMITTED)
                 for _ in range(3)]
    with pytest.raises(services.WorkflowError, match="ne peut pas être dépassé"):
        services.validate_contract(contracts[0], admin)
    services.refuse_contract(contracts[2], admin, "Poste non disponible")
    services.validate_contract(contracts[0], admin)
    contracts[0].refresh_from_db()
    assert contracts[0].status == C.VALIDATED and contracts[0].validated_by == admin


def test_only_a_validated_structure_recruits(communes, manager):
    structure = make.structure(communes["Beauvais"], manager=manager)
    make.application(structure)
    with pytest.raises(services.WorkflowError, match="candidature a été validée"):
        submit(structure, make.advisor(), manager)


def test_only_the_structures_managers_submit_and_only_anct_validates(structure, manager,
                                                                     oise_prefect):
    with pytest.raises(services.NotAllowed):
        submit(structure, make.advisor(), oise_prefect)
    contract = submit(structure, make.advisor(), manager)
    with pytest.raises(services.NotAllowed):
        services.validate_contract(contract, manager)


def test_validation_gives_the_advisor_account_its_role_and_tells_managers(
        structure, manager, admin, mailoutbox, django_capture_on_commit_callbacks):
    account = make.user()
    contract = submit(structure, make.advisor(account), manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.validate_contract(contract, admin)
    assert account.has_role(Role.ADVISOR)
    assert mailoutbox[0].to == [manager.email] and "validé" in mailoutbox[0].subject


# --- one contract at a time -------------------------------------------------------------

def test_an_advisor_has_at_most_one_running_contract(structure, communes, manager):
    advisor = make.advisor()
    make.contract(structure, advisor, start=TODAY() - timedelta(days=30),
                  end=TODAY() + timedelta(days=60))
    elsewhere_manager = make.user()
    elsewhere = make.validated_structure(communes["Lille"], manager=elsewhere_manager)
    with pytest.raises(services.WorkflowError, match="déjà un contrat"):
        submit(elsewhere, advisor, elsewhere_manager, start=TODAY() + timedelta(days=30))
    # After the end of the first contract, the next one is fine.
    later = submit(elsewhere, advisor, elsewhere_manager, start=TODAY() + timedelta(days=61))
    assert later.status == C.SUBMITTED


def test_a_submitted_contract_also_blocks_an_overlapping_one(structure, manager):
    advisor = make.advisor()
    submit(structure, advisor, manager, kind=Contract.Kind.CDI, end=None)
    with pytest.raises(services.WorkflowError, match="déjà un contrat"):
        submit(structure, advisor, manager, start=TODAY() + timedelta(days=900),
               end=TODAY() + timedelta(days=1200))


def test_a_validated_rupture_frees_the_advisor_from_its_date(structure, manager, admin):
    advisor = make.advisor()
    first = make.contract(structure, advisor, kind=Contract.Kind.CDI, end=None,
                          start=TODAY() - timedelta(days=100))
    services.request_rupture(first, manager, reason="resignation",
                             date=TODAY() + timedelta(days=10))
    with pytest.raises(services.WorkflowError, match="déjà un contrat"):
        submit(structure, advisor, manager, start=TODAY() + timedelta(days=10))
    services.validate_rupture(first, admin)
    assert submit(structure, advisor, manager, start=TODAY() + timedelta(days=10)).pk


# --- contract rules ---------------------------------------------------------------------

def test_a_fixed_term_contract_without_end_is_refused(structure, manager):
    for kind in (Contract.Kind.CDD, Contract.Kind.PEC, Contract.Kind.PUBLIC_PROJECT):
        with pytest.raises(services.WorkflowError, match="seul un CDI n'en a pas"):
            submit(structure, make.advisor(), manager, kind=kind, end=None)


def test_a_cdi_has_no_end(structure, manager):
    with pytest.raises(services.WorkflowError, match="Un CDI n'a pas de date de fin"):
        submit(structure, make.advisor(), manager, kind=Contract.Kind.CDI)
    assert submit(structure, make.advisor(), manager, kind=Contract.Kind.CDI, end=None).pk


def test_the_end_follows_the_start(structure, manager):
    with pytest.raises(services.WorkflowError, match="suivre son début"):
        submit(structure, make.advisor(), manager, end=TODAY() + timedelta(days=7))


def test_a_salary_below_the_legal_minimum_is_refused(structure, manager, settings):
    settings.ADVISOR_MINIMUM_MONTHLY_SALARY = Decimal("1823.03")
    with pytest.raises(services.WorkflowError, match=r"minimum légal \(1 823,03 €\)"):
        submit(structure, make.advisor(), manager, monthly_gross_salary=Decimal("1823.02"))
    assert submit(structure, make.advisor(), manager,
                  monthly_gross_salary=Decimal("1823.03")).pk


def test_the_database_refuses_a_fixed_term_contract_without_end(structure):
    contract = make.contract(structure, make.advisor(), kind=Contract.Kind.CDD)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(end=None)


def test_active_means_validated_started_not_ended_nor_ruptured(structure):
    today = TODAY()
    cases = {
        "running": make.contract(structure, make.advisor()),
        "starts_later": make.contract(structure, make.advisor(),
                                      start=today + timedelta(days=5)),
        "submitted": make.contract(structure, make.advisor(), status=C.SUBMITTED),
        "ended": make.contract(structure, make.advisor(), start=today - timedelta(days=50),
                               end=today - timedelta(days=1)),
        "ends_today": make.contract(structure, make.advisor(),
                                    start=today - timedelta(days=50), end=today),
        "rupture_today": make.contract(structure, make.advisor(), rupture_status="validated",
                                       rupture_reason="dismissal", rupture_date=today),
        "rupture_requested": make.contract(structure, make.advisor(),
                                           rupture_status="requested",
                                           rupture_reason="dismissal",
                                           rupture_date=today),
        "rupture_tomorrow": make.contract(structure, make.advisor(),
                                          rupture_status="validated",
                                          rupture_reason="dismissal",
                                          rupture_date=today + timedelta(days=1)),
    }
    active = set(Contract.objects.active())
    expected = {"running", "ends_today", "rupture_requested", "rupture_tomorrow"}
    assert {name for name, c in cases.items() if c in active} == expected
    assert {name for name, c in cases.items() if c.is_active()} == expected
    holding = set(Contract.objects.holding_posts())
    assert {name for name, c in cases.items() if c in holding} == expected | {
        "starts_later", "submitted"}


# --- rupture ------------------------------------------------------------------------------

def test_rupture_is_requested_by_the_structure_and_validated_by_anct(structure, manager,
                                                                     admin):
    advisor = make.advisor()
    contract = make.contract(structure, advisor)
    with pytest.raises(services.WorkflowError, match="Aucune rupture"):
        services.validate_rupture(contract, admin)
    services.request_rupture(contract, manager, reason="end_of_funding", date=TODAY())
    contract.refresh_from_db()
    assert contract.rupture_status == Contract.Rupture.REQUESTED
    assert contract.is_active()  # still running until ANCT validates
    with pytest.raises(services.NotAllowed):
        services.validate_rupture(contract, manager)
    services.validate_rupture(contract, admin)
    contract.refresh_from_db()
    assert contract.rupture_status == Contract.Rupture.VALIDATED
    assert not contract.is_active() and services.occupied_posts(structure) == 0
    assert advisor.current_contract() is None


def test_rupture_needs_a_validated_contract_a_known_reason_and_a_sensible_date(structure,
                                                                               manager):
    submitted = make.contract(structure, make.advisor(), status=C.SUBMITTED)
    with pytest.raises(services.WorkflowError, match="Seul un contrat validé"):
        services.request_rupture(submitted, manager, reason="resignation", date=TODAY())
    contract = make.contract(structure, make.advisor())
    with pytest.raises(services.WorkflowError, match="motif"):
        services.request_rupture(contract, manager, reason="boredom", date=TODAY())
    with pytest.raises(services.WorkflowError, match="après le début"):
        services.request_rupture(contract, manager, reason="resignation",
                                 date=contract.start)
    with pytest.raises(services.WorkflowError, match="après la fin"):
        services.request_rupture(contract, manager, reason="resignation",
                                 date=contract.end + timedelta(days=1))


def test_a_requested_rupture_may_be_turned_down(structure, manager, admin):
    contract = make.contract(structure, make.advisor())
    services.request_rupture(contract, manager, reason="dismissal", date=TODAY())
    with pytest.raises(services.WorkflowError, match="déjà demandée"):
        services.request_rupture(contract, manager, reason="dismissal", date=TODAY())
    services.refuse_rupture(contract, admin)
    contract.refresh_from_db()
    assert (contract.rupture_status, contract.rupture_reason, contract.rupture_date) == (
        Contract.Rupture.NONE, "", None)


# --- extensions ---------------------------------------------------------------------------

def test_an_extension_pushes_the_end_once_anct_validates_it(structure, manager, admin):
    contract = make.contract(structure, make.advisor())
    old_end = contract.end
    extension = services.request_extension(contract, manager, old_end + timedelta(days=180))
    assert extension.status == ContractExtension.Status.REQUESTED
    with pytest.raises(services.WorkflowError, match="attend déjà"):
        services.request_extension(contract, manager, old_end + timedelta(days=200))
    services.decide_extension(extension, admin, approve=True)
    contract.refresh_from_db()
    extension.refresh_from_db()
    assert contract.end == old_end + timedelta(days=180)
    assert (extension.status, extension.previous_end, extension.decided_by) == (
        ContractExtension.Status.VALIDATED, old_end, admin)


def test_a_refused_extension_leaves_the_end(structure, manager, admin):
    contract = make.contract(structure, make.advisor())
    extension = services.request_extension(contract, manager, contract.end + timedelta(30))
    services.decide_extension(extension, admin, approve=False)
    with pytest.raises(services.WorkflowError, match="déjà été décidée"):
        services.decide_extension(extension, admin, approve=True)
    assert Contract.objects.get(pk=contract.pk).end == contract.end


def test_what_cannot_be_extended(structure, manager, communes):
    cdi = make.contract(structure, make.advisor(), kind=Contract.Kind.CDI)
    with pytest.raises(services.WorkflowError, match="CDI"):
        services.request_extension(cdi, manager, TODAY() + timedelta(days=900))
    contract = make.contract(structure, make.advisor())
    with pytest.raises(services.WorkflowError, match="doit suivre"):
        services.request_extension(contract, manager, contract.end)
    # The advisor already has a next contract right after this one.
    make.contract(make.validated_structure(communes["Lille"]), contract.advisor,
                  status=C.SUBMITTED, start=contract.end + timedelta(days=1))
    with pytest.raises(services.WorkflowError, match="déjà un contrat"):
        services.request_extension(contract, manager, contract.end + timedelta(days=30))


def test_a_validated_rupture_refuses_the_pending_extension(structure, manager, admin):
    contract = make.contract(structure, make.advisor())
    extension = services.request_extension(contract, manager, contract.end + timedelta(30))
    services.request_rupture(contract, manager, reason="resignation", date=TODAY())
    services.validate_rupture(contract, admin)
    extension.refresh_from_db()
    assert extension.status == ContractExtension.Status.REFUSED


def test_contract_clean_reports_every_problem_in_french(structure):
    contract = Contract(structure=structure, advisor=make.advisor(), kind=Contract.Kind.CDD,
                        start=TODAY(), monthly_gross_salary=Decimal("100"))
    with pytest.raises(ValidationError) as error:
        contract.full_clean()
    assert set(error.value.message_dict) == {"end", "monthly_gross_salary"}
    assert str(make.contract(structure, make.advisor(last_name="Rey", first_name="Ana"))) == (
        f"CDD de Ana Rey — {structure.name}")


def test_an_ended_contract_shows_ended_and_refuses_rupture_and_extension(structure, manager,
                                                                         client):
    today = TODAY()
    ended = make.contract(structure, make.advisor(last_name="Fontaine"),
                          start=today - timedelta(days=400), end=today - timedelta(days=1))
    assert ended.has_ended() and not ended.may_be_broken_off() and not ended.may_be_extended()
    with pytest.raises(services.WorkflowError, match="a pris fin le"):
        services.request_rupture(ended, manager, reason="resignation", date=today)
    with pytest.raises(services.WorkflowError, match="a pris fin le"):
        services.request_extension(ended, manager, today + timedelta(days=60))
    client.force_login(manager)
    page = client.get(f"/conseillers-numeriques/structures/{structure.pk}/").content.decode()
    assert "Terminé le" in page
    assert f"/contrats/{ended.pk}/rupture/" not in page
    response = client.get(f"/conseillers-numeriques/contrats/{ended.pk}/rupture/")
    assert response.status_code == 302
