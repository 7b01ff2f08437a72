"""The activity totals per advisor and month (personal statistics) always equal a recount
from the reports: after reports are recorded, corrected and deleted through the services,
and after a bulk rebuild."""

import datetime

import pytest
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils import timezone

from advisors import advisor_rollups, rollups
from advisors.models import ActivityReport
from advisors.models.activity import first_correctable_date
from advisors.models.rollups import AdvisorActivityMonth
from advisors.services.activity import correct_activity, delete_activity

from . import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_MONTH = first_correctable_date(TODAY)
EVER = (datetime.date(2020, 1, 1), TODAY.replace(day=1))


def recount(reports, kind=None, theme=None):
    """What the statistics must say, counted report by report."""
    figures = {"accompaniments": 0, "people": 0, "by_month": {}, "by_place": {},
               "by_kind": {}, "by_theme": {}, "channels": {},
               "bands": dict.fromkeys(advisor_rollups.BANDS, 0)}
    for report in reports:
        if kind and report.kind != kind:
            continue
        for code in report.themes:
            if not theme or code == theme:
                figures["by_theme"][code] = figures["by_theme"].get(code, 0) + 1
        if theme and theme not in report.themes:
            continue
        figures["accompaniments"] += 1
        figures["people"] += report.participants
        month = report.date.replace(day=1)
        for key, into in ((month, "by_month"), (report.service_point_id, "by_place"),
                          (report.kind, "by_kind")):
            figures[into][key] = figures[into].get(key, 0) + 1
        channel = f"channel_{report.channel}"
        figures["channels"][channel] = figures["channels"].get(channel, 0) + 1
        for name in advisor_rollups.BANDS:
            figures["bands"][name] += getattr(report, name, 0) or 0
    return figures


def read(condition, kind=None, theme=None):
    figures = advisor_rollups.statistics(condition, *EVER, kind=kind, theme=theme)
    totals = figures["totals"]
    return {
        "accompaniments": totals["accompaniments"], "people": totals["people"],
        "by_month": {m: v["accompaniments"] for m, v in figures["by_month"].items()
                     if v["accompaniments"]},
        "by_place": {p: v["accompaniments"] for p, v in figures["by_place"].items()
                     if v["accompaniments"]},
        "by_kind": {k: v["accompaniments"] for k, v in figures["by_kind"].items()
                    if v["accompaniments"]},
        "by_theme": {t: n for t, n in figures["by_theme"].items() if n},
        "channels": {name: totals[name] for name in advisor_rollups.CHANNELS if totals[name]},
        "bands": {name: totals[name] for name in advisor_rollups.BANDS},
    }


def assert_equal_to_a_recount(advisor, structure):
    filters = [(None, None), ("workshop", None), ("individual", None), (None, "email"),
               (None, "smartphone"), ("workshop", "email")]
    for condition, reports in (
            (Q(advisor_id=advisor.pk), ActivityReport.objects.filter(advisor=advisor)),
            (Q(structure_id=structure.pk), ActivityReport.objects.filter(structure=structure))):
        for kind, theme in filters:
            expected = recount(list(reports), kind, theme)
            assert read(condition, kind, theme) == expected, (condition, kind, theme)


def cells():
    """The non-zero rows, comparable."""
    return {tuple(values[k] for k in ("advisor", "structure", "service_point", "month", "kind",
                                      "theme", "first_theme")): values
            for values in (model_to_dict(row, exclude=["id"])
                           for row in AdvisorActivityMonth.objects.all())
            if values["accompaniments"]}


def test_totals_equal_a_recount_after_creates_corrections_and_deletions(
        advisor, place, structure, communes):
    user = advisor.user
    reports = [make.activity_report(advisor, communes["Beauvais"], date=TODAY,
                                    themes=["email", "smartphone"]),
               make.activity_report(advisor, communes["Beauvais"], date=TODAY,
                                    themes=["smartphone"]),
               make.activity_report(advisor, communes["Beauvais"], date=LAST_MONTH,
                                    structure=structure, themes=["email"])]
    other = make.advisor()  # someone else's report counts for nobody here
    make.activity_report(other, communes["Paris"], date=TODAY)
    assert_equal_to_a_recount(advisor, structure)

    # Corrected: another month, kind, channel, place and themes; then deleted.
    correct_activity(reports[0], make.activity_data(
        date=LAST_MONTH, kind="individual", participants=1, age_18_35=0, age_35_60=0,
        age_over_60=1, status_employed=0, status_retired=1, themes=["health", "email"],
        channel="home", commune=communes["Paris"]), user)
    assert_equal_to_a_recount(advisor, structure)
    correct_activity(reports[1], make.activity_data(
        date=TODAY, channel="service_point", service_point=place, commune=None,
        themes=["email"]), user)
    assert_equal_to_a_recount(advisor, structure)
    delete_activity(reports[2], user)
    assert_equal_to_a_recount(advisor, structure)
    assert ActivityReport.objects.filter(advisor=advisor).count() == 2

    # The rows kept along the way are those a rebuild computes from the reports.
    kept = cells()
    rollups.rebuild()
    assert cells() == kept
    assert_equal_to_a_recount(advisor, structure)


def test_bulk_loaded_reports_are_counted_after_the_rebuild(advisor, structure, communes):
    make.activity_report(advisor, communes["Beauvais"], date=LAST_MONTH)
    ActivityReport.objects.bulk_create([ActivityReport(
        advisor=advisor, structure=structure, date=TODAY, commune=communes["Beauvais"],
        channel="remote", kind="workshop", title="Atelier", participants=2, age_18_35=2,
        status_employed=2, themes=["budget", "email"], duration="0_30")])
    AdvisorActivityMonth.objects.update(accompaniments=99)  # drift, fixed by the rebuild
    rollups.rebuild()
    assert_equal_to_a_recount(advisor, structure)
    rebuilt = cells()
    rollups.rebuild()  # idempotent
    assert cells() == rebuilt


def test_a_rebuild_of_a_period_keeps_the_other_months(advisor, structure, communes):
    make.activity_report(advisor, communes["Beauvais"], date=datetime.date(2024, 1, 10))
    make.activity_report(advisor, communes["Beauvais"], date=datetime.date(2024, 3, 10))
    AdvisorActivityMonth.objects.update(accompaniments=99)
    rollups.rebuild(datetime.date(2024, 3, 5), datetime.date(2024, 3, 20))
    months = dict(AdvisorActivityMonth.objects.filter(first_theme=True)
                  .values_list("month", "accompaniments"))
    assert months == {datetime.date(2024, 1, 1): 99, datetime.date(2024, 3, 1): 1}
