"""Sane bounds on dates and amounts (issue #15, 1.2) and wording of posts and ended
conventions (1.3): refused in the services, so the admin and imports are covered, and shown
next to the field on the forms."""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advisors import bounds, services
from advisors.models import Amendment, Application, Contract, Convention, PrefectOpinion
from tests import factories as base

from . import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def anct(client):
    client.force_login(base.staff_user(Role.ANCT_ADMIN))
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# --- conventions --------------------------------------------------------------------------
def test_a_convention_from_2015_to_2016_is_refused_with_the_start_of_the_programme(
        structure, manager):
    with pytest.raises(services.WorkflowError) as refused:
        services.start_convention(structure, manager, start=date(2015, 1, 1),
                                  end=date(2016, 1, 1))
    assert "1er janvier 2020" in refused.value.errors["start"][0]
    assert not Convention.objects.exists()


def test_a_convention_ending_more_than_five_years_ahead_is_refused(structure, manager):
    with pytest.raises(services.WorkflowError) as refused:
        services.start_convention(structure, manager, start=TODAY(),
                                  end=TODAY() + timedelta(days=6 * 365))
    assert "cinq ans" in refused.value.errors["end"][0]


def test_anct_cannot_validate_an_absurd_convention_already_recorded(structure):
    convention = make.convention(structure, status=Convention.Status.IN_PROGRESS,
                                 start=date(2015, 1, 1), end=date(2016, 1, 1))
    with pytest.raises(services.WorkflowError, match="2020"):
        services.validate_convention(convention, make.admin())
    convention.refresh_from_db()
    assert convention.status == Convention.Status.IN_PROGRESS


def test_the_convention_form_shows_the_bound_next_to_the_field(manager_client, structure):
    url = reverse("advisors:convention_start", args=[structure.pk])
    page = text(manager_client.get(url))
    assert 'min="2020-01-01"' in page and bounds.hint() in page
    page = text(manager_client.post(url, {"start": "2015-01-01", "end": "2016-01-01"}))
    assert 'id="id_start-desc-error"' in page or "fr-input-group--error" in page
    assert "ne peut pas précéder le 1er janvier 2020" in page
    assert not Convention.objects.exists()


# --- contracts ----------------------------------------------------------------------------
def contract_values(**overrides):
    values = {"kind": Contract.Kind.CDD, "start": TODAY() + timedelta(days=7),
              "end": TODAY() + timedelta(days=372), "monthly_gross_salary": Decimal("2100")}
    values.update(overrides)
    return values


def test_a_contract_from_1990_to_1991_is_refused(structure, manager):
    with pytest.raises(services.WorkflowError) as refused:
        services.submit_contract(structure, make.advisor(), manager, **contract_values(
            start=date(1990, 1, 1), end=date(1991, 1, 1)))
    assert set(refused.value.errors) == {"start", "end"}
    assert not Contract.objects.exists()


def test_a_salary_of_999999_a_month_is_refused_to_the_structure(structure, manager):
    with pytest.raises(services.WorkflowError) as refused:
        services.submit_contract(structure, make.advisor(), manager, **contract_values(
            monthly_gross_salary=Decimal("999999.99"), salary_confirmed=True))
    assert "999 999,99 €" in refused.value.errors["monthly_gross_salary"][0]
    assert not Contract.objects.exists()


def test_anct_validates_a_high_salary_only_with_an_explicit_confirmation(structure, anct):
    contract = make.contract(structure, make.advisor(), status=Contract.Status.SUBMITTED,
                             salary=Decimal("12000"))
    url = reverse("advisors_contracts:action", args=[contract.pk, "valider"])
    page = text(anct.get(url))
    assert "Je confirme ce salaire brut mensuel" in page
    anct.post(url, {})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUBMITTED
    anct.post(url, {"salary_confirmed": "on"})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.VALIDATED


def test_the_contract_form_refuses_a_high_salary_next_to_the_field(manager_client,
                                                                    structure):
    url = reverse("advisors:contract_create", args=[structure.pk])
    page = text(manager_client.post(url, {
        "first_name": "Lou", "last_name": "Petit", "email": "lou@cnfs.fr", "kind": "cdd",
        "start": (TODAY() + timedelta(days=7)).isoformat(), "end": "2099-12-31",
        "monthly_gross_salary": "999999.99"}))
    assert "seule l'ANCT peut l'accepter" in page
    assert "La fin du contrat ne peut pas dépasser le" in page
    assert not Contract.objects.exists()


def test_an_imported_contract_with_a_salary_above_the_bound_is_rejected(structure):
    from advisors.imports import ContractImporter, RowInvalid

    advisor = make.advisor()
    importer = ContractImporter()
    importer.prepare([(2, {"email_conseiller": advisor.email, "siret": structure.siret})])
    row = {"email_conseiller": advisor.email, "siret": structure.siret, "type": "CDD",
           "debut": (TODAY() + timedelta(days=3)).strftime("%d/%m/%Y"),
           "fin": (TODAY() + timedelta(days=300)).strftime("%d/%m/%Y"),
           "salaire_brut_mensuel": "25000", "statut": ""}
    with pytest.raises(RowInvalid) as rejected:
        importer.import_row(row, make.admin())
    assert any("salaire_brut_mensuel" in message for message in rejected.value.messages)
    assert not Contract.objects.exists()


def test_an_extension_to_2099_is_refused(structure, manager):
    contract = make.contract(structure, make.advisor())
    with pytest.raises(services.WorkflowError) as refused:
        services.request_extension(contract, manager, date(2099, 12, 31))
    assert "cinq ans" in refused.value.errors["new_end"][0]
    assert not contract.extensions.exists()


# --- amendments ---------------------------------------------------------------------------
def test_no_amendment_on_a_convention_that_has_ended(structure, manager, manager_client):
    ended = make.convention(structure, start=date(2021, 1, 1), end=TODAY() - timedelta(days=1))
    with pytest.raises(services.WorkflowError, match="s'est terminée le"):
        services.request_amendment(ended, manager, kind="add", posts=1, reason="Besoin")
    assert not Amendment.objects.exists()
    page = text(manager_client.get(reverse("advisors:convention", args=[ended.pk])))
    assert "Demander un avenant" not in page


def test_anct_cannot_validate_an_amendment_once_its_convention_has_ended(structure):
    ended = make.convention(structure, start=date(2021, 1, 1), end=TODAY() - timedelta(days=1))
    amendment = Amendment.objects.create(convention=ended, kind="add", posts=1,
                                         reason="Besoin", status="pending_decision")
    with pytest.raises(services.WorkflowError, match="s'est terminée"):
        services.decide_amendment(amendment, make.admin(), Amendment.Status.VALIDATED)


# --- committee decision: more posts than requested -----------------------------------------
@pytest.fixture
def with_opinion(structure, oise_prefect):
    application = make.application(make.structure(structure.commune), posts_requested=2)
    PrefectOpinion.objects.create(application=application, verdict="favourable",
                                  comment="Avis favorable motivé.", author=oise_prefect)
    return application


def test_granting_more_posts_than_requested_needs_an_explicit_confirmation(with_opinion):
    admin = make.admin()
    with pytest.raises(services.WorkflowError) as refused:
        services.decide(with_opinion, admin, Application.Status.VALIDATED, posts_granted=3,
                        decision_number="COSELEC-7")
    assert "a demandé 2 postes" in refused.value.errors["posts_granted"][0]
    with_opinion.refresh_from_db()
    assert with_opinion.status == Application.Status.CREATED
    services.decide(with_opinion, admin, Application.Status.VALIDATED, posts_granted=3,
                    decision_number="COSELEC-7", more_posts_confirmed=True)
    with_opinion.refresh_from_db()
    assert with_opinion.posts_granted == 3
    assert "3 postes attribués pour 2 demandés" in with_opinion.events.last().reason


def test_the_decision_form_says_a_confirmation_is_needed(with_opinion, anct):
    url = reverse("advisors_applications:decide", args=[with_opinion.pk])
    page = text(anct.post(url, {"outcome": "validated", "posts_granted": "3",
                                "decision_number": "COSELEC-7"}))
    assert "confirmez explicitement" in page
    with_opinion.refresh_from_db()
    assert with_opinion.status == Application.Status.CREATED


# --- 1.3: wording ---------------------------------------------------------------------------
def test_withdrawing_more_posts_than_held_is_refused_without_a_negative_count(
        manager_client, structure):
    convention = make.convention(structure, posts=2, start=date(2024, 1, 1),
                                 end=TODAY() + timedelta(days=400))
    url = reverse("advisors:amendment_request", args=[convention.pk])
    page = text(manager_client.post(url, {"kind": "withdraw", "posts": "4",
                                          "reason": "Fin d'une permanence"}))
    assert "ne dispose que de 2 postes attribués : impossible d'en retirer 4" in page
    assert "-2 poste" not in page and "de -" not in page
    assert not Amendment.objects.exists()


def test_an_ended_convention_says_it_has_ended_with_1er(manager_client, structure):
    ended = make.convention(structure, start=date(2021, 1, 1), end=date(2026, 1, 1))
    page = text(manager_client.get(reverse("advisors:convention", args=[ended.pk])))
    assert "Cette convention s'est terminée le 1er janvier 2026" in page
    assert "se termine le" not in page


def test_the_structure_page_says_a_contract_awaiting_validation_holds_a_post(
        manager_client, communes, manager):
    structure = make.validated_structure(communes["Beauvais"], posts=3, manager=manager)
    make.contract(structure, make.advisor())
    make.contract(structure, make.advisor())
    make.contract(structure, make.advisor(), status=Contract.Status.SUBMITTED)
    page = text(manager_client.get(reverse("advisors:structure", args=[structure.pk])))
    assert "en attente de validation" in page
    assert "Un contrat en attente de validation par l'ANCT retient un poste" in page
    dashboard = text(manager_client.get(reverse("dashboards:structure", args=[structure.pk])))
    assert "Postes retenus par un contrat en attente de validation</th><td>1" in dashboard


def test_giving_up_every_post_while_contracts_run_says_so_in_plain_french(structure,
                                                                          manager):
    make.contract(structure, make.advisor())
    application = structure.applications.get()
    with pytest.raises(services.WorkflowError) as refused:
        services.transition(application, Application.Status.ABANDONED, manager,
                            "Projet arrêté")
    assert refused.value.message.startswith(
        "La structure ne dispose d'aucun poste attribué et en occuperait 1")


# --- closures of a service point -----------------------------------------------------------
@pytest.mark.parametrize(("start", "end", "field", "words"), [
    (date(1, 1, 1), None, "start", "ne peut pas précéder le 1er janvier 2020"),
    (date(2026, 1, 5), date(9999, 12, 31), "end", "deux ans à partir d'aujourd'hui"),
    (TODAY() + timedelta(days=3 * 365), None, "start", "deux ans à partir d'aujourd'hui"),
])
def test_a_closure_outside_2020_to_two_years_ahead_is_refused(structure, manager, start, end,
                                                              field, words):
    point = make.service_point(structure)
    with pytest.raises(services.WorkflowError) as refused:
        services.add_closure(point, manager, start=start, end=end)
    assert words in refused.value.errors[field][0]
    assert not point.closures.exists()
    point.refresh_from_db()
    assert point.calendar_sequence == 0


def test_a_closure_next_year_is_still_accepted(structure, manager):
    point = make.service_point(structure)
    start = TODAY() + timedelta(days=300)
    closure = services.add_closure(point, manager, start=start, end=start + timedelta(days=14))
    assert closure.end == start + timedelta(days=14)


def test_the_closure_form_shows_the_bounds_next_to_the_field(manager_client, structure):
    point = make.service_point(structure)
    page = text(manager_client.get(reverse("advisors:place", args=[point.pk])))
    assert 'min="2020-01-01"' in page and bounds.hint(years=2) in page
    url = reverse("advisors:closure_add", args=[point.pk])
    page = text(manager_client.post(url, {"start": "9999-12-31", "reason": "Travaux"}))
    assert "Le premier jour de fermeture ne peut pas dépasser le" in page
    assert 'id="id_start-desc-error"' in page or "fr-input-group--error" in page
    page = text(manager_client.post(url, {"start": "2026-01-05", "end": "0001-01-01"}))
    assert "Le dernier jour de fermeture ne peut pas précéder le 1er janvier 2020" in page
    assert not point.closures.exists()
