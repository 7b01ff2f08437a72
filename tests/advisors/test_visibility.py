"""Who sees what: one matrix of roles × models on structure A (Beauvais, Oise,
Hauts-de-France) and structure B (Paris, Île-de-France); then who may change what."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from advisors.models import (
    ActivityReport,
    Advisor,
    Amendment,
    Application,
    Contract,
    ServicePoint,
    Structure,
)

from . import factories as make

pytestmark = pytest.mark.django_db

MODELS = {
    "structure": Structure, "application": Application, "contract": Contract,
    "advisor": Advisor, "service_point": ServicePoint, "activity_report": ActivityReport,
}
ALL = set(MODELS)
# What each role sees of structure A's objects; nobody but ANCT sees B's.
SEES_OF_A = {
    "manager_of_a": ALL,
    "advisor_of_a": {"structure", "contract", "advisor", "service_point", "activity_report"},
    "coordinator_of_advisor_of_a": {"advisor", "service_point", "activity_report"},
    "prefect_of_oise": ALL,
    "prefect_of_nord": set(),
    "prefect_of_hauts_de_france": ALL,
    "prefect_without_the_role": set(),
    "elected_official": set(),
    "anct_admin": ALL,
}
# What each role may change of structure A's objects.
EDITS_OF_A = {
    "manager_of_a": ALL - {"activity_report"},
    "advisor_of_a": {"advisor", "service_point", "activity_report"},
    "coordinator_of_advisor_of_a": set(),
    "prefect_of_oise": set(),
    "prefect_of_nord": set(),
    "prefect_of_hauts_de_france": set(),
    "prefect_without_the_role": set(),
    "elected_official": set(),
    "anct_admin": ALL,
}


def side(commune, manager):
    structure = make.validated_structure(commune, manager=manager)
    advisor = make.advisor(make.user())
    contract = make.contract(structure, advisor)
    point = make.service_point(structure, advisors=[advisor])
    return {
        "structure": structure, "application": structure.applications.get(),
        "contract": contract, "advisor": advisor, "service_point": point,
        "activity_report": make.activity_report(advisor, commune, structure),
    }


@pytest.fixture
def world(communes):
    manager_a = make.user()
    a = side(communes["Beauvais"], manager_a)
    b = side(communes["Paris"], make.user())
    coordinator = make.advisor(make.user(role=Role.COORDINATOR), is_coordinator=True)
    coordinator.coordinated.add(a["advisor"])
    elected = make.user()
    from academy.models import Mandate, OfficialProfile

    Mandate.objects.create(profile=OfficialProfile.objects.create(user=elected),
                           role="maire", commune=communes["Beauvais"], started_on="2020-07-01")
    people = {
        "manager_of_a": manager_a,
        "advisor_of_a": a["advisor"].user,
        "coordinator_of_advisor_of_a": coordinator.user,
        "prefect_of_oise": make.prefect(department=communes["Beauvais"].department),
        "prefect_of_nord": make.prefect(department=communes["Lille"].department),
        "prefect_of_hauts_de_france": make.prefect(
            region=communes["Beauvais"].department.region),
        "prefect_without_the_role": make.prefect(
            department=communes["Beauvais"].department, with_role=False),
        "elected_official": elected,
        "anct_admin": make.admin(),
    }
    return {"a": a, "b": b, "people": people}


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("role", sorted(SEES_OF_A))
def test_visibility_matrix(world, role, model):
    user = world["people"][role]
    visible = MODELS[model].objects.visible_to(user)
    assert (world["a"][model] in visible) == (model in SEES_OF_A[role])
    assert (world["b"][model] in visible) == (role == "anct_admin")


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("role", sorted(EDITS_OF_A))
def test_edit_matrix(world, role, model):
    user = world["people"][role]
    editable = MODELS[model].objects.editable_by(user)
    assert (world["a"][model] in editable) == (model in EDITS_OF_A[role])
    assert (world["b"][model] in editable) == (role == "anct_admin")


@pytest.mark.parametrize("model", sorted(MODELS))
def test_anonymous_and_inactive_people_see_nothing(world, model):
    inactive = world["people"]["manager_of_a"]
    inactive.is_active = False
    inactive.save()
    assert not MODELS[model].objects.visible_to(AnonymousUser()).exists()
    assert not MODELS[model].objects.visible_to(None).exists()
    assert not MODELS[model].objects.visible_to(inactive).exists()


def test_a_superuser_sees_everything(world):
    boss = make.user(is_superuser=True)
    assert Structure.objects.visible_to(boss).count() == 2


def test_results_carry_no_duplicates(world, communes):
    manager = world["people"]["manager_of_a"]
    structure = world["a"]["structure"]
    for _ in range(3):
        advisor = make.advisor()
        make.contract(structure, advisor, status="refused")
        world["a"]["service_point"].advisors.add(advisor)
    structure.managers.add(make.user())
    for model in MODELS.values():
        rows = list(model.objects.visible_to(manager).values_list("pk", flat=True))
        assert len(rows) == len(set(rows))
    assert Advisor.objects.visible_to(manager).count() == 4


def test_amendments_and_history_follow_their_structure(world, communes):
    from advisors.models import ApplicationEvent, PrefectOpinion

    convention = make.convention(world["a"]["structure"])
    amendment = Amendment.objects.create(convention=convention, kind="add", posts=1,
                                         reason="r", status="pending_opinion")
    event = ApplicationEvent.objects.create(application=world["a"]["application"],
                                            to_status="created")
    opinion = PrefectOpinion.objects.create(amendment=amendment, verdict="favourable",
                                            comment="Avis très favorable.",
                                            author=world["people"]["prefect_of_oise"])
    for role in ("manager_of_a", "prefect_of_oise"):
        user = world["people"][role]
        assert amendment in Amendment.objects.visible_to(user)
        assert event in ApplicationEvent.objects.visible_to(user)
        assert opinion in PrefectOpinion.objects.visible_to(user)
    for role in ("prefect_of_nord", "advisor_of_a", "elected_official"):
        user = world["people"][role]
        assert not Amendment.objects.visible_to(user).exists()
        assert not ApplicationEvent.objects.visible_to(user).exists()
        assert not PrefectOpinion.objects.visible_to(user).exists()


def test_hours_and_closures_follow_their_service_point(world):
    from datetime import date, time

    from advisors.models import Closure, OpeningRange

    point = world["a"]["service_point"]
    hours = OpeningRange.objects.create(service_point=point, weekday=0, period="am",
                                        opens=time(9), closes=time(12))
    closure = Closure.objects.create(service_point=point, start=date(2026, 8, 1),
                                     end=date(2026, 8, 15))
    for role, sees, edits in [("advisor_of_a", True, True),
                              ("coordinator_of_advisor_of_a", True, False),
                              ("prefect_of_oise", True, False),
                              ("prefect_of_nord", False, False)]:
        user = world["people"][role]
        for row in (hours, closure):
            assert (row in type(row).objects.visible_to(user)) == sees
            assert (row in type(row).objects.editable_by(user)) == edits


def test_history_and_opinions_are_never_editable(world):
    from advisors.models import ApplicationEvent, PrefectOpinion

    for role in ("manager_of_a", "anct_admin"):
        user = world["people"][role]
        assert not ApplicationEvent.objects.editable_by(user).exists()
        assert not PrefectOpinion.objects.editable_by(user).exists()


def test_a_prefect_sees_their_own_assignment_and_anct_sees_all(world):
    from advisors.models import PrefectAssignment

    prefect = world["people"]["prefect_of_oise"]
    assert list(PrefectAssignment.objects.visible_to(prefect)) == [prefect.prefect_assignment]
    assert not PrefectAssignment.objects.editable_by(prefect).exists()
    admin = world["people"]["anct_admin"]
    assert PrefectAssignment.objects.visible_to(admin).count() == 4
