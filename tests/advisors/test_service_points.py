"""Service points: validation, opening hours, closures, the calendar sequence, who edits."""

from datetime import date, time

import pytest

from advisors import services
from advisors.models import Closure, OpeningRange, PlaceService, ServicePoint

from . import factories as make

pytestmark = pytest.mark.django_db

WEEK = [
    {"weekday": 0, "period": "am", "opens": time(9), "closes": time(12)},
    {"weekday": 0, "period": "pm", "opens": time(14), "closes": time(17, 30)},
    {"weekday": 2, "period": "am", "opens": "09:30", "closes": "12:30"},
]


@pytest.fixture
def advisor(structure):
    advisor = make.advisor(make.user())
    make.contract(structure, advisor)
    return advisor


@pytest.fixture
def point(structure, advisor):
    return make.service_point(structure, advisors=[advisor], name="Médiathèque")


def data(**overrides):
    values = {"name": "France services", "address": "2 rue Gambetta",
              "services": [PlaceService.ADMINISTRATIVE_PROCEDURES, PlaceService.SAFE_USE]}
    values.update(overrides)
    return values


def test_a_manager_creates_a_service_point_with_its_hours(structure, manager, advisor,
                                                          communes):
    created = services.create_service_point(
        structure, manager, data(commune=communes["Beauvais"]), advisors=[advisor],
        opening_ranges=WEEK)
    assert list(created.advisors.all()) == [advisor]
    assert [str(r) for r in created.opening_ranges.all()] == [
        "Lundi matin : 09:00–12:00", "Lundi après-midi : 14:00–17:30",
        "Mercredi matin : 09:30–12:30"]
    assert created.calendar_sequence == 0 and created.is_public
    assert created.get_services_display() == ["Aide aux démarches administratives",
                                              "Usage sécurisé du numérique"]


def test_an_advisor_of_the_structure_creates_one_and_works_there(structure, advisor,
                                                                 communes):
    created = services.create_service_point(structure, advisor.user,
                                            data(commune=communes["Beauvais"]))
    assert list(created.advisors.all()) == [advisor]


def test_people_outside_the_structure_cannot_create_one(structure, communes, oise_prefect):
    for person in (make.user(), oise_prefect):
        with pytest.raises(services.NotAllowed):
            services.create_service_point(structure, person,
                                          data(commune=communes["Beauvais"]))


def test_only_advisors_recruited_by_the_structure_work_there(structure, manager, communes):
    stranger = make.advisor(last_name="Inconnu")
    with pytest.raises(services.WorkflowError, match="Sans contrat en cours"):
        services.create_service_point(structure, manager, data(commune=communes["Beauvais"]),
                                      advisors=[stranger])
    assert not ServicePoint.objects.exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"services": []}, "services"),
    ({"services": ["cours-de-cuisine"]}, "services"),
    ({"services": ["parentalite", "parentalite"]}, "services"),
    ({"address": ""}, "address"),
    ({"latitude": 49.43}, "latitude"),
    ({"latitude": 95.0, "longitude": 2.08}, "latitude"),
    ({"phone": "123"}, "phone"),
])
def test_invalid_service_points_are_refused(structure, manager, communes, overrides, field):
    with pytest.raises(services.WorkflowError) as error:
        services.create_service_point(structure, manager,
                                      data(commune=communes["Beauvais"], **overrides))
    assert field in error.value.errors


def test_an_itinerant_service_point_needs_no_address(structure, manager, communes):
    created = services.create_service_point(
        structure, manager, data(commune=communes["Beauvais"], address="", is_itinerant=True,
                                 latitude=49.43, longitude=2.08))
    assert created.coordinates == (49.43, 2.08)


# --- opening hours and the calendar sequence ------------------------------------------------

def test_setting_hours_bumps_the_sequence_once_and_the_same_hours_do_not(point, manager):
    before = point.updated_at
    services.set_opening_hours(point, WEEK, manager)
    assert point.calendar_sequence == 1 and point.updated_at > before
    services.set_opening_hours(point, list(reversed(WEEK)), manager)  # same week
    assert point.calendar_sequence == 1
    services.set_opening_hours(point, WEEK[:1], manager)
    assert point.calendar_sequence == 2
    assert [(r.weekday, r.period) for r in point.opening_ranges.all()] == [(0, "am")]


@pytest.mark.parametrize(("ranges", "message"), [
    ([(0, "am", time(12), time(9))], "fermeture doit suivre"),
    ([(0, "am", time(9), time(9))], "fermeture doit suivre"),
    ([(0, "am", time(9), time(14, 30))], "au plus tard à 14 h"),
    ([(0, "pm", time(10), time(12))], "au plus tôt à 11 h"),
    ([(7, "am", time(9), time(12))], "7"),
    ([(0, "night", time(9), time(12))], "night"),
    ([(0, "am", time(9), time(12)), (0, "am", time(10), time(11))], "figure deux fois"),
    ([(1, "am", time(9), time(13)), (1, "pm", time(12), time(17))], "mardi, la plage du matin"),
])
def test_invalid_opening_ranges_are_refused_and_nothing_changes(point, manager, ranges,
                                                                message):
    services.set_opening_hours(point, WEEK, manager)
    with pytest.raises(services.WorkflowError, match=message):
        services.set_opening_hours(point, ranges, manager)
    point.refresh_from_db()
    assert point.opening_ranges.count() == 3 and point.calendar_sequence == 1


def test_a_lunchtime_opening_fits_in_either_half_day(point, manager):
    services.set_opening_hours(point, [(0, "am", time(11), time(14)),
                                       (1, "pm", time(11), time(14))], manager)
    assert point.opening_ranges.count() == 2


def test_the_database_refuses_two_ranges_for_one_half_day(point):
    from django.db import IntegrityError, transaction

    OpeningRange.objects.create(service_point=point, weekday=0, period="am",
                                opens=time(9), closes=time(12))
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningRange.objects.create(service_point=point, weekday=0, period="am",
                                    opens=time(10), closes=time(11))


def test_closures_bump_the_sequence(point, manager):
    closure = services.add_closure(point, manager, start=date(2026, 8, 3),
                                   end=date(2026, 8, 21), reason="Congés d'été")
    assert point.calendar_sequence == 1
    assert str(closure) == "Fermé du 3 août 2026 au 21 août 2026"
    one_day = services.add_closure(point, manager, start=date(2026, 11, 2))
    assert one_day.end == date(2026, 11, 2) and point.calendar_sequence == 2
    assert services.remove_closure(one_day, manager).calendar_sequence == 3
    assert list(point.closures.values_list("reason", flat=True)) == ["Congés d'été"]


def test_a_closure_ending_before_it_starts_is_refused(point, manager):
    with pytest.raises(services.WorkflowError, match="doit suivre le premier"):
        services.add_closure(point, manager, start=date(2026, 8, 21), end=date(2026, 8, 3))
    assert not Closure.objects.exists() and point.calendar_sequence == 0


@pytest.mark.parametrize(("field", "value", "bumps"), [
    ("name", "Nouvelle médiathèque", True),
    ("address", "3 rue Neuve", True),
    ("latitude", None, False),  # unchanged: still empty
    ("phone", "0344000000", False),
    ("is_public", False, False),
])
def test_updating_bumps_the_sequence_only_for_what_calendars_show(point, manager, field,
                                                                   value, bumps):
    services.update_service_point(point, manager, {field: value})
    assert point.calendar_sequence == (1 if bumps else 0)


def test_moving_to_another_commune_bumps_the_sequence(point, manager, communes):
    services.update_service_point(point, manager, {"commune": communes["Compiègne"]})
    assert point.commune == communes["Compiègne"] and point.calendar_sequence == 1


def test_update_refuses_unknown_fields_and_invalid_values(point, manager):
    with pytest.raises(services.WorkflowError, match="Champs inconnus"):
        services.update_service_point(point, manager, {"structure": None})
    with pytest.raises(services.WorkflowError):
        services.update_service_point(point, manager, {"services": []})
    point.refresh_from_db()
    assert point.services == [PlaceService.ADMINISTRATIVE_PROCEDURES]


def test_concurrent_bumps_are_all_counted(point):
    stale = ServicePoint.objects.get(pk=point.pk)
    services.bump_calendar_sequence(point)
    services.bump_calendar_sequence(stale)
    assert ServicePoint.objects.get(pk=point.pk).calendar_sequence == 2


def test_who_edits_a_service_point(point, manager, advisor, communes, oise_prefect):
    coordinator = make.advisor(make.user(), is_coordinator=True)
    coordinator.coordinated.add(advisor)
    services.set_opening_hours(point, WEEK, advisor.user)  # works there
    for person in (coordinator.user, oise_prefect, make.user()):
        with pytest.raises(services.NotAllowed):
            services.set_opening_hours(point, [], person)
        with pytest.raises(services.NotAllowed):
            services.add_closure(point, person, start=date(2026, 1, 2))
    services.set_service_point_advisors(point, [], manager)
    with pytest.raises(services.NotAllowed):
        services.set_opening_hours(point, [], advisor.user)  # no longer works there


def test_calendar_data_is_read_in_a_fixed_number_of_queries(point, manager, structure,
                                                            django_assert_num_queries):
    services.set_opening_hours(point, WEEK, manager)
    make.service_point(structure, advisors=list(point.advisors.all()))
    with django_assert_num_queries(5):  # points, ranges, closures, advisors, their users
        for sp in ServicePoint.objects.with_calendar_data():
            _ = (sp.commune.department.code, [r.opens for r in sp.opening_ranges.all()],
                 list(sp.closures.all()), [a.user for a in sp.advisors.all()])


def test_the_edit_form_shows_the_phone_in_pairs_of_digits(client, structure, manager):
    place = make.service_point(structure, name="Médiathèque", phone="0344000000")
    client.force_login(manager)
    page = client.get(f"/conseillers-numeriques/lieux/{place.pk}/").content.decode()
    assert 'value="03 44 00 00 00"' in page
