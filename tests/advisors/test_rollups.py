"""The dashboards' activity totals (per département, day and month) always equal what the
reports themselves add up to."""

import datetime
import threading

import pytest
from django.db import connection, connections

from advisors import rollups
from advisors.models import ActivityDay, ActivityMonth, ActivityReport
from advisors.services.activity import record_activity
from dashboards import indicators
from dashboards.indicators import Territory

from . import factories as make

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def deployment(communes):
    structure = make.validated_structure(commune=communes["Beauvais"])
    advisor = make.advisor(account=make.user("advisor@example.fr"))
    make.contract(structure, advisor, start=D(2021, 1, 1))
    point = make.service_point(structure, commune=communes["Beauvais"], advisors=[advisor])
    return {"structure": structure, "advisor": advisor, "point": point}


def _record(deployment, day, **fields):
    data = {"date": day, "service_point": deployment["point"], "channel": "service_point",
            "kind": "individual", "participants": 1, "age_18_35": 1, "status_employed": 1,
            "themes": ["email"], "duration": "0_30", **fields}
    advisor = deployment["advisor"]
    return record_activity(advisor, data, advisor.user, recorded_on=day)


def _live(start, end, **filters):
    return (ActivityReport.objects.filter(date__gte=start, date__lte=end, **filters)
            .aggregate(**rollups.report_aggregates()))


def test_a_recorded_report_is_counted_at_once_on_its_day_and_month(deployment, communes):
    _record(deployment, D(2024, 3, 5))
    _record(deployment, D(2024, 3, 5), kind="workshop", title="Courriels", participants=3,
            age_18_35=1,
            age_over_60=2, status_employed=1, status_retired=2, channel="remote",
            themes=["email", "health"])
    _record(deployment, D(2024, 3, 20))
    oise = communes["Beauvais"].department
    day = ActivityDay.objects.get(department=oise, day=D(2024, 3, 5))
    assert (day.accompaniments, day.people, day.kind_individual, day.kind_workshop) == (2, 4, 1, 1)
    assert (day.channel_service_point, day.channel_remote) == (1, 1)
    assert (day.age_18_35, day.age_over_60, day.status_retired) == (2, 2, 2)
    assert (day.theme_email, day.theme_health, day.theme_budget) == (2, 1, 0)
    month = ActivityMonth.objects.get(department=oise, month=D(2024, 3, 1))
    assert (month.accompaniments, month.people) == (3, 5)
    figures = indicators.activity(Territory("department", oise), D(2024, 3, 1), D(2024, 3, 31))
    assert figures["totals"]["accompaniments"] == 3


def test_a_refused_report_counts_nothing(deployment):
    from advisors.services.base import WorkflowError

    with pytest.raises(WorkflowError):
        _record(deployment, D(2024, 3, 5), participants=2)  # individual with 2 people
    assert not ActivityDay.objects.exists() and not ActivityMonth.objects.exists()


def test_rebuild_gives_the_same_totals_and_is_idempotent(deployment, communes):
    for day in [D(2023, 12, 31), D(2024, 1, 1), D(2024, 1, 15), D(2024, 2, 29)]:
        _record(deployment, day)
    make.activity_report(deployment["advisor"], communes["Lille"], kind="one_off",
                         date=D(2024, 1, 15))
    counted = {(row.department_id, row.day): row for row in ActivityDay.objects.all()}
    months = {(row.department_id, row.month): row for row in ActivityMonth.objects.all()}

    for _ in range(2):
        rollups.rebuild()
        rebuilt = {(row.department_id, row.day): row for row in ActivityDay.objects.all()}
        assert rebuilt.keys() == counted.keys()
        for key, row in rebuilt.items():
            assert all(getattr(row, name) == getattr(counted[key], name)
                       for name in rollups.COUNTERS), key
        rebuilt_months = {(row.department_id, row.month): row
                          for row in ActivityMonth.objects.all()}
        assert rebuilt_months.keys() == months.keys()
        for key, row in rebuilt_months.items():
            assert all(getattr(row, name) == getattr(months[key], name)
                       for name in rollups.COUNTERS), key


def test_rebuild_of_a_period_keeps_the_rest(deployment):
    _record(deployment, D(2024, 1, 10))
    _record(deployment, D(2024, 3, 10))
    ActivityDay.objects.update(accompaniments=99)  # drift outside and inside the period
    rollups.rebuild(D(2024, 3, 1), D(2024, 3, 31))
    assert ActivityDay.objects.get(day=D(2024, 3, 10)).accompaniments == 1
    assert ActivityDay.objects.get(day=D(2024, 1, 10)).accompaniments == 99
    assert ActivityMonth.objects.get(month=D(2024, 3, 1)).accompaniments == 1


def test_bulk_loaded_reports_are_counted_after_a_rebuild(deployment, communes):
    report = make.activity_report(deployment["advisor"], communes["Beauvais"],
                                  date=D(2024, 5, 2))
    ActivityDay.objects.all().delete()
    ActivityMonth.objects.all().delete()
    assert report.pk
    from advisors.tasks import rebuild_activity_rollups

    assert rebuild_activity_rollups() == 1
    assert ActivityMonth.objects.get(month=D(2024, 5, 1)).accompaniments == 1


@pytest.mark.parametrize("start, end, months, edges", [
    (D(2024, 1, 1), D(2024, 12, 31), (D(2024, 1, 1), D(2024, 12, 1)), []),
    (D(2024, 1, 15), D(2024, 3, 10), (D(2024, 2, 1), D(2024, 2, 1)),
     [(D(2024, 1, 15), D(2024, 1, 31)), (D(2024, 3, 1), D(2024, 3, 10))]),
    (D(2024, 2, 3), D(2024, 2, 20), None, [(D(2024, 2, 3), D(2024, 2, 20))]),
    (D(2024, 1, 20), D(2024, 2, 10), None, [(D(2024, 1, 20), D(2024, 2, 10))]),
    (D(2023, 12, 1), D(2024, 2, 29), (D(2023, 12, 1), D(2024, 2, 1)), []),
    (D(2024, 2, 1), D(2024, 2, 28), None, [(D(2024, 2, 1), D(2024, 2, 28))]),
])
def test_a_period_is_split_into_whole_months_and_days(start, end, months, edges):
    assert rollups.split(start, end) == (months, edges)


def test_any_period_adds_up_like_the_reports(deployment, communes):
    days = [D(2023, 11, 30), D(2023, 12, 1), D(2024, 1, 31), D(2024, 2, 1), D(2024, 2, 15),
            D(2024, 2, 29), D(2024, 3, 1), D(2024, 6, 30)]
    for n, day in enumerate(days):
        _record(deployment, day, themes=["email", "budget"] if n % 2 else ["health"])
    oise = communes["Beauvais"].department
    periods = [(D(2023, 1, 1), D(2024, 12, 31)), (D(2023, 12, 1), D(2024, 2, 29)),
               (D(2023, 11, 30), D(2024, 3, 1)), (D(2024, 2, 2), D(2024, 2, 29)),
               (D(2024, 1, 31), D(2024, 2, 1)), (D(2024, 3, 2), D(2024, 6, 29))]
    for start, end in periods:
        expected = _live(start, end)
        assert rollups.totals(rollups_filter(oise), start, end) == expected, (start, end)
        figures = indicators.activity(Territory("national"), start, end)
        assert figures["totals"] == expected
        live_months = {}
        for report in ActivityReport.objects.filter(date__gte=start, date__lte=end):
            live_months[report.date.replace(day=1)] = live_months.get(
                report.date.replace(day=1), 0) + 1
        assert [(month, count) for month, count, _people in figures["by_month"]] == sorted(
            live_months.items()), (start, end)


def rollups_filter(department):
    from django.db.models import Q

    return Q(department=department)


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="row locks under concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_are_all_counted(communes):
    structure = make.validated_structure(commune=communes["Beauvais"])
    advisors = []
    for n in range(8):
        advisor = make.advisor(account=make.user(f"advisor{n}@example.fr"))
        make.contract(structure, advisor, start=D(2021, 1, 1))
        advisors.append(advisor)
    point = make.service_point(structure, commune=communes["Beauvais"], advisors=advisors)
    barrier = threading.Barrier(len(advisors))
    errors = []

    def write(advisor):
        try:
            barrier.wait()
            for _ in range(5):
                record_activity(advisor, {
                    "date": D(2024, 4, 2), "service_point": point, "channel": "service_point",
                    "kind": "individual", "participants": 1, "age_18_35": 1,
                    "status_employed": 1, "themes": ["email"], "duration": "0_30"},
                    advisor.user, recorded_on=D(2024, 4, 2))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(advisor,)) for advisor in advisors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert ActivityDay.objects.get(day=D(2024, 4, 2)).accompaniments == 40
    assert ActivityMonth.objects.get(month=D(2024, 4, 1)).theme_email == 40
    assert connection.vendor == "postgresql"
