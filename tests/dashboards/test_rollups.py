"""The dashboards' rollups (``dashboards/rollups.py``) against the figures counted from the
records themselves, as the dashboards computed them before the rollups: after each kind of
write (enrolment, cancellation, attendance marked and unmarked, DIF request, session
cancelled or moved; contract started, ended or ruptured, posts granted, advisor listed,
service point opened or closed, structure or commune changed), for every level and on days
before, on and after today. A rebuild gives the same rows; moving the totals' day changes no
figure."""

from datetime import time, timedelta

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from academy import services as academy_services
from academy.models import Attendance, Enrolment, Session
from academy.models.funding import DifFunding
from advisors.models import Amendment, Contract, OpeningRange
from dashboards import indicators, rollups
from dashboards.indicators import Territory
from dashboards.indicators.academy_sessions import sessions_held
from dashboards.indicators.base import _prefixed, _ratio
from dashboards.indicators.deployment import (
    advisors,
    population,
    posts,
    service_points,
    structures_with_posts,
)
from dashboards.models import DeploymentChange, DeploymentTotal, RecruitedAdvisor, SessionTotals
from tests import factories as site
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- the figures counted from the records (the dashboards' former queries) ---------------------
def counted_academy(territory, start, end):
    held = sessions_held(territory, start, end)
    sessions = Session.objects.filter(held)
    enrolments = Enrolment.objects.filter(_prefixed(held, "session"),
                                          status=Enrolment.Status.CONFIRMED)
    marks = Attendance.objects.filter(_prefixed(held, "enrolment__session"))
    funding = DifFunding.objects.asked().filter(_prefixed(held, "enrolment__session"))
    totals = {"sessions": sessions.count(), "enrolments": enrolments.count(),
              **marks.aggregate(present=Count("pk", filter=Q(status="present")),
                                marked=Count("pk")),
              **{status: funding.filter(status=status).count()
                 for status in ("requested", "granted", "refused")}}
    totals["asked"] = funding.count()
    totals["attendance_rate"] = _ratio(totals["present"], totals["marked"])
    by_department = {}
    for path, rows, counts in [
            ("", sessions, {"sessions": Count("pk")}),
            ("session__", enrolments, {"enrolments": Count("pk")}),
            ("enrolment__session__", marks, {"present": Count("pk", filter=Q(status="present")),
                                             "marked": Count("pk")})]:
        for row in (rows.filter(**{f"{path}commune__isnull": False}).order_by()
                    .values(code=F(f"{path}commune__department__code")).annotate(**counts)):
            by_department.setdefault(row.pop("code"), {}).update(row)
    return totals, by_department


def counted_deployment(territory, on):
    return {**posts(territory, on), **advisors(territory, on),
            "population": population(territory),
            "service_points": service_points(territory, on)}


def territories(data):
    return [Territory("national"), Territory("region", data["hdf"]),
            Territory("department", data["oise"]), Territory("department", data["nord"])]


def days_around():
    today = TODAY()
    return [today - timedelta(days=400), today - timedelta(days=11), today - timedelta(days=1),
            today, today + timedelta(days=1), today + timedelta(days=30),
            today + timedelta(days=800)]


def assert_same(data):
    """Every figure read from the rollups equals the one counted from the records."""
    __tracebackhide__ = True
    start, end = TODAY() - timedelta(days=365), TODAY() + timedelta(days=365)
    for territory in territories(data):
        totals, by_department = counted_academy(territory, start, end)
        academy = indicators.academy(territory, start, end)
        dif = indicators.dif(territory, start, end)
        for name in ("sessions", "enrolments", "present", "marked", "attendance_rate"):
            assert academy[name] == totals[name], (territory, name)
        for name in ("asked", "requested", "granted", "refused"):
            assert dif[name] == totals[name], (territory, name)
        assert {row["code"]: {name: row[name] for name in ("sessions", "enrolments",
                                                            "present", "marked")}
                for row in academy["by_department"]} == {
            code: {name: row.get(name, 0) for name in ("sessions", "enrolments", "present",
                                                        "marked")}
            for code, row in by_department.items()}
        for on in days_around():
            expected = counted_deployment(territory, on)
            found = rollups.deployment_totals(territory.departments("department"), on)
            assert {name: found[name] for name in expected} == expected, (territory, on)
    # Broken down by département, as the tables and the map read them.
    national = Territory("national")
    for on in days_around():
        grouped = rollups.deployment_grouped(Q(), on, "department_id")
        for department in (data["oise"], data["nord"]):
            expected = counted_deployment(Territory("department", department), on)
            assert {name: grouped[department.pk][name] for name in expected} == expected
    assert indicators.breakdown("department", national, start, end)


def figures_after_rebuild(data):
    """The rows rebuilt from scratch equal the rows kept write after write."""
    def rows():
        return (sorted(SessionTotals.objects.values_list(
                    "session_id", *rollups.SESSION_FIELDS)),
                sorted(DeploymentTotal.objects.values_list("department_id",
                                                           *rollups.DEPLOYMENT_FIELDS)),
                sorted(DeploymentChange.objects.values_list("department_id", "day",
                                                            *rollups.COUNTED)),
                sorted(RecruitedAdvisor.objects.values_list("department_id", "advisor_id")))

    kept = rows()
    rollups.rebuild()
    rebuilt = rows()
    # A session without any row yet is counted as zeros: the same figures.
    kept_sessions = {row[0]: row for row in kept[0]}
    rebuilt_sessions = {row[0]: row for row in rebuilt[0] if any(row[1:]) or row[0] in
                        kept_sessions}
    assert {pk: row for pk, row in kept_sessions.items() if any(row[1:])} == {
        pk: row for pk, row in rebuilt_sessions.items() if any(row[1:])}
    assert kept[1:] == rebuilt[1:]


# --- academy ----------------------------------------------------------------------------------
@pytest.fixture
def sessions(data, communes):
    course = site.course()
    return {"beauvais": site.session(course, commune=communes["Beauvais"], days=-10),
            "lille": site.session(course, commune=communes["Lille"], days=-5, capacity=2),
            "remote": site.session(course, commune=None, days=-3),
            "later": site.session(course, commune=communes["Paris"], days=20)}


def test_enrolments_marks_and_dif_requests(data, communes, sessions):
    assert_same(data)
    people = [make.user() for _ in range(4)]
    beauvais, lille = sessions["beauvais"], sessions["lille"]
    enrolments = [Enrolment.objects.create(session=beauvais, user=person,
                                           status=Enrolment.Status.CONFIRMED)
                  for person in people[:3]]
    Enrolment.objects.create(session=beauvais, user=people[3],
                             status=Enrolment.Status.WAITLISTED)
    Enrolment.objects.create(session=sessions["remote"], user=people[0],
                             status=Enrolment.Status.CONFIRMED)
    assert_same(data)
    day = timezone.localtime(beauvais.start).date()
    marks = [Attendance.objects.create(enrolment=enrolment, day=day, period=half,
                                       status="present" if n else "absent")
             for n, enrolment in enumerate(enrolments) for half in ("am", "pm")]
    assert_same(data)
    marks[0].status = "present"  # corrected
    marks[0].save()
    marks[2].delete()  # unmarked
    assert_same(data)
    enrolments[1].status = Enrolment.Status.CANCELLED
    enrolments[1].save(update_fields=["status"])
    assert_same(data)
    funding = DifFunding.objects.create(enrolment=enrolments[0], status="requested",
                                        requested_on=TODAY())
    DifFunding.objects.create(enrolment=enrolments[2], status="granted",
                              requested_on=TODAY(), decided_at=timezone.now())
    assert_same(data)
    funding.status, funding.decided_at = "refused", timezone.now()
    funding.save()
    assert_same(data)
    assert indicators.dif(Territory("national"), TODAY() - timedelta(days=365), TODAY())[
        "refused"] == 1
    # Through the service: enrolled, then cancelled (the waiting list moves up).
    staff = make.admin()
    soon = site.session(lille.course, commune=communes["Lille"], days=10, capacity=2)
    enrolment = academy_services.enrol(soon.pk, people[1], by_staff=staff)
    academy_services.enrol(soon.pk, people[2], by_staff=staff)
    academy_services.enrol(soon.pk, people[3], by_staff=staff)  # full: waiting list
    assert_same(data)
    academy_services.cancel(enrolment.pk, people[1])
    assert_same(data)
    figures_after_rebuild(data)
    assert_same(data)


def test_a_session_cancelled_or_moved_to_another_department(data, communes, sessions):
    beauvais = sessions["beauvais"]
    people = [make.user() for _ in range(2)]
    for person in people:
        enrolment = Enrolment.objects.create(session=beauvais, user=person,
                                             status=Enrolment.Status.CONFIRMED)
        Attendance.objects.create(enrolment=enrolment, day=timezone.localtime(
            beauvais.start).date(), period="am", status="present")
    assert_same(data)
    beauvais.commune = communes["Lille"]  # moved to the Nord
    beauvais.save()
    assert_same(data)
    oise = indicators.academy(Territory("department", data["oise"]),
                              TODAY() - timedelta(days=365), TODAY())
    assert oise["sessions"] == 0 and oise["marked"] == 0
    academy_services.cancel_session(beauvais.pk)
    assert_same(data)
    later = sessions["later"]
    Enrolment.objects.create(session=later, user=people[0], status=Enrolment.Status.CONFIRMED)
    later.start = later.start - timedelta(days=40)  # brought forward into the period
    later.save()
    assert_same(data)
    figures_after_rebuild(data)


# --- deployment -------------------------------------------------------------------------------
def test_contracts_started_ended_and_ruptured(data, communes):
    assert_same(data)
    today = TODAY()
    advisor = make.advisor(training_start=today - timedelta(days=3),
                           training_end=today + timedelta(days=20))
    contract = make.contract(data["s3"], advisor, start=today - timedelta(days=5),
                             end=today + timedelta(days=10))  # Lille
    assert_same(data)
    contract.end = today - timedelta(days=1)  # ended yesterday
    contract.save()
    assert_same(data)
    contract.end = today + timedelta(days=30)
    contract.rupture_status = Contract.Rupture.VALIDATED
    contract.rupture_reason = Contract.RuptureReason.RESIGNATION
    contract.rupture_date = today + timedelta(days=2)  # a rupture to come
    contract.save()
    assert_same(data)
    later = make.contract(data["s1"], make.advisor(), status=Contract.Status.SUBMITTED,
                          start=today + timedelta(days=15))
    assert_same(data)
    later.status = Contract.Status.VALIDATED
    later.save()
    assert_same(data)
    advisor.training_end = today + timedelta(days=1)
    advisor.save()
    assert_same(data)
    later.delete()
    assert_same(data)
    figures_after_rebuild(data)


def test_an_advisor_recruited_in_two_departments_counts_once_in_their_region(data):
    advisor = make.advisor()
    make.contract(data["s3"], advisor, start=TODAY() - timedelta(days=400),
                  end=TODAY() - timedelta(days=200))  # Lille, then Beauvais
    make.contract(data["s1"], advisor, start=TODAY() - timedelta(days=100))
    assert_same(data)
    hdf = rollups.deployment_totals(Q(department__region=data["hdf"]), TODAY())
    by_department = rollups.deployment_grouped(Q(department__region=data["hdf"]), TODAY(),
                                               "department_id")
    assert hdf["recruited"] == (by_department[data["oise"].pk]["recruited"]
                                + by_department[data["nord"].pk]["recruited"] - 1)


def test_posts_granted_and_amended(data, communes):
    structure = make.structure(communes["Compiègne"])
    application = make.application(structure, posts_granted=2)
    assert_same(data)
    application.status = application.Status.VALIDATED
    application.decided_on = TODAY()
    application.save()
    assert_same(data)
    convention = make.convention(data["s2"])
    amendment = Amendment.objects.create(convention=convention, kind=Amendment.Kind.ADD,
                                         posts=2, reason="Une permanence de plus.",
                                         status=Amendment.Status.VALIDATED)
    Amendment.objects.create(convention=convention, kind=Amendment.Kind.WITHDRAW, posts=1,
                             reason="Un poste rendu.", status=Amendment.Status.VALIDATED)
    assert_same(data)
    amendment.delete()
    assert_same(data)
    figures_after_rebuild(data)


def test_service_points_opened_closed_and_staffed(data, communes):
    from advisors.services.places import set_opening_hours

    today = TODAY()
    point = make.service_point(data["s2"])
    assert_same(data)
    OpeningRange.objects.create(service_point=point, weekday=2, period="am",
                                opens=time(9), closes=time(12))  # opened
    assert_same(data)
    listed = make.advisor()
    contract = make.contract(data["s2"], listed, end=today + timedelta(days=3))
    point.advisors.add(listed)  # staffed until the contract's end
    assert_same(data)
    contract.end = today - timedelta(days=2)  # its advisor gone: the place leaves
    contract.save()
    assert_same(data)
    point.advisors.remove(listed)  # nobody listed any more: shown as its managers set it
    assert_same(data)
    listed.service_points.add(point)
    listed.service_points.clear()
    assert_same(data)
    set_opening_hours(point, [], make.admin())  # closed: no hours
    assert_same(data)
    set_opening_hours(point, [(0, "am", "09:00", "12:00")], make.admin())
    assert_same(data)
    point.is_public = False
    point.save()
    assert_same(data)
    point.is_public = True
    point.commune = communes["Paris"]  # moved out of the Oise
    point.save()
    assert_same(data)
    point.delete()
    assert_same(data)
    figures_after_rebuild(data)


def test_a_structure_or_a_commune_that_changes(data, communes):
    s1 = data["s1"]
    s1.commune = communes["Lille"]  # the structure moves to the Nord, posts and advisors
    s1.save()
    assert_same(data)
    s1.name = "Nouveau nom"  # nothing counted: nothing recounted
    s1.save()
    assert_same(data)
    compiegne = communes["Compiègne"]
    compiegne.population = 40000  # no longer a small commune
    compiegne.save()
    assert_same(data)
    figures_after_rebuild(data)


def test_moving_the_totals_day_changes_no_figure(data, communes):
    today = TODAY()
    make.contract(data["s3"], make.advisor(), start=today + timedelta(days=3),
                  end=today + timedelta(days=40))
    before = {on: rollups.deployment_totals(Q(), on) for on in days_around()}
    rollups.roll(today + timedelta(days=35))
    assert set(DeploymentTotal.objects.values_list("as_of", flat=True)) == {
        today + timedelta(days=35)}
    assert {on: rollups.deployment_totals(Q(), on) for on in days_around()} == before
    assert_same(data)
    # Totals kept at different days (a département written after a roll) read the same.
    rollups.roll(today - timedelta(days=20))
    DeploymentTotal.objects.filter(department=data["nord"]).delete()
    make.contract(data["s3"], make.advisor())  # recounts the Nord, kept at today - 20
    DeploymentTotal.objects.filter(department=data["oise"]).update(as_of=today)
    rollups.refresh_departments({data["oise"].pk})
    assert_same(data)


def test_structure_posts_as_with_posts_defines_them(data, communes):
    convention = make.convention(data["s1"])
    Amendment.objects.create(convention=convention, kind=Amendment.Kind.WITHDRAW, posts=1,
                             reason="Un poste rendu.", status=Amendment.Status.VALIDATED)
    Amendment.objects.create(convention=convention, kind=Amendment.Kind.ADD, posts=2,
                             reason="Deux postes de plus.", status=Amendment.Status.VALIDATED)
    from advisors.models import Structure

    for territory in territories(data)[1:]:
        expected = {row["pk"]: (row["granted_posts"], row["occupied_posts"],
                                row["vacant_posts"])
                    for row in Structure.objects.with_posts(TODAY()).filter(
                        territory.filter("commune")).values(
                        "pk", "granted_posts", "occupied_posts", "vacant_posts")}
        found = {row["pk"]: (row["granted_posts"], row["occupied_posts"],
                             row["vacant_posts"])
                 for row in structures_with_posts(territory, TODAY())}
        assert found == expected


def test_an_import_of_the_geography_recounts_populations(data, communes):
    from territories.models import Commune
    from territories.signals import geography_imported

    # An import writes communes in bulk (no post_save per commune), then says so.
    Commune.objects.filter(pk=communes["Compiègne"].pk).update(population=123456)
    geography_imported.send(sender=None)
    assert_same(data)


def test_the_migration_fills_empty_rollups_of_an_existing_database(data, communes):
    from importlib import import_module

    from django.apps import apps

    fill = import_module("dashboards.migrations.0003_fill_rollups").fill
    kept = sorted(DeploymentTotal.objects.values_list("department_id", "population"))
    DeploymentTotal.objects.all().delete()
    fill(apps, None)
    assert sorted(DeploymentTotal.objects.values_list("department_id", "population")) == kept
    assert_same(data)
