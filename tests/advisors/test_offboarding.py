"""The end of an advisor's contract: the day after their last day (or from a rupture's
date), the public directory and open data no longer name them, their places stay with a
colleague under contract or leave the public lists, they no longer reach the structure's
data, their reports stay counted; a new contract gives everything back."""

import csv
import datetime
import io
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from advisors import rollups, services, tasks
from advisors.models import ActivityReport, Contract, OpeningRange, ServicePoint, Structure
from core.cache_versions import forget_local_versions
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db


@contextmanager
def days_later(days):
    """The clock moved forward: ``timezone.localdate()`` is that many days ahead (the live
    code reads the date through ``django.utils.timezone.now``)."""
    moved = timezone.now() + datetime.timedelta(days=days)
    with mock.patch("django.utils.timezone.now", return_value=moved):
        forget_local_versions()
        yield timezone.localdate(moved)


def run_daily_job(capture):
    with capture(execute=True):
        return tasks.apply_contract_ends.delay().get()


@pytest.fixture
def team(structure, communes):
    """Inès, whose fixed-term contract ends today, and Hugo (CDI) at the same structure;
    they share the Médiathèque, Inès alone staffs the Maison de quartier."""
    today = timezone.localdate()
    ines = make.advisor(account=make.user(email="ines@conseiller-numerique.fr"),
                        first_name="Inès", last_name="Garnier",
                        email="ines@conseiller-numerique.fr")
    contract = make.contract(structure, ines, start=today - datetime.timedelta(days=300),
                             end=today)
    hugo = make.advisor(first_name="Hugo", last_name="Petit")
    make.contract(structure, hugo, kind=Contract.Kind.CDI)
    shared = make.service_point(structure, [ines, hugo], name="Médiathèque du Quadrilatère",
                                commune=communes["Beauvais"])
    alone = make.service_point(structure, [ines], name="Maison de quartier Saint-Jean",
                               commune=communes["Beauvais"])
    return {"ines": ines, "hugo": hugo, "contract": contract, "shared": shared,
            "alone": alone}


def directory(client):
    response = client.get(reverse("directory:search"))
    assert response.status_code == 200
    return response.content.decode()


def point_page(client, point):
    return client.get(reverse("directory:service_point", args=[point.pk]))


def open_data_names(client):
    response = client.get(reverse("opendata:download",
                                  args=["lieux-mediation-numerique", "csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return body, {row["nom"] for row in csv.DictReader(io.StringIO(body))}


def api_names(client):
    response = client.get("/api/v1/lieux")
    assert response.status_code == 200, response.content
    return {item["nom"] for item in response.json()["items"]}


def test_the_day_after_the_last_day_the_advisor_leaves_directory_and_open_data(
        client, team, django_capture_on_commit_callbacks):
    # Today, Inès's last day: named on the shared place, both places listed.
    assert "Inès" in point_page(client, team["shared"]).content.decode()
    assert "Maison de quartier Saint-Jean" in directory(client)
    _, names = open_data_names(client)
    assert names == {"Médiathèque du Quadrilatère", "Maison de quartier Saint-Jean"}
    assert api_names(client) == names

    with days_later(1):
        summary = run_daily_job(django_capture_on_commit_callbacks)
        assert summary["advisors_offboarded"] == 1 and summary["places_unpublished"] == 1

        # The shared place stays, with Hugo only; the place Inès staffed alone is gone.
        page = point_page(client, team["shared"]).content.decode()
        assert "Hugo" in page and "Inès" not in page and "Garnier" not in page
        html = directory(client)
        assert "Médiathèque du Quadrilatère" in html
        assert "Maison de quartier Saint-Jean" not in html
        assert point_page(client, team["alone"]).status_code == 404
        body, names = open_data_names(client)
        assert names == {"Médiathèque du Quadrilatère"}
        assert "Garnier" not in body and "ines@" not in body
        assert api_names(client) == {"Médiathèque du Quadrilatère"}

        # Running the job again changes nothing more (it reports the same day).
        assert run_daily_job(django_capture_on_commit_callbacks) == summary
        assert "Maison de quartier Saint-Jean" not in directory(client)


def test_kept_directory_pages_and_api_answers_are_renewed_by_the_daily_job(
        client, team, django_capture_on_commit_callbacks):
    assert "Maison de quartier Saint-Jean" in directory(client)  # kept for anonymous visitors
    assert "Maison de quartier Saint-Jean" in api_names(client)  # kept answer
    with days_later(1):
        run_daily_job(django_capture_on_commit_callbacks)
        assert "Maison de quartier Saint-Jean" not in directory(client)
        response = client.get("/api/v1/lieux")
        assert response["X-Api-Cache"] == "miss"
        assert "Maison de quartier Saint-Jean" not in {i["nom"] for i in response.json()["items"]}


def test_a_validated_rupture_takes_effect_at_once(client, admin, manager, team,
                                                  django_capture_on_commit_callbacks):
    hugo_contract = Contract.objects.get(advisor=team["hugo"])
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_rupture(hugo_contract, manager, reason="resignation", date=today)
        services.validate_rupture(hugo_contract, admin)
    page = point_page(client, team["shared"]).content.decode()
    assert "Hugo" not in page and "Inès" in page
    assert team["hugo"] not in team["shared"].current_advisors()


def test_the_open_data_count_of_active_advisors_drops(client, team):
    def active_count():
        response = client.get(reverse("opendata:download", args=["structures", "csv"]))
        body = b"".join(response.streaming_content).decode()
        return [row["conseillers_actifs"] for row in csv.DictReader(io.StringIO(body))]

    assert active_count() == ["2"]
    with days_later(1):
        assert active_count() == ["1"]


def test_an_advisor_without_a_contract_no_longer_reaches_the_structure(client, team):
    ines, structure = team["ines"], team["shared"].structure
    client.force_login(ines.user)
    structure_url = reverse("advisors:structure", args=[structure.pk])
    place_url = reverse("advisors:place", args=[team["shared"].pk])
    assert client.get(structure_url).status_code == 200
    assert client.get(place_url).status_code == 200
    with days_later(1):
        client.force_login(ines.user)  # a new day's session
        assert client.get(structure_url).status_code in (403, 404)
        assert client.get(place_url).status_code in (403, 404)
        places = client.get(reverse("advisors:places")).content.decode()
        assert "Médiathèque du Quadrilatère" not in places
        assert not Structure.objects.visible_to(ines.user).exists()
        assert not ServicePoint.objects.visible_to(ines.user).exists()
        assert not ServicePoint.objects.editable_by(ines.user).exists()
        # Her own contracts stay hers to read.
        assert Contract.objects.visible_to(ines.user).count() == 1


def test_the_reports_of_a_departed_advisor_stay_counted(manager, team, communes):
    ines = team["ines"]
    report = make.activity_report(ines, communes["Beauvais"], structure=team["shared"].structure,
                                  service_point=team["shared"])
    everywhere = Q()
    day = report.date
    before = rollups.totals(everywhere, day, day)["accompaniments"]
    assert before >= 1
    with days_later(1):
        tasks.apply_contract_ends()
        assert rollups.totals(everywhere, day, day)["accompaniments"] == before
        assert ActivityReport.objects.visible_to(manager).filter(pk=report.pk).exists()
        assert ActivityReport.objects.visible_to(ines.user).filter(pk=report.pk).exists()


def test_a_returning_advisor_gets_everything_back(client, team,
                                                  django_capture_on_commit_callbacks):
    ines = team["ines"]
    structure = team["shared"].structure
    with days_later(1) as tomorrow:
        run_daily_job(django_capture_on_commit_callbacks)
        assert point_page(client, team["alone"]).status_code == 404
        make.contract(structure, ines, start=tomorrow, kind=Contract.Kind.CDI)
        forget_local_versions()
        assert "Inès" in point_page(client, team["shared"]).content.decode()
        assert point_page(client, team["alone"]).status_code == 200
        _, names = open_data_names(client)
        assert "Maison de quartier Saint-Jean" in names
        client.force_login(ines.user)
        assert client.get(reverse("advisors:structure", args=[structure.pk])).status_code == 200
        assert ServicePoint.objects.editable_by(ines.user).count() == 2


def test_a_colleague_listed_at_the_place_puts_it_back(client, manager, team, structure):
    with days_later(1):
        assert point_page(client, team["alone"]).status_code == 404
        services.set_service_point_advisors(team["alone"], [team["hugo"]], manager)
        forget_local_versions()
        page = point_page(client, team["alone"])
        assert page.status_code == 200 and "Hugo" in page.content.decode()


def test_an_advisor_at_another_structure_does_not_staff_the_old_places(team, communes):
    other = make.validated_structure(communes["Compiègne"], posts=1)
    with days_later(1) as tomorrow:
        make.contract(other, team["ines"], start=tomorrow, kind=Contract.Kind.CDI)
        assert team["alone"] not in ServicePoint.objects.public()
        assert team["ines"] not in team["shared"].current_advisors()
        assert Structure.objects.visible_to(team["ines"].user).get() == other


def test_a_place_nobody_was_ever_listed_at_stays_as_its_managers_set_it(structure):
    unstaffed = make.service_point(structure, name="Point d'accueil")
    hidden = make.service_point(structure, name="Bureau", is_public=False)
    public = ServicePoint.objects.public()
    assert unstaffed in public and hidden not in public


def test_the_manager_is_told_why_a_place_left_the_directory(client, manager, team):
    with days_later(1):
        client.force_login(manager)
        listing = client.get(reverse("advisors:places")).content.decode()
        assert listing.count("hors de l'annuaire") == 1  # the Maison de quartier only
        page = client.get(reverse("advisors:place", args=[team["alone"].pk])).content.decode()
        assert "n'apparaît plus dans l'annuaire" in page
        shared = client.get(reverse("advisors:place", args=[team["shared"].pk]))
        assert "n'apparaît plus dans l'annuaire" not in shared.content.decode()


def test_the_personal_calendar_drops_the_places_when_the_contract_ends(team):
    from advisors.calendar import personal_source

    OpeningRange.objects.create(service_point=team["shared"], weekday=0, period="am",
                                opens=datetime.time(9), closes=datetime.time(12))
    user = team["ines"].user
    assert len(personal_source.events(user)) > 0
    with days_later(1):
        assert personal_source.events(user) == []


def test_the_open_data_file_is_dated_by_the_day_a_place_left_it(team):
    from opendata.exports import ServicePointsExport

    with days_later(1) as tomorrow:
        latest = timezone.localtime(ServicePointsExport().last_update())
        assert latest.date() == tomorrow and latest.hour == 0
