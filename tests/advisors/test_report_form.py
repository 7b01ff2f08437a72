"""The activity report form (issue #15, 1.4): its default place and commune agree, the
stored commune is the service point's, and optional sections are folded."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from advisors import services
from advisors.models import ActivityReport

from . import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def text(response):
    return html.unescape(response.content.decode())


def test_the_default_commune_is_the_default_places(advisor_client, advisor, place,
                                                    communes, structure):
    # The last report, at the place, was stored with another commune (before this fix).
    ActivityReport.objects.create(advisor=advisor, structure=structure, service_point=place,
                                  commune=communes["Compiègne"],
                                  **make.activity_data(channel="service_point"))
    form = advisor_client.get(reverse("advisors:report_create")).context["form"]
    assert form["service_point"].value() == place.pk
    assert form["channel"].value() == "service_point"
    assert form["commune"].value() == "Beauvais (60)"


def test_the_last_place_used_is_the_default(advisor_client, advisor, place, structure,
                                            communes):
    other = make.service_point(structure, [advisor], name="Annexe Saint-Jean",
                               commune=communes["Compiègne"])
    assert min(place.pk, other.pk) == place.pk  # the first in the list is not the last used
    ActivityReport.objects.create(advisor=advisor, structure=structure, service_point=other,
                                  commune=communes["Compiègne"],
                                  **make.activity_data(channel="service_point"))
    form = advisor_client.get(reverse("advisors:report_create")).context["form"]
    assert form["service_point"].value() == other.pk
    assert form["commune"].value() == "Compiègne (60)"


def test_at_the_service_point_the_stored_commune_is_the_places(advisor, place, communes):
    report = services.record_activity(advisor, make.activity_data(
        channel="service_point", service_point=place, commune=communes["Compiègne"]),
        advisor.user)
    assert report.commune == communes["Beauvais"]


def test_the_form_needs_no_commune_at_the_service_point_but_one_elsewhere(
        advisor_client, advisor, place):
    data = {"date": TODAY.isoformat(), "kind": "individual", "participants": "1",
            "channel": "service_point", "service_point": str(place.pk), "commune": "",
            "themes": ["email"], "duration": "30_60", "age_over_60": "1"}
    response = advisor_client.post(reverse("advisors:report_create"), data)
    assert response.status_code == 302
    assert advisor.activity_reports.get().commune == place.commune
    page = text(advisor_client.post(reverse("advisors:report_create"),
                                    {**data, "channel": "home"}))
    assert "Indiquez la commune où a eu lieu l'accompagnement." in page


def test_optional_sections_are_folded_and_frequent_themes_come_first(advisor_client,
                                                                      advisor, place,
                                                                      communes, structure):
    for _ in range(3):
        make.activity_report(advisor, communes["Beauvais"], structure,
                             themes=["health", "budget"], channel="service_point",
                             service_point=place)
    page = text(advisor_client.get(reverse("advisors:report_create")))
    assert 'aria-controls="report-situations"' in page
    assert 'aria-controls="report-redirect"' in page
    assert "Lieu : Médiathèque du Quadrilatère, Beauvais (60)" in page
    folded = page[page.index('id="report-themes-more"'):]
    assert 'value="health"' not in folded and 'value="budget"' not in folded
    assert 'value="diagnosis"' in folded


def test_a_section_with_an_error_is_unfolded(advisor_client, advisor, place):
    page = text(advisor_client.post(reverse("advisors:report_create"), {
        "date": TODAY.isoformat(), "kind": "workshop", "participants": "2",
        "channel": "service_point", "service_point": str(place.pk), "themes": ["email"],
        "duration": "30_60", "age_over_60": "2", "status_retired": "3"}))
    assert 'class="fr-collapse fr-collapse--expanded" id="report-situations"' in page
    assert not advisor.activity_reports.exists()


def test_a_missing_kind_is_announced_on_each_radio_of_the_shared_choices(advisor_client,
                                                                         place):
    """The report form draws its radios with the site's shared choices fieldset: each radio
    points at the error message, so a screen reader reads it when the radio gets focus."""
    page = text(advisor_client.post(reverse("advisors:report_create"), {
        "date": TODAY.isoformat(), "participants": "1", "channel": "service_point",
        "service_point": str(place.pk), "themes": ["email"], "duration": "30_60"}))
    fieldset = page[page.index('id="id_kind"'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    radios = fieldset.count('type="radio"')
    assert radios >= 2
    assert fieldset.count('aria-describedby="id_kind-errors"') == radios


# --- the kinds of the 2025 national model --------------------------------------------------
def _post(place, **overrides):
    return {"date": TODAY.isoformat(), "kind": "individual", "participants": "1",
            "channel": "service_point", "service_point": str(place.pk), "themes": ["email"],
            "duration": "30_60", **overrides}


def test_a_new_report_is_individual_or_a_workshop_and_a_workshop_has_a_title(
        advisor_client, advisor, place):
    form = advisor_client.get(reverse("advisors:report_create")).context["form"]
    assert [value for value, _ in form.fields["kind"].choices] == ["individual", "workshop"]
    page = text(advisor_client.post(reverse("advisors:report_create"),
                                    _post(place, kind="workshop", participants="6")))
    assert "Donnez un titre à l'atelier." in page
    assert 'value="6"' in page  # nothing typed is lost
    response = advisor_client.post(reverse("advisors:report_create"), _post(
        place, kind="workshop", participants="6", title="Premiers pas sur smartphone",
        tags="Pass numérique, quartier Nord, Pass numérique"))
    assert response.status_code == 302
    report = advisor.activity_reports.get()
    assert report.title == "Premiers pas sur smartphone"
    assert report.tags == ["Pass numérique", "quartier Nord"]
    page = text(advisor_client.get(reverse("advisors:reports")))
    assert "« Premiers pas sur smartphone »" in page and "quartier Nord" in page


def test_a_demande_ponctuelle_is_no_longer_offered_but_old_ones_stay_correctable(
        advisor_client, advisor, place, communes):
    refused = text(advisor_client.post(reverse("advisors:report_create"),
                                       _post(place, kind="one_off")))
    assert "Sélectionnez un choix valide" in refused
    assert not advisor.activity_reports.exists()
    old = make.activity_report(advisor, communes["Beauvais"], kind="one_off", participants=1,
                               age_18_35=1, age_35_60=0, age_over_60=0, status_employed=1,
                               status_retired=0)
    url = reverse("advisors:report_edit", args=[old.pk])
    form = advisor_client.get(url).context["form"]
    assert "one_off" in [value for value, _ in form.fields["kind"].choices]
    response = advisor_client.post(url, _post(place, kind="one_off",
                                              themes=["email", "health"]))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.kind == "one_off" and old.themes == ["email", "health"]
    duplicate = advisor_client.get(reverse("advisors:report_duplicate", args=[old.pk]))
    assert duplicate.context["form"]["kind"].value() == "individual"


def test_ages_and_situations_are_optional_and_then_counted_as_unknown(advisor_client,
                                                                     advisor, place):
    response = advisor_client.post(reverse("advisors:report_create"),
                                   _post(place, kind="workshop", title="Courriels",
                                         participants="4"))
    assert response.status_code == 302
    report = advisor.activity_reports.get()
    assert (report.age_unknown, report.status_unknown) == (4, 4)
    # A partial breakdown leaves the others "non renseigné"; a larger one is refused.
    advisor_client.post(reverse("advisors:report_create"), _post(
        place, kind="workshop", title="Courriels", participants="4", age_over_60="3"))
    partial = advisor.activity_reports.latest("pk")
    assert (partial.age_over_60, partial.age_unknown) == (3, 1)
    page = text(advisor_client.post(reverse("advisors:report_create"),
                                    _post(place, kind="workshop", title="Courriels",
                                          participants="4", age_over_60="5")))
    assert "La répartition par tranches d'âge (5) dépasse le nombre de participants (4)." in page


def test_a_workshop_saved_without_breakdown_takes_a_new_number_of_participants(
        advisor_client, advisor, place):
    advisor_client.post(reverse("advisors:report_create"), _post(
        place, kind="workshop", title="Courriels", participants="8"))
    report = advisor.activity_reports.get()
    edit = reverse("advisors:report_edit", args=[report.pk])
    data = {name: value for name, value in advisor_client.get(edit).context["form"].initial.items()
            if value is not None}
    response = advisor_client.post(edit, _post(place, kind="workshop", title="Courriels",
                                               participants="12"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.participants, report.age_unknown, report.status_unknown) == (12, 12, 12)
    assert data["age_unknown"] == 8  # stored, but never asked: it follows the total


def test_the_workshop_title_is_not_marked_optional_and_a_long_one_is_explained_once(
        advisor_client, place):
    page = text(advisor_client.get(reverse("advisors:report_create")))
    assert "Titre de l'atelier (facultatif)" not in page
    page = text(advisor_client.post(reverse("advisors:report_create"),
                                    _post(place, kind="workshop", title="x" * 300)))
    assert "au plus 200 caractères" in page and "Donnez un titre" not in page


def test_a_report_older_than_the_previous_month_is_refused(advisor_client, advisor, place):
    old = (TODAY.replace(day=1) - timezone.timedelta(days=40)).replace(day=28)
    page = text(advisor_client.post(reverse("advisors:report_create"),
                                    _post(place, date=old.isoformat())))
    assert "un accompagnement se saisit au plus tard le mois qui suit" in page
    assert not advisor.activity_reports.exists()
    with pytest.raises(services.WorkflowError):
        services.record_activity(advisor, make.activity_data(date=old), advisor.user)


def test_a_remote_accompaniment_keeps_no_hidden_place(advisor_client, advisor, place):
    response = advisor_client.post(reverse("advisors:report_create"), _post(
        place, channel="remote", commune=place.commune.label))
    assert response.status_code == 302
    report = advisor.activity_reports.get()
    assert report.channel == "remote" and report.service_point is None


def test_more_than_five_tags_are_refused_next_to_the_field(advisor_client, advisor, place):
    page = text(advisor_client.post(reverse("advisors:report_create"),
                                    _post(place, tags="a, b, c, d, e, f")))
    assert "Au plus 5 étiquettes." in page
    assert 'value="a, b, c, d, e, f"' in page
    assert not advisor.activity_reports.exists()


def test_an_advisor_who_left_is_offered_no_place_but_corrects_a_report_at_it(
        advisor_client, advisor, place, communes, structure):
    report = make.activity_report(advisor, communes["Beauvais"], structure,
                                  channel="service_point", service_point=place)
    advisor.contracts.update(end=TODAY - timezone.timedelta(days=1))
    form = advisor_client.get(reverse("advisors:report_create")).context["form"]
    assert form.fields["service_point"].choices == [("", "Aucun")]
    response = advisor_client.post(reverse("advisors:report_create"),
                                   _post(place))
    assert "Sélectionnez un choix valide" in text(response)
    edit = reverse("advisors:report_edit", args=[report.pk])
    form = advisor_client.get(edit).context["form"]
    assert (place.pk, str(place)) in form.fields["service_point"].choices
