"""Reports the advisor can correct (issue #18, 1): edit, duplicate and delete one's own
reports until the end of the month after their date, the rollups staying equal to a recount
from the reports."""

import datetime
import html

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advisors import rollups
from advisors.models import ActivityDay, ActivityMonth, ActivityReport
from advisors.models.activity import correction_deadline, first_correctable_date
from advisors.services import NotAllowed, WorkflowError
from advisors.services.activity import correct_activity, delete_activity

from . import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LONG_AGO = first_correctable_date(TODAY) - datetime.timedelta(days=1)


def text(response):
    return html.unescape(response.content.decode())


def body(**overrides):
    data = {"date": TODAY.isoformat(), "kind": "workshop", "title": "Courriels en pratique",
            "participants": "3",
            "channel": "other_place", "service_point": "", "commune": "Compiègne (60)",
            "themes": ["email"], "duration": "60_120", "age_35_60": "3"}
    return data | overrides


# --- the rule ------------------------------------------------------------------------------
@pytest.mark.parametrize(("date", "deadline"), [
    ("2026-01-15", "2026-02-28"), ("2024-01-31", "2024-02-29"), ("2026-12-01", "2027-01-31"),
])
def test_a_report_is_correctable_until_the_end_of_the_following_month(date, deadline):
    date, deadline = datetime.date.fromisoformat(date), datetime.date.fromisoformat(deadline)
    assert correction_deadline(date) == deadline
    report = ActivityReport(date=date)
    assert report.can_be_corrected(deadline)
    assert not report.can_be_corrected(deadline + datetime.timedelta(days=1))
    # The QuerySet reads the same rule the other way.
    assert first_correctable_date(deadline) <= date
    assert first_correctable_date(deadline + datetime.timedelta(days=1)) > date


def test_correctable_by_is_the_authors_reports_inside_the_window(advisor, communes):
    recent = make.activity_report(advisor, communes["Beauvais"])
    old = make.activity_report(advisor, communes["Beauvais"], date=LONG_AGO)
    other = make.activity_report(make.advisor(), communes["Beauvais"])
    admin = make.admin()
    assert list(ActivityReport.objects.correctable_by(advisor.user)) == [recent]
    assert not ActivityReport.objects.correctable_by(admin).exists()
    assert old.pk and other.pk


# --- the rollups stay exact ------------------------------------------------------------------
def rollup_rows():
    """The non-zero rollup rows, as comparable dicts."""
    found = {}
    for model, key in ((ActivityDay, "day"), (ActivityMonth, "month")):
        for row in model.objects.order_by(key, "department_id"):
            values = model_to_dict(row, exclude=["id"])
            if values["accompaniments"]:
                found[(model.__name__, values[key], values["department"])] = values
    return found


def test_after_edits_and_deletions_the_totals_equal_a_recount(advisor, place, communes):
    last_month = first_correctable_date(TODAY)
    reports = [make.activity_report(advisor, communes["Beauvais"], date=day)
               for day in (TODAY, TODAY, last_month)]
    make.activity_report(advisor, communes["Paris"], date=last_month)
    user = advisor.user
    data = make.activity_data(date=last_month, commune=communes["Paris"],
                              kind="individual", participants=1, age_18_35=0, age_35_60=0,
                              age_over_60=1, status_employed=0, status_retired=1,
                              themes=["smartphone"], channel="home")
    correct_activity(reports[0], data, user)  # another day, département, kind and theme
    correct_activity(reports[1], make.activity_data(
        date=TODAY, channel="service_point", service_point=place, commune=None), user)
    delete_activity(reports[2], user)
    correct_activity(reports[0], data | {"date": TODAY}, user)
    kept = rollup_rows()
    rollups.rebuild()
    assert kept == rollup_rows()
    assert ActivityReport.objects.count() == 3


def test_a_refused_correction_leaves_the_report_and_the_totals(advisor, communes):
    report = make.activity_report(advisor, communes["Beauvais"])
    before = rollup_rows()
    with pytest.raises(WorkflowError):
        correct_activity(report, make.activity_data(participants=5), advisor.user)
    with pytest.raises(WorkflowError):  # out of the window
        correct_activity(report, make.activity_data(date=LONG_AGO), advisor.user)
    assert rollup_rows() == before
    assert ActivityReport.objects.get().participants == 3


def test_only_the_author_corrects_inside_the_window(advisor, communes):
    report = make.activity_report(advisor, communes["Beauvais"])
    coordinator = make.advisor(make.user(role=Role.COORDINATOR), is_coordinator=True)
    coordinator.coordinated.add(advisor)
    for someone in (coordinator.user, make.admin()):
        with pytest.raises(NotAllowed):
            delete_activity(report, someone)
    old = make.activity_report(advisor, communes["Beauvais"], date=LONG_AGO)
    with pytest.raises(WorkflowError, match="période de correction"):
        delete_activity(old, advisor.user)
    assert ActivityReport.objects.count() == 2


# --- the pages -------------------------------------------------------------------------------
def test_the_list_offers_the_actions_on_correctable_rows_only(advisor_client, advisor,
                                                              communes):
    recent = make.activity_report(advisor, communes["Beauvais"])
    old = make.activity_report(advisor, communes["Beauvais"], date=LONG_AGO)
    page = text(advisor_client.get(reverse("advisors:reports")))
    assert reverse("advisors:report_edit", args=[recent.pk]) in page
    assert reverse("advisors:report_delete", args=[recent.pk]) in page
    assert reverse("advisors:report_edit", args=[old.pk]) not in page
    assert reverse("advisors:report_duplicate", args=[old.pk]) in page
    assert "Lecture seule" in page


def test_editing_a_report_through_the_form(advisor_client, advisor, communes):
    report = make.activity_report(advisor, communes["Beauvais"])
    url = reverse("advisors:report_edit", args=[report.pk])
    form = advisor_client.get(url).context["form"]
    assert form["participants"].value() == 3 and form["commune"].value() == "Beauvais (60)"
    response = advisor_client.post(url, body(participants="4", age_35_60="4"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.participants == 4 and report.commune == communes["Compiègne"]


def test_bad_input_in_the_edit_form_is_shown_in_french_and_kept(advisor_client, advisor,
                                                                communes):
    report = make.activity_report(advisor, communes["Beauvais"])
    url = reverse("advisors:report_edit", args=[report.pk])
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = advisor_client.post(url, body(date=future, participants="7",
                                             redirected_to="Mairie annexe"))
    page = text(response)
    assert response.status_code == 200
    assert "ne peut pas être dans le futur" in page
    assert 'value="Mairie annexe"' in page
    response = advisor_client.post(url, body(date=LONG_AGO.isoformat()))
    assert "période de correction" in text(response)
    report.refresh_from_db()
    assert report.participants == 3


def test_duplicating_makes_a_new_report_dated_today(advisor_client, advisor, communes):
    source = make.activity_report(advisor, communes["Compiègne"], date=LONG_AGO,
                                  themes=["health"])
    url = reverse("advisors:report_duplicate", args=[source.pk])
    response = advisor_client.get(url)
    form = response.context["form"]
    assert form["date"].value() == TODAY
    assert form["themes"].value() == ["health"] and form["commune"].value() == "Compiègne (60)"
    assert "Repris de l'accompagnement" in text(response)
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data["date"] = TODAY.isoformat()
    assert advisor_client.post(url, data).status_code == 302
    assert ActivityReport.objects.filter(date=TODAY, themes=["health"]).count() == 1
    assert ActivityReport.objects.count() == 2


def test_deleting_asks_for_confirmation_then_deletes(advisor_client, advisor, communes):
    report = make.activity_report(advisor, communes["Beauvais"])
    url = reverse("advisors:report_delete", args=[report.pk])
    page = text(advisor_client.get(url))
    assert "Voulez-vous vraiment supprimer" in page and "Oui, supprimer" in page
    assert ActivityReport.objects.exists()
    response = advisor_client.post(url)
    assert response.status_code == 302 and not ActivityReport.objects.exists()


def test_an_old_report_is_read_only_with_an_explanation(advisor_client, advisor, communes):
    report = make.activity_report(advisor, communes["Beauvais"], date=LONG_AGO)
    for name in ("advisors:report_edit", "advisors:report_delete"):
        url = reverse(name, args=[report.pk])
        page = text(advisor_client.get(url))
        assert "ne peut plus être modifié" in page and "fin du mois qui suit" in page
        advisor_client.post(url, body())
    assert ActivityReport.objects.get().participants == 3


def test_others_get_403_or_404(client, advisor, communes):
    report = make.activity_report(advisor, communes["Beauvais"])
    coordinator = make.advisor(make.user(role=Role.COORDINATOR), is_coordinator=True)
    coordinator.coordinated.add(advisor)
    stranger = make.advisor(make.user(role=Role.ADVISOR))
    for person, statuses in ((coordinator.user, {403}), (stranger.user, {403, 404}),
                             (make.admin(), {403})):
        client.force_login(person)
        for name in ("advisors:report_edit", "advisors:report_duplicate",
                     "advisors:report_delete"):
            url = reverse(name, args=[report.pk])
            assert client.get(url).status_code in statuses, (person, name)
            assert client.post(url, body()).status_code in statuses, (person, name)
    assert ActivityReport.objects.count() == 1
