"""`seed_demo`'s Conseillers numériques part gives a believable deployment, valid by the
models' own rules, and a second run adds nothing. (The courses part is slow to build and
has nothing to do with it: these tests run the accounts and deployment steps only.)"""

import pytest

from advisors.models import (
    ActivityReport,
    Advisor,
    Application,
    Contract,
    PrefectAssignment,
    ServicePoint,
    Structure,
)
from demo.accounts import create_demo_accounts
from demo.advisors import STRUCTURES, create_demo_deployment
from territories.models import Commune, Department, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def geography():
    region = Region.objects.create(code="99", name="Région de test")
    for code in {row[0] for row in STRUCTURES}:
        department = Department.objects.create(code=code, name=f"Département {code}",
                                               region=region)
        for n in range(4):
            Commune.objects.create(insee_code=f"{code}{n:0{5 - len(code)}d}",
                                   name=f"Commune {code}-{n}", department=department,
                                   population=10000 - n)


def seed():
    create_demo_accounts()
    return create_demo_deployment()


def test_demo_deployment_covers_every_status_and_role(geography):
    counts = seed()
    assert counts["structures"] == 12 and counts["advisors"] > 10
    assert set(Application.objects.values_list("status", flat=True)) == set(
        Application.Status.values)
    manager_structure = Structure.objects.get(managers__email="structure@demo.anct.fr")
    assert manager_structure.applications.filter(
        kind=Application.Kind.ADVISOR).get().status == Application.Status.VALIDATED
    advisor = Advisor.objects.get(user__email="conseiller@demo.anct.fr")
    assert advisor.service_points.exists()
    assert advisor.activity_reports.count() == 40
    coordinator = Advisor.objects.get(user__email="coordinateur@demo.anct.fr")
    # The coordinator's scope comes from their structure's granted coordinator post (the
    # Oise), not from imported links.
    assert not coordinator.coordinated.exists()
    post = manager_structure.applications.get(kind=Application.Kind.COORDINATOR)
    assert post.status == Application.Status.VALIDATED and post.opinion
    assert post.coordinator_contract.advisor == coordinator
    assert list(Advisor.objects.coordinated_by(coordinator.user)) == [advisor]
    assert PrefectAssignment.objects.get(user__email="prefet@demo.anct.fr").department.code == "60"
    assert Contract.objects.filter(rupture_status=Contract.Rupture.VALIDATED).exists()
    assert ServicePoint.objects.filter(closures__isnull=False).exists()


def test_demo_rows_pass_the_models_validation(geography):
    seed()
    for model in (Structure, Application, Advisor, Contract, ServicePoint, ActivityReport):
        for row in model.objects.all():
            row.full_clean()


def test_a_second_run_adds_nothing(geography):
    seed()
    before = (Structure.objects.count(), ActivityReport.objects.count())
    assert seed() is None
    assert (Structure.objects.count(), ActivityReport.objects.count()) == before
