"""Vacant posts on the dashboards: a post granted to a structure that no advisor under
contract holds, shown with the day since when ("vacant depuis le …")."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from advisors import tasks
from advisors.models import Application, Contract
from calendars.dates import long_date
from core.cache_versions import forget_local_versions
from dashboards.indicators import Territory
from dashboards.indicators.vacancies import vacancies
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def granted_on(structure, day):
    Application.objects.filter(structure=structure).update(decided_on=day)


@pytest.fixture
def oise(communes, manager):
    """Beauvais: 2 posts granted 200 days ago, Inès left 20 days ago, Hugo in post.
    Compiègne: 1 post granted 50 days ago, never filled. Another Beauvais structure: its
    one post filled."""
    today = timezone.localdate()
    beauvais = make.validated_structure(communes["Beauvais"], posts=2, manager=manager,
                                        name="Mairie de Beauvais")
    granted_on(beauvais, today - 200 * DAY)
    make.contract(beauvais, make.advisor(first_name="Inès"), start=today - 190 * DAY,
                  end=today - 20 * DAY)
    make.contract(beauvais, make.advisor(first_name="Hugo"), kind=Contract.Kind.CDI,
                  start=today - 190 * DAY)
    compiegne = make.validated_structure(communes["Compiègne"], posts=1,
                                         name="CCAS de Compiègne")
    granted_on(compiegne, today - 50 * DAY)
    full = make.validated_structure(communes["Beauvais"], posts=1, name="Centre social")
    make.contract(full, make.advisor(), kind=Contract.Kind.CDI)
    return {"beauvais": beauvais, "compiegne": compiegne, "full": full, "today": today}


def test_a_post_is_vacant_since_the_day_after_the_last_contract_or_since_its_grant(oise):
    today = oise["today"]
    rows = vacancies(Territory("department", oise["beauvais"].commune.department))
    assert [(row.name, row.vacant, row.since) for row in rows] == [
        ("CCAS de Compiègne", 1, today - 50 * DAY),  # never filled: since its grant
        ("Mairie de Beauvais", 1, today - 19 * DAY),  # the day after Inès's last day
    ]


def test_the_structure_dashboard_says_since_when_a_post_is_vacant(client, oise):
    client.force_login(oise["beauvais"].managers.get())
    page = client.get(reverse("dashboards:structure", args=[oise["beauvais"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 poste vacant sur 2 accordés" in text
    assert f"vacant depuis le {long_date(oise['today'] - 19 * DAY)}" in text


def test_the_department_dashboard_lists_the_vacant_posts_longest_first(client, oise):
    prefect = make.prefect(department=oise["beauvais"].commune.department)
    client.force_login(prefect)
    text = client.get(reverse("dashboards:department", args=["60"])).content.decode()
    table = text.split('id="postes-vacants"')[1].split("</table>")[0]
    assert table.index("CCAS de Compiègne") < table.index("Mairie de Beauvais")
    assert "Centre social" not in table
    assert f"vacant depuis le {long_date(oise['today'] - 50 * DAY)}" in table


def test_a_contract_ending_makes_its_post_vacant_the_next_day(client, oise,
                                                              django_capture_on_commit_callbacks):
    full = oise["full"]
    contract = full.contracts.get()
    contract.kind, contract.end = Contract.Kind.CDD, oise["today"]
    contract.save()
    client.force_login(make.prefect(department=full.commune.department))
    url = reverse("dashboards:department", args=["60"])
    assert "Centre social" not in client.get(url).content.decode().split(
        'id="postes-vacants"')[1].split("</table>")[0]
    tomorrow = timezone.now() + DAY
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        forget_local_versions()
        with django_capture_on_commit_callbacks(execute=True):
            tasks.apply_contract_ends()
        client.force_login(make.prefect(department=full.commune.department,
                                        with_role=True))
        table = client.get(url).content.decode().split('id="postes-vacants"')[1]
        assert "Centre social" in table.split("</table>")[0]
        assert f"vacant depuis le {long_date(timezone.localdate(tomorrow))}" in table


def test_a_post_is_vacant_since_a_rupture_or_since_posts_were_added(oise, communes):
    """The other two kinds of day a post becomes vacant: an effective rupture (that day)
    and an amendment adding posts (the day it was decided, in Paris time)."""
    from advisors.models import Amendment

    today = oise["today"]
    hugo = oise["beauvais"].contracts.get(advisor__first_name="Hugo")
    hugo.rupture_status, hugo.rupture_date = Contract.Rupture.VALIDATED, today - 5 * DAY
    hugo.rupture_reason = Contract.RuptureReason.RESIGNATION
    hugo.save()
    full = oise["full"]
    granted_on(full, today - 300 * DAY)
    Amendment.objects.create(
        convention=make.convention(full), kind=Amendment.Kind.ADD, posts=2,
        reason="Deux postes de plus.", status=Amendment.Status.VALIDATED,
        decided_at=timezone.now() - 3 * DAY)
    rows = vacancies(Territory("department", full.commune.department))
    assert [(row.name, row.granted, row.vacant, row.since) for row in rows] == [
        ("CCAS de Compiègne", 1, 1, today - 50 * DAY),
        ("Mairie de Beauvais", 2, 2, today - 5 * DAY),  # Hugo's rupture
        ("Centre social", 3, 2, timezone.localdate(timezone.now() - 3 * DAY)),
    ]
