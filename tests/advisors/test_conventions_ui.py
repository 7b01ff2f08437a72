"""Conventions, renewals, amendments, extensions and status changes from the browser: the
structure's managers and the préfet on the front-end pages, ANCT in the Wagtail admin."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advisors import services
from advisors.models import (
    Amendment,
    Application,
    Contract,
    ContractExtension,
    Convention,
    PrefectOpinion,
)
from tests import factories as base

from . import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
COMMENT = "Projet cohérent avec le schéma départemental."


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def other(communes):
    """A structure of Lille managed by someone else: convention, amendment, contract."""
    structure = make.validated_structure(communes["Lille"], posts=2,
                                         manager=make.user(email="autre@lille.fr"))
    convention = make.convention(structure, posts=2)
    amendment = Amendment.objects.create(convention=convention, kind="add", posts=1,
                                         reason="Besoin", status="pending_opinion")
    contract = make.contract(structure, make.advisor())
    return {"structure": structure, "convention": convention, "amendment": amendment,
            "contract": contract, "application": structure.applications.get()}


@pytest.fixture
def convention(structure):
    return make.convention(structure, posts=2, start=TODAY - timedelta(days=900),
                           end=TODAY + timedelta(days=90))


# --- structure manager: the convention ------------------------------------------------------

def test_manager_starts_the_convention_and_sees_it_in_progress(manager_client, structure):
    page = text(manager_client.get(reverse("advisors:structure", args=[structure.pk])))
    assert "Engager la convention" in page
    url = reverse("advisors:convention_start", args=[structure.pk])
    response = manager_client.post(url, {"start": "2026-01-01", "end": "2028-12-31"},
                                   follow=True)
    page = text(response)
    assert "La convention est engagée (en cours) : l'ANCT la validera." in page
    convention = structure.conventions.get()
    assert convention.status == Convention.Status.IN_PROGRESS and convention.posts == 2
    assert "En cours" in page and "Engager la convention</a>" not in page
    # A second one: the service's refusal, on the form, with the typed dates kept.
    response = manager_client.post(url, {"start": "2026-02-01", "end": "2028-12-31"})
    page = text(response)
    assert "Cette structure a déjà sa convention initiale." in page
    assert 'value="2026-02-01"' in page


def test_convention_form_errors_in_french(manager_client, structure):
    url = reverse("advisors:convention_start", args=[structure.pk])
    page = text(manager_client.post(url, {"start": "2026-05-01", "end": "2026-01-01",
                                          "posts": "9"}))
    assert "La fin de la convention doit suivre son début." in page
    page = text(manager_client.post(url, {"start": "2026-01-01", "end": "2027-01-01",
                                          "posts": "9"}))
    assert "plus de postes que ceux attribués à la structure (2)" in page
    assert not structure.conventions.exists()


def test_no_convention_without_a_validated_application(manager_client, communes, manager):
    pending = make.structure(communes["Beauvais"], manager=manager)
    make.application(pending)
    response = manager_client.post(
        reverse("advisors:convention_start", args=[pending.pk]),
        {"start": "2026-01-01", "end": "2027-01-01"})
    assert "Une convention suppose une candidature validée" in text(response)


def test_renewal_is_offered_near_the_end_then_started(manager_client, convention):
    page = text(manager_client.get(reverse("advisors:structure",
                                           args=[convention.structure_id])))
    assert "À renouveler" in page
    detail = reverse("advisors:convention", args=[convention.pk])
    page = text(manager_client.get(detail))
    assert "engagez son reconventionnement" in page
    url = reverse("advisors:renewal_start", args=[convention.pk])
    start = convention.end + timedelta(days=1)
    response = manager_client.post(url, {"start": start.isoformat(),
                                         "end": (start + timedelta(days=730)).isoformat()},
                                   follow=True)
    page = text(response)
    assert "Le reconventionnement est initié : l'ANCT le validera." in page
    renewal = Convention.objects.get(previous=convention)
    assert renewal.status == Convention.Status.INITIATED
    assert "Initié" in page
    # Twice: the service's message.
    response = manager_client.post(url, {"start": start.isoformat(),
                                         "end": (start + timedelta(days=730)).isoformat()})
    assert "Le renouvellement de cette convention est déjà engagé." in text(response)


def test_manager_declines_the_renewal_with_a_reason(manager_client, convention, manager):
    renewal = services.start_renewal(convention, manager, start=convention.end,
                                     end=convention.end + timedelta(days=700))
    page = text(manager_client.get(reverse("advisors:convention", args=[renewal.pk])))
    assert "Ne pas renouveler (non intéressée)" in page
    url = reverse("advisors:renewal_decline", args=[renewal.pk])
    page = text(manager_client.post(url, {"reason": "   "}))
    assert "Ce champ est obligatoire." in page
    response = manager_client.post(url, {"reason": "Fin du projet numérique."}, follow=True)
    page = text(response)
    assert "la structure ne renouvelle pas sa convention" in page
    renewal.refresh_from_db()
    assert renewal.status == Convention.Status.NOT_INTERESTED
    assert "Non intéressée" in page and "Fin du projet numérique." in page
    page = text(manager_client.post(url, {"reason": "Encore"}))
    assert "Seul un reconventionnement initié peut être décliné." in page


# --- structure manager: amendments ------------------------------------------------------------

def test_manager_requests_an_amendment_adding_posts(manager_client, convention):
    url = reverse("advisors:amendment_request", args=[convention.pk])
    page = text(manager_client.post(url, {"posts": "1", "reason": "Nouvelle permanence"}))
    assert "Choisissez un ajout ou un retrait de postes." in page
    response = manager_client.post(url, {"kind": "add", "posts": "2",
                                         "reason": "Nouvelle permanence"}, follow=True)
    page = text(response)
    assert "L'avenant est demandé" in page
    amendment = convention.amendments.get()
    assert amendment.status == Amendment.Status.PENDING_OPINION and amendment.posts == 2
    assert "En attente de l'avis du préfet" in page
    # One at a time.
    page = text(manager_client.post(url, {"kind": "withdraw", "posts": "1",
                                          "reason": "Autre"}))
    assert "Un avenant de cette convention est déjà en cours d'examen." in page


def test_a_withdrawal_needs_free_posts(manager_client, convention, structure):
    make.contract(structure, make.advisor())
    make.contract(structure, make.advisor())
    url = reverse("advisors:amendment_request", args=[convention.pk])
    response = manager_client.post(url, {"kind": "withdraw", "posts": "1",
                                         "reason": "Réduction"})
    assert response.status_code == 200
    assert not convention.amendments.exists()
    make_free = Contract.objects.filter(structure=structure).first()
    make_free.delete()
    response = manager_client.post(url, {"kind": "withdraw", "posts": "1",
                                         "reason": "Réduction"}, follow=True)
    assert convention.amendments.get().status == Amendment.Status.PENDING_DECISION
    assert "En attente de décision" in text(response)


def test_an_amendment_needs_a_validated_convention(manager_client, structure):
    convention = make.convention(structure, status=Convention.Status.IN_PROGRESS, posts=2)
    response = manager_client.post(
        reverse("advisors:amendment_request", args=[convention.pk]),
        {"kind": "add", "posts": "1", "reason": "Besoin"})
    assert "Un avenant modifie une convention validée." in text(response)


# --- structure manager: extensions and status changes -------------------------------------------

def test_manager_requests_a_contract_extension(manager_client, structure):
    contract = make.contract(structure, make.advisor(first_name="Léa", last_name="Roux"))
    page = text(manager_client.get(reverse("advisors:structure", args=[structure.pk])))
    assert "Demander une prolongation" in page
    url = reverse("advisors:extension_request", args=[contract.pk])
    page = text(manager_client.post(url, {"new_end": contract.end.isoformat()}))
    assert "La nouvelle date de fin doit suivre la date de fin actuelle" in page
    new_end = contract.end + timedelta(days=180)
    response = manager_client.post(url, {"new_end": new_end.isoformat()}, follow=True)
    page = text(response)
    assert "La demande de prolongation du contrat de Léa Roux est transmise à l'ANCT." in page
    extension = contract.extensions.get()
    assert extension.status == ContractExtension.Status.REQUESTED
    assert "Prolongation au" in page
    page = text(manager_client.post(url, {"new_end": (new_end + timedelta(1)).isoformat()}))
    assert "Une prolongation de ce contrat attend déjà une décision." in page


def test_a_cdi_cannot_be_extended(manager_client, structure):
    contract = make.contract(structure, make.advisor(), kind=Contract.Kind.CDI)
    response = manager_client.post(reverse("advisors:extension_request", args=[contract.pk]),
                                   {"new_end": "2030-01-01"})
    assert "Un CDI n'a pas de date de fin à prolonger." in text(response)


def test_manager_abandons_an_open_application(manager_client, communes, manager):
    structure = make.structure(communes["Beauvais"], manager=manager)
    application = make.application(structure)
    detail = reverse("advisors:application", args=[application.pk])
    assert "Abandonner la candidature" in text(manager_client.get(detail))
    url = reverse("advisors:application_status", args=[application.pk])
    page = text(manager_client.get(url))
    # Only what allowed_transitions offers a manager: abandon, never cancel or duplicate.
    assert "Abandonnée" in page and "Annulée" not in page and "Doublon" not in page
    page = text(manager_client.post(url, {"to_status": "abandoned", "reason": ""}))
    assert "Ce champ est obligatoire." in page
    page = text(manager_client.post(url, {"to_status": "cancelled", "reason": "x"}))
    assert "Sélectionnez un choix valide" in page
    response = manager_client.post(url, {"to_status": "abandoned",
                                         "reason": "Projet reporté"}, follow=True)
    page = text(response)
    assert "Le statut de la candidature est modifié." in page
    application.refresh_from_db()
    assert application.status == Application.Status.ABANDONED
    assert "Déposée → Abandonnée" in page and "Projet reporté" in page
    assert "Abandonner la candidature" not in page
    response = manager_client.get(url, follow=True)
    assert "ne peut plus changer de statut" in text(response)


def test_a_validated_application_with_contracts_cannot_be_abandoned(manager_client,
                                                                    structure):
    make.contract(structure, make.advisor())
    make.contract(structure, make.advisor())
    application = structure.applications.get()
    response = manager_client.post(
        reverse("advisors:application_status", args=[application.pk]),
        {"to_status": "abandoned", "reason": "Fin"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.VALIDATED
    assert "fr-alert--error" in text(response)


# --- another party's objects, other roles ---------------------------------------------------------

@pytest.mark.parametrize("name, key", [
    ("advisors:convention_start", "structure"), ("advisors:convention", "convention"),
    ("advisors:renewal_start", "convention"), ("advisors:renewal_decline", "convention"),
    ("advisors:amendment_request", "convention"), ("advisors:amendment", "amendment"),
    ("advisors:extension_request", "contract"), ("advisors:application_status", "application"),
])
def test_another_structures_objects_answer_404(manager_client, structure, other, name, key):
    url = reverse(name, args=[other[key].pk])
    assert manager_client.get(url).status_code == 404
    assert manager_client.post(url, {"reason": "x"}).status_code == 404


def test_a_prefect_sees_a_convention_but_cannot_change_it(client, convention, oise_prefect):
    client.force_login(oise_prefect)
    page = text(client.get(reverse("advisors:convention", args=[convention.pk])))
    assert "Demander un avenant" not in page and "Engager le reconventionnement" not in page
    assert client.get(reverse("advisors:amendment_request",
                              args=[convention.pk])).status_code == 404


# --- préfet: opinion on an amendment -------------------------------------------------------------

@pytest.fixture
def addition(convention, manager):
    return services.request_amendment(convention, manager, kind="add", posts=1,
                                      reason="Une permanence de plus")


def test_prefect_sees_amendments_awaiting_opinion_and_gives_it(client, addition, oise_prefect,
                                                               other):
    client.force_login(oise_prefect)
    page = text(client.get(reverse("advisors:prefect_applications")))
    assert "Avenants attendant votre avis" in page
    assert reverse("advisors:amendment", args=[addition.pk]) in page
    assert reverse("advisors:amendment", args=[other["amendment"].pk]) not in page  # Nord
    url = reverse("advisors:amendment", args=[addition.pk])
    assert "Donner mon avis" in text(client.get(url))
    page = text(client.post(url, {"verdict": "favourable", "comment": "Non."}))
    assert "au moins 10 caractères" in page
    response = client.post(url, {"verdict": "favourable", "comment": COMMENT}, follow=True)
    page = text(response)
    assert "Votre avis sur l'avenant de" in page and "Avis favorable" in page
    addition.refresh_from_db()
    assert addition.status == Amendment.Status.PENDING_DECISION
    assert PrefectOpinion.objects.get(amendment=addition).author == oise_prefect
    page = text(client.get(reverse("advisors:prefect_applications")))
    assert "Avenants attendant votre avis" not in page


def test_another_prefect_cannot_give_the_opinion(client, addition, communes):
    nord = make.prefect(department=communes["Lille"].department)
    client.force_login(nord)
    url = reverse("advisors:amendment", args=[addition.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"verdict": "favourable", "comment": COMMENT}).status_code == 404


def test_the_manager_sees_the_amendment_without_the_opinion_form(manager_client, addition):
    url = reverse("advisors:amendment", args=[addition.pk])
    page = text(manager_client.get(url))
    assert "Pas encore d'avis." in page and "Donner mon avis" not in page
    assert manager_client.post(url, {"verdict": "favourable",
                                     "comment": COMMENT}).status_code == 403


# --- ANCT administrators in the Wagtail admin ----------------------------------------------------

@pytest.fixture
def anct(client):
    client.force_login(base.staff_user(Role.ANCT_ADMIN))
    return client


@pytest.fixture
def staff_prefect(client, communes):
    """A staff préfet of the Oise: reaches /admin/ but is no ANCT administrator."""
    person = base.staff_user(Role.PREFET)
    from advisors.models import PrefectAssignment

    PrefectAssignment.objects.create(user=person, department=communes["Beauvais"].department)
    client.force_login(person)
    return client


def test_anct_validates_a_convention_in_progress(anct, structure, manager):
    convention = services.start_convention(structure, manager, start=TODAY,
                                           end=TODAY + timedelta(days=1000))
    inspect = f"/admin/advisors_conventions/inspect/{convention.pk}/"
    assert "Valider la convention" in text(anct.get(inspect))
    url = f"/admin/advisors_conventions/validate/{convention.pk}/"
    assert anct.get(url).status_code == 200
    response = anct.post(url, follow=True)
    assert "Convention validée." in text(response)
    convention.refresh_from_db()
    assert convention.status == Convention.Status.VALIDATED
    assert "Valider la convention</a>" not in text(response)
    response = anct.post(url, follow=True)
    assert "Cette convention est « Validée » : elle ne peut pas être validée." in text(response)


def test_anct_validates_an_initiated_renewal(anct, convention, manager):
    renewal = services.start_renewal(convention, manager, start=convention.end,
                                     end=convention.end + timedelta(days=700))
    page = text(anct.get(f"/admin/advisors_conventions/inspect/{convention.pk}/"))
    assert "Reconventionnement" in page and "Initié" in page
    anct.post(f"/admin/advisors_conventions/validate/{renewal.pk}/")
    renewal.refresh_from_db()
    assert renewal.status == Convention.Status.VALIDATED


def test_deciding_an_addition_needs_the_prefect_opinion(anct, addition, oise_prefect):
    page = text(anct.get(f"/admin/advisors_conventions/inspect/{addition.convention_id}/"))
    assert f"/admin/advisors_amendments/inspect/{addition.pk}/" in page
    inspect = f"/admin/advisors_amendments/inspect/{addition.pk}/"
    assert "Le préfet n'a pas encore donné son avis" in text(anct.get(inspect))
    url = f"/admin/advisors_amendments/decide/{addition.pk}/"
    response = anct.post(url, {"outcome": "validated", "comment": "Accordé"})
    assert response.status_code == 200
    assert "L'avis du préfet est nécessaire avant de décider de cet avenant." in text(response)
    assert 'value="validated" checked' in text(response) or "Accordé" in text(response)
    addition.refresh_from_db()
    assert addition.status == Amendment.Status.PENDING_OPINION

    services.give_opinion(addition, oise_prefect, "favourable", COMMENT)
    assert COMMENT in text(anct.get(inspect))
    response = anct.post(url, {"outcome": "validated", "comment": "Accordé"}, follow=True)
    assert "Décision enregistrée sur l'avenant." in text(response)
    addition.refresh_from_db()
    assert addition.status == Amendment.Status.VALIDATED
    assert addition.decision_comment == "Accordé"
    response = anct.post(url, {"outcome": "refused"})
    assert "Cet avenant a déjà été décidé." in text(response)


def test_anct_refuses_a_withdrawal(anct, convention, manager):
    withdrawal = services.request_amendment(convention, manager, kind="withdraw", posts=1,
                                            reason="Moins de besoins")
    url = f"/admin/advisors_amendments/decide/{withdrawal.pk}/"
    page = text(anct.post(url, {"comment": "x"}))
    assert "Choisissez « validé » ou « refusé »." in page
    anct.post(url, {"outcome": "refused", "comment": "Postes encore utiles"})
    withdrawal.refresh_from_db()
    assert withdrawal.status == Amendment.Status.REFUSED


def test_the_amendment_listing_filters_by_status(anct, addition, other):
    response = anct.get("/admin/advisors_amendments/", {"status": "pending_opinion"})
    assert set(response.context["object_list"]) == {addition, other["amendment"]}
    response = anct.get("/admin/advisors_amendments/", {"status": "validated"})
    assert not list(response.context["object_list"])


def test_anct_decides_a_contract_extension(anct, structure, manager):
    contract = make.contract(structure, make.advisor())
    new_end = contract.end + timedelta(days=200)
    extension = services.request_extension(contract, manager, new_end)
    inspect = f"/admin/advisors_contracts/inspect/{contract.pk}/"
    assert "Décider de la prolongation" in text(anct.get(inspect))
    url = f"/admin/advisors_contracts/extension/{extension.pk}/"
    response = anct.post(url, {"outcome": "validated"}, follow=True)
    assert "Décision enregistrée sur la prolongation." in text(response)
    contract.refresh_from_db()
    extension.refresh_from_db()
    assert contract.end == new_end and extension.status == ContractExtension.Status.VALIDATED
    response = anct.post(url, {"outcome": "refused"})
    assert "Cette prolongation a déjà été décidée." in text(response)


def test_anct_refuses_a_contract_extension(anct, structure, manager):
    contract = make.contract(structure, make.advisor())
    end = contract.end
    extension = services.request_extension(contract, manager, end + timedelta(days=30))
    anct.post(f"/admin/advisors_contracts/extension/{extension.pk}/", {"outcome": "refused"})
    contract.refresh_from_db()
    extension.refresh_from_db()
    assert contract.end == end and extension.status == ContractExtension.Status.REFUSED


@pytest.mark.parametrize("to_status", ["duplicate", "cancelled"])
def test_anct_marks_an_application_duplicate_or_cancelled(anct, communes, to_status):
    application = make.application(make.structure(communes["Paris"]))
    inspect = f"/admin/advisors_applications/inspect/{application.pk}/"
    assert "Changer le statut (annulée, doublon…)" in text(anct.get(inspect))
    url = f"/admin/advisors_applications/transition/{application.pk}/"
    page = text(anct.get(url))
    assert "Doublon" in page and "Annulée" in page
    response = anct.post(url, {"to_status": to_status, "reason": ""})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.CREATED
    response = anct.post(url, {"to_status": to_status, "reason": "Déjà déposée"},
                         follow=True)
    page = text(response)
    assert "Statut de la candidature modifié." in page and "Déjà déposée" in page
    application.refresh_from_db()
    assert application.status == to_status
    assert application.events.get().reason == "Déjà déposée"
    response = anct.get(url, follow=True)
    assert "ne peut plus changer de statut" in text(response)


def test_the_admin_transition_refusal_shows_the_service_message(anct, structure):
    make.contract(structure, make.advisor())
    make.contract(structure, make.advisor())
    application = structure.applications.get()
    response = anct.post(f"/admin/advisors_applications/transition/{application.pk}/",
                         {"to_status": "cancelled", "reason": "Erreur"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.VALIDATED


def test_non_admins_are_refused_the_admin_actions(staff_prefect, client, structure, manager,
                                                  addition, oise_prefect, communes):
    services.give_opinion(addition, oise_prefect, "favourable", COMMENT)
    in_progress = make.convention(make.validated_structure(communes["Beauvais"]),
                                  status=Convention.Status.IN_PROGRESS)
    contract = make.contract(structure, make.advisor())
    extension = services.request_extension(contract, manager,
                                           contract.end + timedelta(days=30))
    application = make.application(make.structure(communes["Beauvais"]))
    posts = [
        (f"/admin/advisors_conventions/validate/{in_progress.pk}/", {}),
        (f"/admin/advisors_amendments/decide/{addition.pk}/", {"outcome": "validated"}),
        (f"/admin/advisors_contracts/extension/{extension.pk}/", {"outcome": "validated"}),
        (f"/admin/advisors_applications/transition/{application.pk}/",
         {"to_status": "cancelled", "reason": "x"}),
    ]
    for url, data in posts:
        assert staff_prefect.post(url, data).status_code in (302, 403), url
    client.force_login(manager)  # not staff: sent to the login
    for url, data in posts:
        assert client.post(url, data).status_code in (302, 403), url
    in_progress.refresh_from_db()
    addition.refresh_from_db()
    extension.refresh_from_db()
    application.refresh_from_db()
    assert in_progress.status == Convention.Status.IN_PROGRESS
    assert addition.status == Amendment.Status.PENDING_DECISION
    assert extension.status == ContractExtension.Status.REQUESTED
    assert application.status == Application.Status.CREATED


def test_anct_initiates_a_renewal_that_the_structure_declines(anct, client, convention,
                                                               manager):
    inspect = f"/admin/advisors_conventions/inspect/{convention.pk}/"
    assert "Initier le reconventionnement" in text(anct.get(inspect))
    url = f"/admin/advisors_conventions/renew/{convention.pk}/"
    page = text(anct.post(url, {"start": convention.start.isoformat(),
                                "end": (convention.end + timedelta(days=700)).isoformat()}))
    assert "Le reconventionnement commence après le début de la convention" in page
    response = anct.post(url, {"start": convention.end.isoformat(),
                               "end": (convention.end + timedelta(days=700)).isoformat()},
                         follow=True)
    assert "Reconventionnement initié" in text(response)
    renewal = Convention.objects.get(previous=convention)
    assert renewal.status == Convention.Status.INITIATED and renewal.posts == 2

    client.force_login(manager)
    page = text(client.get(reverse("advisors:convention", args=[convention.pk])))
    assert reverse("advisors:renewal_decline", args=[renewal.pk]) in page
    client.post(reverse("advisors:renewal_decline", args=[renewal.pk]),
                {"reason": "La commune reprend l'activité en régie."})
    renewal.refresh_from_db()
    assert renewal.status == Convention.Status.NOT_INTERESTED
