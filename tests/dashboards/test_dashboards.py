"""Deployment dashboards (/tableau-de-bord/): figures against hand-computed expectations,
who may open what, the daily snapshots, the exports."""

import io
import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from academy.models import Attendance, Enrolment
from advisors.models import (
    Advisor,
    OpeningRange,
)
from dashboards import indicators
from dashboards.indicators import Territory
from dashboards.models import DailySnapshot, ExportJob
from dashboards.tasks import take_daily_snapshots
from territories.models import Department, Region
from tests import factories as site
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def period():
    return TODAY() - timedelta(days=365), TODAY()


# --- indicators ---------------------------------------------------------------------------------
def test_national_figures(data):
    figures = indicators.summary(Territory("national"), *period())
    assert figures["granted"] == 6
    assert figures["target"] == 4000 and figures["target_rate"] == 0.1  # 6 / 4000
    assert figures["recruited"] == 4  # A1, A2, A3, A5
    assert figures["in_training"] == 1  # A1
    assert figures["active"] == 2  # A1, A3
    assert figures["occupied"] == 4  # A1, A3, A4, A5
    assert figures["vacant"] == 2  # S1: 3 − 1
    assert figures["activation_rate"] == 33.3  # 2 / 6
    assert figures["ruptures"] == 1
    assert figures["population"] == 2_289_000
    assert figures["per_100000"] == round(2 * 100_000 / 2_289_000, 4)
    assert figures["small_communes_rate"] == 50.0  # A3 in Compiègne (3,000 inh.)
    assert figures["service_points"] == 1
    activity = figures["activity"]
    assert activity["totals"]["accompaniments"] == 3
    assert activity["totals"]["people"] == 6
    assert dict(activity["by_kind"]) == {"Accompagnement individuel": 1,
                                         "Atelier collectif": 1, "Demande ponctuelle": 1}
    assert dict(activity["by_channel"])["À distance"] == 1
    assert dict(activity["by_channel"])["Au lieu d'activité"] == 0
    themes = dict(activity["by_theme"])
    assert themes["Courriels"] == 2
    assert themes["Démarches en ligne"] == 1
    assert themes["Prendre en main un smartphone ou une tablette"] == 1
    assert themes["Santé"] == 0
    assert activity["by_theme"][0] == ("Courriels", 2)  # most frequent first
    assert dict(activity["by_age"]) == {"moins de 12 ans": 0, "12 à 18 ans": 2,
                                        "18 à 35 ans": 1, "35 à 60 ans": 1,
                                        "plus de 60 ans": 2, "âge non renseigné": 0}
    months = activity["by_month"]
    assert len(months) == 1 and months[0][1:] == (3, 6)


def test_period_filter_reaches_older_activity(data):
    start = TODAY() - timedelta(days=800)
    figures = indicators.activity(Territory("national"), start, TODAY())
    assert figures["totals"]["accompaniments"] == 4
    assert len(figures["by_month"]) == 2


def test_department_and_region_figures(data):
    oise = indicators.summary(Territory("department", data["oise"]), *period())
    assert (oise["granted"], oise["recruited"], oise["active"], oise["in_training"],
            oise["vacant"], oise["ruptures"]) == (5, 3, 2, 1, 2, 1)
    assert oise["population"] == 59_000
    assert oise["target"] is None
    assert oise["activity"]["totals"]["people"] == 4
    hdf = indicators.summary(Territory("region", data["hdf"]), *period())
    assert (hdf["granted"], hdf["recruited"], hdf["active"]) == (6, 4, 2)
    structure = indicators.summary(Territory("structure", data["s2"]), *period())
    assert (structure["granted"], structure["occupied"], structure["vacant"],
            structure["recruited"], structure["active"]) == (2, 2, 0, 1, 1)
    assert structure["population"] is None and structure["academy"] is None


def test_breakdown_by_region_and_department(data):
    rows = {row["code"]: row for row in indicators.breakdown(
        "region", Territory("national"), *period())}
    assert rows["32"]["granted"] == 6 and rows["32"]["active"] == 2
    assert rows["32"]["activation_rate"] == 33.3
    assert rows["11"]["granted"] == 0 and rows["11"]["population"] == 2_000_000
    departments = indicators.breakdown("department", Territory("region", data["hdf"]),
                                       *period())
    assert [row["code"] for row in departments] == ["59", "60"]
    nord, oise = departments
    assert (nord["granted"], nord["recruited"], nord["active"], nord["accompaniments"]) == (
        1, 1, 0, 1)
    assert (oise["granted"], oise["service_points"], oise["people"]) == (5, 1, 4)
    ordered, sort = indicators.sort_rows(departments, "-granted")
    assert sort == "-granted" and [row["code"] for row in ordered] == ["60", "59"]
    assert indicators.sort_rows(departments, "nonsense")[1] == ""


def test_academy_figures(data, communes):
    course = site.course()
    past = site.session(course, commune=communes["Beauvais"], days=-10)
    site.session(course, commune=communes["Lille"], days=-5)
    people = [make.user() for _ in range(3)]
    enrolments = [Enrolment.objects.create(session=past, user=person,
                                           status=Enrolment.Status.CONFIRMED)
                  for person in people[:2]]
    Enrolment.objects.create(session=past, user=people[2], status=Enrolment.Status.CANCELLED)
    day = past.start.date()
    for enrolment, status in zip(enrolments, ["present", "absent"], strict=True):
        for half in ("am", "pm"):
            Attendance.objects.create(enrolment=enrolment, day=day, period=half,
                                      status=status if half == "am" else "present")
    academy = indicators.academy(Territory("national"), *period())
    assert academy["sessions"] == 2
    assert academy["enrolments"] == 2
    assert academy["attendance_rate"] == 75.0  # 3 of 4 half-days
    by_code = {row["code"]: row for row in academy["by_department"]}
    assert by_code["60"]["sessions"] == 1 and by_code["60"]["enrolments"] == 2
    assert by_code["59"]["sessions"] == 1 and by_code["59"]["attendance_rate"] is None
    nord = indicators.academy(Territory("department", data["nord"]), *period())
    assert (nord["sessions"], nord["enrolments"]) == (1, 0)


# --- who sees what ------------------------------------------------------------------------------
def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_anonymous_is_sent_to_login(client, data):
    for url in [reverse("dashboards:national"), reverse("dashboards:department", args=["60"]),
                reverse("dashboards:structure", args=[data["s1"].pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/" in response["Location"]


def test_admin_opens_every_dashboard(client, admin, data):
    client.force_login(admin)
    for url in [reverse("dashboards:national"), reverse("dashboards:region", args=["32"]),
                reverse("dashboards:department", args=["75"]),
                reverse("dashboards:structure", args=[data["s3"].pk])]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("dashboards:index"))["Location"] == reverse(
        "dashboards:national")


def test_department_prefect_sees_only_their_department(client, data):
    prefect = make.prefect(department=data["oise"])
    client.force_login(prefect)
    assert client.get(reverse("dashboards:department", args=["60"])).status_code == 200
    assert client.get(reverse("dashboards:structure", args=[data["s1"].pk])).status_code == 200
    assert client.get(reverse("dashboards:index"))["Location"] == reverse(
        "dashboards:department", args=["60"])
    # Préfet of the Oise (60) asking for the Somme (80), the Nord, the région, the nation.
    somme = Department.objects.create(code="80", name="Somme", region=data["hdf"])
    assert client.get(reverse("dashboards:department", args=[somme.code])).status_code == 403
    assert client.get(reverse("dashboards:department", args=["59"])).status_code == 403
    assert client.get(reverse("dashboards:region", args=["32"])).status_code == 403
    assert client.get(reverse("dashboards:national")).status_code == 403
    assert client.get(reverse("dashboards:structure", args=[data["s3"].pk])).status_code == 403
    assert client.get(reverse("dashboards:table_export",
                              args=["department", "80", "activite", "csv"])).status_code == 403


def test_regional_prefect_sees_their_region_and_its_departments(client, data):
    prefect = make.prefect(region=data["hdf"])
    client.force_login(prefect)
    assert client.get(reverse("dashboards:region", args=["32"])).status_code == 200
    assert client.get(reverse("dashboards:department", args=["59"])).status_code == 200
    assert client.get(reverse("dashboards:department", args=["75"])).status_code == 403
    assert client.get(reverse("dashboards:region", args=["11"])).status_code == 403


def test_structure_manager_sees_only_their_structure(client, data):
    client.force_login(data["manager"])
    assert client.get(reverse("dashboards:structure", args=[data["s1"].pk])).status_code == 200
    assert client.get(reverse("dashboards:structure", args=[data["s2"].pk])).status_code == 403
    assert client.get(reverse("dashboards:department", args=["60"])).status_code == 403
    assert client.get(reverse("dashboards:national")).status_code == 403
    assert client.get(reverse("dashboards:index"))["Location"] == reverse(
        "dashboards:structure", args=[data["s1"].pk])


def test_someone_else_is_refused(client, data):
    # An advisor employed by the structure does not see its dashboard.
    employee = make.user()
    make.contract(data["s1"], make.advisor(account=employee))
    client.force_login(employee)
    assert client.get(reverse("dashboards:structure", args=[data["s1"].pk])).status_code == 403
    client.force_login(make.user())
    assert client.get(reverse("dashboards:index")).status_code == 403
    assert client.get(reverse("dashboards:department", args=["60"])).status_code == 403


def test_prefect_without_the_role_is_refused(client, data):
    client.force_login(make.prefect(department=data["oise"], with_role=False))
    assert client.get(reverse("dashboards:department", args=["60"])).status_code == 403


# --- pages --------------------------------------------------------------------------------------
def test_national_page_shows_figures_table_map_and_sorts(client, admin, data):
    client.force_login(admin)
    response = client.get(reverse("dashboards:national") + "?tri=-granted")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"6 sur un objectif de 4\s?000 \(0,1 %\)", html)
    assert 'aria-sort="descending"' in html
    rows = response.context["breakdown"]
    assert rows[0]["code"] == "32"
    assert response.context["map"] is not None
    assert "Oise (60) : 2 conseillers en poste" in html
    assert {row["code"]: row["active"] for row in response.context["map"]["rows"]} == {
        "59": 0, "60": 2, "75": 0}


def test_department_page_lists_its_structures(client, data):
    client.force_login(make.prefect(department=data["oise"]))
    response = client.get(reverse("dashboards:department", args=["60"]))
    rows = {row["name"]: row for row in response.context["structures"]}
    assert set(rows) == {data["s1"].name, data["s2"].name}
    assert (rows[data["s1"].name]["granted_posts"], rows[data["s1"].name]["vacant_posts"]) == (
        3, 2)


def test_period_filter_on_the_page(client, admin, data):
    client.force_login(admin)
    start = TODAY() - timedelta(days=800)
    response = client.get(reverse("dashboards:national"),
                          {"du": start.isoformat(), "au": TODAY().isoformat()})
    assert response.context["activity"]["totals"]["accompaniments"] == 4
    response = client.get(reverse("dashboards:national"), {"du": "2025-05-01",
                                                           "au": "2025-01-01"})
    assert response.status_code == 200 and response.context["form"].errors


# 35 today, nothing cached yet: session, user, scope, ~15 aggregates, 6 + 6 grouped, rollups,
# history.
MAX_QUERIES = 36


def test_national_page_query_count_does_not_grow(client, admin, data, communes,
                                                django_assert_max_num_queries):
    client.force_login(admin)
    client.get(reverse("dashboards:national"))  # warm caches (site, session)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("dashboards:national")).status_code == 200
    # Ten times more data: the same bound.
    s1 = data["s1"]
    for _ in range(10):
        advisor = make.advisor()
        make.contract(s1, advisor)
        make.activity_report(advisor, communes["Beauvais"], s1)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("dashboards:national")).status_code == 200


def test_department_page_first_view_reads_as_many_queries_with_more_structures(
        client, data, communes):
    """The structures table and the vacant posts are one query over the département's
    structures: ten more structures, with posts, contracts and a vacancy, add none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards.cache import VERSION

    client.force_login(make.prefect(department=data["oise"]))
    url = reverse("dashboards:department", args=["60"])
    client.get(url)  # sessions, site, templates

    def cold_queries():
        VERSION.renew()  # as after a change: every figure computed again
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response

    cold_queries()  # whatever a first computation reads once (navigation, versions)
    before, _response = cold_queries()
    for n in range(10):
        structure = make.validated_structure(communes["Compiègne"], posts=2,
                                             name=f"Structure {n}")
        make.contract(structure, make.advisor())
    count, response = cold_queries()
    assert count == before
    assert len(response.context["structures"]) == 12
    vacant = response.content.decode().split('id="postes-vacants"')[1].split("</table>")[0]
    assert "Structure 9" in vacant


def active_advisors_shown(response):
    return re.search(r"Conseillers en poste</th><td>(\d+)</td>", response.content.decode())[1]


def accompaniments_shown(response):
    return re.search(r"personnes accompagnées en <strong>(\d+)</strong>",
                     response.content.decode())[1]


def test_a_computed_dashboard_is_read_back_with_few_queries(client, admin, data,
                                                            django_assert_max_num_queries):
    client.force_login(admin)
    client.get(reverse("dashboards:national"))  # computes and renders the figures once
    # Session, user, scope, MFA check, navigation: no figure is computed again.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("dashboards:national"))
    assert active_advisors_shown(response) == "2"


def test_the_page_shows_a_new_report_and_a_new_contract_at_once(
        client, admin, data, communes, django_capture_on_commit_callbacks):
    client.force_login(admin)
    page = reverse("dashboards:national")
    advisor = Advisor.objects.filter(contracts__structure=data["s1"]).first()
    before = client.get(page)
    with django_capture_on_commit_callbacks(execute=True):
        make.activity_report(advisor, communes["Beauvais"], data["s1"])
    after_report = client.get(page)
    assert int(accompaniments_shown(after_report)) == int(accompaniments_shown(before)) + 1
    assert active_advisors_shown(after_report) == "2"
    with django_capture_on_commit_callbacks(execute=True):
        make.contract(data["s3"], make.advisor())  # Lille: a new advisor starts today
    assert active_advisors_shown(client.get(page)) == "3"


def test_a_change_shows_at_once_despite_the_cache(data, communes,
                                                  django_capture_on_commit_callbacks):
    national = Territory("national")
    before = indicators.summary(national, *period())
    assert (before["recruited"], before["active"], before["service_points"]) == (4, 2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        make.contract(data["s3"], make.advisor())  # Lille: a new advisor starts today
        point = make.service_point(data["s2"])
        OpeningRange.objects.create(service_point=point, weekday=2, period="am",
                                    opens=time(9), closes=time(12))
    after = indicators.summary(national, *period())
    assert (after["recruited"], after["active"], after["service_points"]) == (5, 3, 2)
    rows = {row["code"]: row for row in indicators.breakdown("region", national, *period())}
    assert rows["32"]["active"] == 3
    assert {row["code"]: row["active"] for row in indicators.map_rows(national)}["59"] == 1


def test_new_hours_show_at_once(data, communes):
    from advisors.services.places import set_opening_hours

    national = Territory("national")
    assert indicators.summary(national, *period())["service_points"] == 1
    s2_point = data["s2"].service_points.get()
    set_opening_hours(s2_point, [(0, "am", "09:00", "12:00")], make.admin())
    assert indicators.summary(national, *period())["service_points"] == 2


# --- snapshots ----------------------------------------------------------------------------------
def test_daily_snapshots_are_idempotent(data, communes):
    take_daily_snapshots()
    assert DailySnapshot.objects.count() == Department.objects.count() == 3
    oise = DailySnapshot.objects.get(department=data["oise"], date=TODAY())
    assert (oise.granted_posts, oise.recruited, oise.active, oise.ruptures,
            oise.accompaniments) == (5, 3, 2, 1, 3)
    make.contract(data["s1"], make.advisor())
    take_daily_snapshots()
    assert DailySnapshot.objects.count() == 3
    oise.refresh_from_db()
    assert oise.active == 3


def test_history_shows_the_last_snapshot_of_each_month(client, admin, data):
    today = TODAY()
    earlier = today.replace(day=1) - timedelta(days=20)
    take_daily_snapshots(earlier.isoformat())
    take_daily_snapshots((earlier + timedelta(days=1)).isoformat())
    take_daily_snapshots()
    history = indicators.history(Territory("region", data["hdf"]), on=today)
    assert [row["date"] for row in history] == [earlier + timedelta(days=1), today]
    assert history[-1]["granted_posts"] == 6
    client.force_login(admin)
    response = client.get(reverse("dashboards:national"))
    assert len(response.context["history"]) == 2
    assert response.context["history_chart"]["series"][0]["label"] == "Postes accordés"


# --- exports ------------------------------------------------------------------------------------
def test_table_exports_csv_and_xlsx(client, admin, data):
    client.force_login(admin)
    response = client.get(reverse("dashboards:table_export",
                                  args=["national", "france", "repartition", "csv"]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Territoire;Postes accordés")
    assert "Hauts-de-France;6;4;2" in text
    response = client.get(reverse("dashboards:table_export",
                                  args=["region", "32", "activite", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert ["Type", "Atelier collectif", 1] in [list(row) for row in
                                                sheet.iter_rows(values_only=True)]


def test_large_export_job(client, django_capture_on_commit_callbacks, data):
    prefect = make.prefect(region=data["hdf"])
    client.force_login(prefect)
    start = TODAY() - timedelta(days=800)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:export_request", args=["region", "32"]),
                               {"du": start.isoformat(), "au": TODAY().isoformat()})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("dashboards:export_job", args=[job.pk])
    assert (job.status, job.progress, job.requester) == ("done", 100, prefect)
    assert job.pk.hex in job.file.name  # not guessable
    status = client.get(reverse("dashboards:export_status", args=[job.pk])).json()
    assert status["progress"] == 100 and status["download_url"]
    assert client.get(reverse("dashboards:export_job", args=[job.pk])).status_code == 200
    download = client.get(status["download_url"])
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Date" and len(rows) == 1 + 4  # HDF's four reports
    # Running the task again leaves the finished job as it is.
    from dashboards.tasks import build_export

    assert build_export(str(job.pk)) == "done"
    assert ExportJob.objects.count() == 1
    # Nobody else may download it, not even an ANCT administrator.
    other = make.admin()
    client.force_login(other)
    assert client.get(status["download_url"]).status_code == 404
    assert client.get(reverse("dashboards:export_status", args=[job.pk])).status_code == 404


def test_export_request_is_scoped(client, data):
    client.force_login(make.prefect(department=data["oise"]))
    response = client.post(reverse("dashboards:export_request", args=["region", "32"]))
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_region_code_unknown_is_404(client, admin, data):
    client.force_login(admin)
    assert client.get(reverse("dashboards:region", args=["99"])).status_code == 404
    assert Region.objects.filter(code="99").count() == 0


def test_the_academy_csv_writes_rates_with_a_decimal_comma_for_french_spreadsheets(
        client, admin, data, communes):
    course = site.course()
    past = site.session(course, commune=communes["Beauvais"], days=-10)
    enrolment = Enrolment.objects.create(session=past, user=make.user(),
                                         status=Enrolment.Status.CONFIRMED)
    for half, status in (("am", "present"), ("pm", "absent")):
        Attendance.objects.create(enrolment=enrolment, day=past.start.date(), period=half,
                                  status=status)
    client.force_login(admin)
    response = client.get(reverse("dashboards:table_export",
                                  args=["national", "france", "academie", "csv"]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Département;Sessions;Inscriptions;Taux de présence (%)"
    assert "Oise (60);1;1;50,0" in lines


def test_department_page_links_and_posts_written_once_per_row(client, data):
    """The structures' links and posts cells are prepared in the view (one reverse(), no
    number formatting per row): the same HTML as {% url %} and the integers."""
    client.force_login(make.prefect(department=data["oise"]))
    response = client.get(reverse("dashboards:department", args=["60"]))
    html = response.content.decode()
    s1 = data["s1"]
    row = next(r for r in response.context["structures"] if r["pk"] == s1.pk)
    assert f'<a href="{reverse("dashboards:structure", args=[s1.pk])}">{s1.name}</a>' in html
    assert (f"<td>{row['granted_posts']}</td><td>{row['occupied_posts']}</td>"
            f"<td>{row['vacant_posts']}</td>") in html
