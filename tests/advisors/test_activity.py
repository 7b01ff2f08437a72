"""Activity reports (CRA): who records them and what a valid report is."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from advisors import services
from advisors.models import ActivityReport

from . import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisor(structure):
    advisor = make.advisor(make.user())
    make.contract(structure, advisor, start=date(2024, 1, 1),
                  end=timezone.localdate() + timedelta(days=100))
    return advisor


@pytest.fixture
def point(structure, advisor, communes):
    return make.service_point(structure, advisors=[advisor], commune=communes["Compiègne"])


def record(advisor, **overrides):
    data = make.activity_data(**overrides)
    data.setdefault("commune", overrides.get("commune"))
    if data["commune"] is None:
        data.pop("commune")
    # Recorded on its own day: these tests are about the report, not how late it is entered.
    day = data.get("date")
    recorded_on = day if day and day <= timezone.localdate() else None
    return services.record_activity(advisor, data, advisor.user, recorded_on=recorded_on)


def test_a_report_at_a_service_point_takes_its_commune_and_the_employer(advisor, point,
                                                                        structure):
    report = record(advisor, channel="service_point", service_point=point)
    assert report.commune == point.commune and report.structure == structure
    assert report.get_themes_display() == ["Courriels", "Démarches en ligne"]
    assert str(report).startswith("Atelier collectif du ")


def test_a_report_elsewhere_needs_a_commune(advisor, communes):
    with pytest.raises(services.WorkflowError) as error:
        record(advisor)
    assert "commune" in error.value.errors
    assert record(advisor, commune=communes["Beauvais"]).pk


def test_the_structure_is_the_one_employing_the_advisor_that_day(advisor, structure,
                                                                 communes):
    before_contract = record(advisor, commune=communes["Beauvais"], date=date(2023, 6, 1))
    during = record(advisor, commune=communes["Beauvais"])
    assert before_contract.structure is None and during.structure == structure


@pytest.mark.parametrize(("overrides", "message"), [
    ({"date": timezone.localdate() + timedelta(days=1)}, "dans le futur"),
    ({"date": date(2019, 12, 31)}, "précéder 2020"),
    ({"participants": 0, "age_18_35": 0, "age_35_60": 0, "age_over_60": 0,
      "status_employed": 0, "status_retired": 0}, "entre 1 et 100"),
    ({"participants": 101, "age_over_60": 99, "status_retired": 99}, "entre 1 et 100"),
    ({"participants": 4}, r"tranches d'âge \(3\)"),
    ({"age_over_60": 2}, r"tranches d'âge \(4\)"),
    ({"status_unknown": 1}, r"situations \(4\)"),
    ({"kind": "individual"}, "une personne"),
    ({"themes": []}, "au moins un thème"),
    ({"themes": ["email", "astrology"]}, "Thèmes inconnus : astrology"),
    ({"themes": ["email", "email"]}, "qu'une fois"),
    ({"channel": "service_point"}, "lieu d'activité"),
    ({"redirected": True}, "réorientée"),
    ({"duration": "forever"}, "forever"),
])
def test_invalid_reports_are_refused(advisor, communes, overrides, message):
    with pytest.raises(services.WorkflowError, match=message):
        record(advisor, commune=communes["Beauvais"], **overrides)
    assert not ActivityReport.objects.exists()


def test_bounds_are_accepted(advisor, communes):
    assert record(advisor, commune=communes["Beauvais"], date=date(2020, 1, 1)).pk
    assert record(advisor, commune=communes["Beauvais"], date=timezone.localdate()).pk
    single = record(advisor, commune=communes["Beauvais"], kind="individual", participants=1,
                    age_18_35=0, age_35_60=0, age_over_60=1, status_employed=0,
                    status_retired=1, redirected=True, redirected_to="France services")
    assert single.redirected_to == "France services"
    hundred = record(advisor, commune=communes["Beauvais"], participants=100, age_18_35=98,
                     status_employed=99)
    assert hundred.participants == 100


def test_only_the_advisor_records_their_reports(advisor, communes, manager, admin):
    data = make.activity_data(commune=communes["Beauvais"])
    for person in (manager, admin, make.advisor(make.user()).user):
        with pytest.raises(services.NotAllowed):
            services.record_activity(advisor, data, person)


def test_a_report_at_someone_elses_service_point_is_refused(advisor, structure):
    elsewhere = make.service_point(structure)
    with pytest.raises(services.WorkflowError, match="ne travaillez pas"):
        record(advisor, channel="service_point", service_point=elsewhere)


def test_unknown_fields_are_refused(advisor, communes):
    data = make.activity_data(commune=communes["Beauvais"], advisor=make.advisor())
    with pytest.raises(services.WorkflowError, match="Champs inconnus : advisor"):
        services.record_activity(advisor, data, advisor.user)


def test_the_database_refuses_bands_that_do_not_add_up(advisor, communes):
    report = make.activity_report(advisor, communes["Beauvais"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityReport.objects.filter(pk=report.pk).update(age_over_60=5)


def test_the_reports_list_names_the_commune_once_when_the_place_already_says_it(
        client, advisor, structure, communes):
    place = make.service_point(structure, [advisor], name="Permanence itinérante — Beauvais")
    make.activity_report(advisor, communes["Beauvais"], structure=structure,
                         service_point=place)
    client.force_login(advisor.user)
    page = client.get("/conseillers-numeriques/activite/").content.decode()
    assert "Permanence itinérante — Beauvais" in page
    assert "Permanence itinérante — Beauvais — Beauvais" not in page
