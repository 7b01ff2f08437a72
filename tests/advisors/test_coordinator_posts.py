"""Coordinator posts: a structure asks for one (an application of kind "coordinateur"),
the préfet gives their opinion, the committee decides, the structure appoints the
coordinator it recruited, and the coordinator's space shows the request's scope."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advisors import services
from advisors.models import Advisor, Application, ApplicationEvent, Contract, PrefectOpinion
from advisors.models.applications import MAX_COORDINATED_ADVISORS

from . import factories as make

pytestmark = pytest.mark.django_db
S = Application.Status
SCOPE = Application.CoordinationScope
COMMENT = "Un coordinateur aidera les conseillers du territoire."


def in_a_month():
    return timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def oise_advisors(structure, communes):
    """Two advisors under contract in the Oise (Beauvais, Compiègne) and one in Lille."""
    beauvais = make.advisor(first_name="Inès", last_name="Beauvais")
    make.contract(structure, beauvais)
    compiegne = make.advisor(first_name="Karim", last_name="Compiègne")
    make.contract(make.validated_structure(communes["Compiègne"]), compiegne)
    lille = make.advisor(first_name="Louise", last_name="Lille")
    make.contract(make.validated_structure(communes["Lille"]), lille)
    return {"beauvais": beauvais, "compiegne": compiegne, "lille": lille}


def coordinator_of(structure, email="coordinatrice@conseiller-numerique.fr", **contract):
    """An advisor with an account, recruited by the structure (a running contract)."""
    person = make.advisor(make.user(email=email), first_name="Sophie", last_name="Martin")
    return person, make.contract(structure, person, **contract)


def granted(structure, manager, admin, prefect, **scope):
    """A coordinator post request filed by the manager, with the préfet's favourable
    opinion and the committee's validation."""
    scope.setdefault("coordination_scope", SCOPE.DEPARTMENT)
    if scope["coordination_scope"] == SCOPE.DEPARTMENT:
        scope.setdefault("department", structure.commune.department)
    application = services.request_coordinator_post(
        structure, manager, motivation="Coordonner les conseillers de l'Oise.",
        desired_start=in_a_month(), **scope)
    services.give_opinion(application, prefect, PrefectOpinion.Verdict.FAVOURABLE, COMMENT)
    return services.decide(application, admin, S.VALIDATED, posts_granted=1,
                           decision_number="COORD-2026-01")


def seen_by(user):
    return set(Advisor.objects.coordinated_by(user).values_list("last_name", flat=True))


# --- the whole flow, through the pages ---------------------------------------------------------
def test_a_coordinator_post_goes_from_request_to_opinion_decision_contract_and_scope(
        client, structure, manager, oise_prefect, admin, oise_advisors):
    client.force_login(manager)
    page = client.get(reverse("advisors:structure", args=[structure.pk]))
    assert "Demander un poste de coordinateur" in page.content.decode()
    form = client.get(reverse("advisors:coordinator_post_request", args=[structure.pk]))
    assert "Inès Beauvais" in form.content.decode()  # the structure's own advisors
    assert "Louise Lille" not in form.content.decode()
    response = client.post(
        reverse("advisors:coordinator_post_request", args=[structure.pk]),
        {"motivation": "Un coordinateur pour nos conseillers.",
         "desired_start": in_a_month().isoformat(), "coordination_scope": SCOPE.ADVISORS,
         "coordinated_advisors": [oise_advisors["beauvais"].pk]})
    application = Application.objects.get(kind=Application.Kind.COORDINATOR)
    assert response.status_code == 302
    assert response.url == reverse("advisors:application", args=[application.pk])
    assert application.status == S.CREATED and application.posts_requested == 1
    assert list(application.coordinated_advisors.all()) == [oise_advisors["beauvais"]]

    # The préfet of the Oise gives their opinion on the request's page, as for other posts.
    assert application.awaits_opinion_of(oise_prefect)
    client.force_login(oise_prefect)
    detail = client.get(reverse("advisors:application", args=[application.pk])).content.decode()
    assert "Poste de coordinateur" in detail and "1 conseiller désigné" in detail
    assert "(Oise)" in detail and ") (Oise)" not in detail  # the département said once
    client.post(reverse("advisors:application", args=[application.pk]),
                {"verdict": "favourable", "comment": COMMENT})
    assert application.opinion.verdict == "favourable"

    # The committee (ANCT) decides in the back office.
    client.force_login(admin)
    client.post(reverse("advisors_applications:decide", args=[application.pk]),
                {"outcome": S.VALIDATED, "posts_granted": 1, "decision_number": "C-01"})
    application.refresh_from_db()
    assert application.status == S.VALIDATED

    # The structure recruits the coordinator, then appoints them under the post.
    coordinator, contract = coordinator_of(structure)
    client.force_login(manager)
    response = client.post(reverse("advisors:coordinator_appoint", args=[application.pk]),
                           {"contract": contract.pk})
    assert response.status_code == 302
    application.refresh_from_db()
    coordinator.refresh_from_db()
    assert application.coordinator_contract == contract
    assert coordinator.is_coordinator
    assert coordinator.user.groups.filter(name=Role.COORDINATOR).exists()
    assert ApplicationEvent.objects.filter(application=application,
                                           reason__contains="Sophie Martin").exists()

    # The coordinator's space shows exactly the request's advisors.
    client.force_login(coordinator.user)
    space = client.get(reverse("advisors:coordination")).content.decode()
    assert "Inès" in space and "Beauvais" in space
    assert "Karim" not in space and "Louise" not in space
    # on a phone the advisors are cards, the table only from the md breakpoint
    assert '<ul class="fr-raw-list fr-hidden-md"' in space
    assert "fr-table fr-table--no-caption fr-hidden fr-unhidden-md" in space
    advisor_page = client.get(reverse("advisors:coordinated_advisor",
                                      args=[oise_advisors["beauvais"].pk]))
    assert advisor_page.status_code == 200
    # the coordinator reads of the advisor in the third person, without the catalogue link
    assert "Inès Beauvais n'a suivi aucune formation" in advisor_page.content.decode()
    assert "Voir le catalogue" not in advisor_page.content.decode()
    assert client.get(reverse("advisors:coordinated_advisor",
                              args=[oise_advisors["compiegne"].pk])).status_code == 404


# --- scopes ------------------------------------------------------------------------------------
def test_a_departement_scope_covers_the_advisors_under_contract_there(
        structure, manager, oise_prefect, admin, oise_advisors, communes):
    application = granted(structure, manager, admin, oise_prefect)
    coordinator, contract = coordinator_of(structure)
    ended = make.advisor(last_name="Parti")
    make.contract(structure, ended, start=datetime.date(2022, 1, 1),
                  end=datetime.date(2023, 1, 1))
    services.appoint_coordinator(application, manager, contract)
    # Both Oise advisors, not Lille's, not one whose contract ended, not the coordinator.
    assert seen_by(coordinator.user) == {"Beauvais", "Compiègne"}


def test_a_region_scope_covers_its_departements(structure, manager, oise_prefect, admin,
                                                oise_advisors, communes):
    application = granted(structure, manager, admin, oise_prefect,
                          coordination_scope=SCOPE.REGION,
                          region=communes["Lille"].department.region)
    coordinator, contract = coordinator_of(structure)
    services.appoint_coordinator(application, manager, contract)
    assert seen_by(coordinator.user) == {"Beauvais", "Compiègne", "Lille"}


def test_anct_changes_the_scope_and_the_coordinator_space_follows(
        client, structure, manager, oise_prefect, admin, oise_advisors, communes):
    application = granted(structure, manager, admin, oise_prefect)
    coordinator, contract = coordinator_of(structure)
    services.appoint_coordinator(application, manager, contract)
    client.force_login(admin)
    url = reverse("advisors_applications:coordination_scope", args=[application.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"coordination_scope": SCOPE.ADVISORS,
                                 "advisor_emails": oise_advisors["lille"].email.upper()})
    assert response.status_code == 302
    assert seen_by(coordinator.user) == {"Lille"}
    assert "Périmètre de coordination modifié" in application.events.last().reason
    # Only ANCT changes it.
    with pytest.raises(services.NotAllowed):
        services.set_coordination_scope(application, manager,
                                        coordination_scope=SCOPE.REGION,
                                        region=communes["Paris"].department.region)
    client.force_login(manager)
    assert client.get(url).status_code in (302, 403)


# --- no granted post, no scope -----------------------------------------------------------------
def test_a_coordinator_without_a_granted_post_sees_nothing(
        client, structure, manager, oise_prefect, admin, oise_advisors):
    coordinator, contract = coordinator_of(structure)
    coordinator.is_coordinator = True
    coordinator.save()
    application = services.request_coordinator_post(
        structure, manager, motivation="Coordonner.", desired_start=in_a_month(),
        coordination_scope=SCOPE.DEPARTMENT, department=structure.commune.department)
    # Not granted: nothing can be appointed, nothing is seen.
    with pytest.raises(services.WorkflowError):
        services.appoint_coordinator(application, manager, contract)
    services.give_opinion(application, oise_prefect, "unfavourable", COMMENT)
    services.decide(application, admin, S.REFUSED, decision_number="C-02")
    client.force_login(coordinator.user)
    assert seen_by(coordinator.user) == set()
    page = client.get(reverse("advisors:coordination"))
    assert page.status_code == 200 and "Inès" not in page.content.decode()
    assert client.get(reverse("advisors:coordinated_advisor",
                              args=[oise_advisors["beauvais"].pk])).status_code == 404


def test_a_granted_post_gives_no_scope_once_the_coordinators_contract_has_ended(
        structure, manager, oise_prefect, admin, oise_advisors):
    application = granted(structure, manager, admin, oise_prefect)
    coordinator, contract = coordinator_of(structure)
    services.appoint_coordinator(application, manager, contract)
    assert seen_by(coordinator.user) == {"Beauvais", "Compiègne"}
    Contract.objects.filter(pk=contract.pk).update(end=timezone.localdate()
                                                   - datetime.timedelta(days=1))
    assert seen_by(coordinator.user) == set()


def test_a_submitted_contract_may_be_appointed_but_gives_the_scope_once_validated(
        structure, manager, oise_prefect, admin, oise_advisors):
    application = granted(structure, manager, admin, oise_prefect)
    coordinator, contract = coordinator_of(structure, status=Contract.Status.SUBMITTED)
    services.appoint_coordinator(application, manager, contract)
    assert seen_by(coordinator.user) == set()
    services.validate_contract(contract, admin)
    assert seen_by(coordinator.user) == {"Beauvais", "Compiègne"}
    assert coordinator.user.groups.filter(name=Role.COORDINATOR).exists()


# --- rules and bad input -----------------------------------------------------------------------
def test_a_structure_asks_for_a_coordinator_while_its_advisor_application_is_open(
        communes, manager):
    structure = make.structure(communes["Beauvais"], manager=manager)
    make.application(structure)  # advisors' posts, still open
    first = services.request_coordinator_post(
        structure, manager, motivation="Coordonner.", desired_start=in_a_month(),
        coordination_scope=SCOPE.DEPARTMENT, department=communes["Beauvais"].department)
    assert first.kind == Application.Kind.COORDINATOR
    with pytest.raises(services.WorkflowError, match="déjà une demande"):
        services.request_coordinator_post(
            structure, manager, motivation="Encore.", desired_start=in_a_month(),
            coordination_scope=SCOPE.DEPARTMENT, department=communes["Beauvais"].department)


def test_the_committee_grants_exactly_one_coordinator_post(structure, manager, oise_prefect,
                                                           admin):
    application = services.request_coordinator_post(
        structure, manager, motivation="Coordonner.", desired_start=in_a_month(),
        coordination_scope=SCOPE.DEPARTMENT, department=structure.commune.department)
    services.give_opinion(application, oise_prefect, "favourable", COMMENT)
    with pytest.raises(services.WorkflowError, match="1 poste"):
        services.decide(application, admin, S.VALIDATED, posts_granted=2,
                        decision_number="C-03", more_posts_confirmed=True)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"coordination_scope": ""}, "coordination_scope", "obligatoire"),
    ({"coordination_scope": "partout"}, "coordination_scope", "Sélectionnez un choix valide"),
    ({"coordination_scope": SCOPE.DEPARTMENT, "coordinated_department": ""},
     "coordinated_department", "Choisissez le département"),
    ({"coordination_scope": SCOPE.DEPARTMENT, "coordinated_department": "999999"},
     "coordinated_department", "Choisissez un département de la liste"),
    ({"coordination_scope": SCOPE.REGION, "coordinated_region": "abc"},
     "coordinated_region", "Choisissez une région de la liste"),
    ({"coordination_scope": SCOPE.ADVISORS}, "coordinated_advisors", "au moins un conseiller"),
    ({"coordination_scope": SCOPE.ADVISORS, "coordinated_advisors": ["x"]},
     "coordinated_advisors", "Choisissez des conseillers de la liste"),
    ({"desired_start": "2020-01-01"}, "desired_start", "passée"),
    ({"desired_start": "3026-01-01"}, "desired_start", "vérifiez l'année"),
    ({"desired_start": "31/02/2027"}, "desired_start", "date valide"),
    ({"motivation": "x" * 2501}, "motivation", "au plus"),
])
def test_the_request_form_explains_bad_input_next_to_the_field(
        client, structure, manager, communes, data, field, message):
    client.force_login(manager)
    form = {"motivation": "Coordonner.", "desired_start": in_a_month().isoformat(),
            "coordination_scope": SCOPE.DEPARTMENT,
            "coordinated_department": communes["Beauvais"].department.pk, **data}
    response = client.post(reverse("advisors:coordinator_post_request", args=[structure.pk]),
                           form)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert not Application.objects.filter(kind=Application.Kind.COORDINATOR).exists()


def test_a_manager_cannot_list_advisors_of_other_structures(client, structure, manager,
                                                            oise_advisors):
    client.force_login(manager)
    response = client.post(
        reverse("advisors:coordinator_post_request", args=[structure.pk]),
        {"motivation": "Coordonner.", "desired_start": in_a_month().isoformat(),
         "coordination_scope": SCOPE.ADVISORS,
         "coordinated_advisors": [oise_advisors["lille"].pk]})
    assert response.status_code == 200
    assert response.context["form"].errors["coordinated_advisors"]
    with pytest.raises(services.WorkflowError, match="vos structures"):
        services.request_coordinator_post(
            structure, manager, motivation="Coordonner.", desired_start=in_a_month(),
            coordination_scope=SCOPE.ADVISORS, advisors=[oise_advisors["lille"]])


def test_a_list_holds_at_most_a_hundred_advisors(structure, manager, admin):
    advisors = [make.advisor() for _ in range(MAX_COORDINATED_ADVISORS + 1)]
    with pytest.raises(services.WorkflowError, match="au plus"):
        services.request_coordinator_post(
            structure, manager, motivation="Coordonner.", desired_start=in_a_month(),
            coordination_scope=SCOPE.ADVISORS, advisors=advisors)


def test_only_the_structures_managers_ask_for_its_coordinator_post(client, structure,
                                                                   communes):
    stranger = make.user(email="autre@mairie.fr")
    client.force_login(stranger)
    url = reverse("advisors:coordinator_post_request", args=[structure.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"coordination_scope": SCOPE.REGION}).status_code == 404
    with pytest.raises(services.NotAllowed):
        services.request_coordinator_post(
            structure, stranger, motivation="x", desired_start=in_a_month(),
            coordination_scope=SCOPE.REGION, region=communes["Paris"].department.region)


def test_appointing_takes_only_a_running_contract_of_the_structure(
        client, structure, manager, oise_prefect, admin, oise_advisors, communes):
    application = granted(structure, manager, admin, oise_prefect)
    elsewhere = Contract.objects.get(advisor=oise_advisors["lille"])
    client.force_login(manager)
    url = reverse("advisors:coordinator_appoint", args=[application.pk])
    for value in (elsewhere.pk, "abc", "", 10**12):
        response = client.post(url, {"contract": value})
        assert response.status_code == 200
        assert response.context["form"].errors["contract"]
    with pytest.raises(services.WorkflowError, match="contrat en cours"):
        services.appoint_coordinator(application, manager, elsewhere)
    application.refresh_from_db()
    assert application.coordinator_contract is None
    # One advisor coordinates under one post at a time.
    coordinator, contract = coordinator_of(structure)
    services.appoint_coordinator(application, manager, contract)
    other = granted(make.validated_structure(communes["Compiègne"], manager=manager), manager,
                    admin, oise_prefect)
    with pytest.raises(services.WorkflowError):
        services.appoint_coordinator(other, manager, contract)


def test_appointing_waits_for_the_committee(client, structure, manager):
    application = services.request_coordinator_post(
        structure, manager, motivation="Coordonner.", desired_start=in_a_month(),
        coordination_scope=SCOPE.DEPARTMENT, department=structure.commune.department)
    client.force_login(manager)
    response = client.get(reverse("advisors:coordinator_appoint", args=[application.pk]))
    assert response.status_code == 302


def test_an_advisor_application_has_no_coordination_scope(structure, communes):
    application = structure.applications.get()
    application.coordination_scope = SCOPE.DEPARTMENT
    application.coordinated_department = communes["Beauvais"].department
    with pytest.raises(Exception, match="coordinateur"):
        application.full_clean()
    assert Group.objects.filter(name=Role.COORDINATOR).exists()


def test_the_prefect_and_anct_see_a_coordinator_request_among_the_applications(
        client, structure, manager, oise_prefect, admin):
    application = services.request_coordinator_post(
        structure, manager, motivation="Coordonner.", desired_start=in_a_month(),
        coordination_scope=SCOPE.DEPARTMENT, department=structure.commune.department)
    client.force_login(oise_prefect)
    listing = client.get(reverse("advisors:prefect_applications")).content.decode()
    assert "1 (coordinateur)" in listing
    client.force_login(admin)
    inspect = client.get(reverse("advisors_applications:inspect", args=[application.pk]))
    text = inspect.content.decode()
    assert "Périmètre de coordination" in text and "Département : Oise (60)" in text
    assert reverse("advisors_applications:coordination_scope", args=[application.pk]) in text


def test_the_post_request_offers_only_advisors_still_under_contract(client, structure, manager,
                                                                    oise_advisors):
    today = timezone.localdate()
    departed = make.advisor(first_name="Lucas", last_name="Fontaine")
    make.contract(structure, departed, start=today - datetime.timedelta(days=400),
                  end=today - datetime.timedelta(days=1))
    client.force_login(manager)
    form = client.get(reverse("advisors:coordinator_post_request", args=[structure.pk]))
    assert "Inès Beauvais" in form.content.decode()
    assert "Lucas Fontaine" not in form.content.decode()
