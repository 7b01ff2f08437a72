"""Advisor profile: training fields and the Académie trainings they attended."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from academy.models import Attendance, Enrolment, Session
from advisors.models import Advisor
from tests import factories as site

from . import factories as make

pytestmark = pytest.mark.django_db


def test_academy_trainings_are_confirmed_enrolments_on_sessions_that_took_place(communes):
    account = make.user()
    advisor = make.advisor(account)
    course = site.course("Médiation numérique : les bases")
    past = site.session(course, communes["Beauvais"], days=-10,
                        enrolment_closes=timezone.now() - timedelta(days=11))
    upcoming = site.session(course, communes["Beauvais"], days=10)
    cancelled_session = site.session(course, communes["Lille"], days=-20,
                                     status=Session.Status.CANCELLED,
                                     enrolment_closes=timezone.now() - timedelta(days=21))
    left = site.session(course, communes["Paris"], days=-30,
                        enrolment_closes=timezone.now() - timedelta(days=31))
    attended = Enrolment.objects.create(session=past, user=account, status="confirmed")
    Enrolment.objects.create(session=upcoming, user=account, status="confirmed")
    Enrolment.objects.create(session=cancelled_session, user=account, status="confirmed")
    Enrolment.objects.create(session=left, user=account, status="cancelled")
    Enrolment.objects.create(session=past, user=make.user(), status="confirmed")
    assert list(advisor.academy_trainings()) == [attended]


def test_an_advisor_without_an_account_has_no_academy_trainings():
    assert list(make.advisor().academy_trainings()) == []


@pytest.mark.parametrize(("fields", "error_field"), [
    ({"pix_level": 9}, "pix_level"),
    ({"training_start": date(2021, 3, 1), "training_end": date(2021, 2, 1)}, "training_end"),
    ({"ccp1_obtained_on": date(2021, 6, 1)}, "ccp1_obtained_on"),
    ({"ccp1_obtained": True, "ccp1_obtained_on": timezone.localdate() + timedelta(days=1)},
     "ccp1_obtained_on"),
    ({"phone": "06"}, "phone"),
])
def test_training_and_contact_fields_are_validated(fields, error_field):
    advisor = Advisor(first_name="Ana", last_name="Rey", email="ana@cnfs.fr", **fields)
    with pytest.raises(ValidationError) as error:
        advisor.full_clean()
    assert error_field in error.value.message_dict


def test_a_complete_training_record_is_valid():
    advisor = Advisor(first_name="Ana", last_name="Rey", email=" Ana.Rey@CNFS.fr ",
                      phone="06 12 34 56 78", training_start=date(2021, 2, 1),
                      training_end=date(2021, 5, 28), training_hours=420, pix_level=5,
                      ccp1_obtained=True, ccp1_obtained_on=date(2021, 6, 15))
    advisor.full_clean()
    advisor.save()
    assert (advisor.email, advisor.phone, str(advisor)) == (
        "ana.rey@cnfs.fr", "0612345678", "Ana Rey")


def test_the_database_refuses_a_pix_level_above_8():
    with pytest.raises(IntegrityError), transaction.atomic():
        make.advisor(pix_level=9)


def test_professional_emails_are_unique_whatever_their_case():
    make.advisor(email="ana@cnfs.fr")
    with pytest.raises(IntegrityError), transaction.atomic():
        make.advisor(email="ANA@cnfs.fr")


def test_coordination_goes_one_way():
    coordinator = make.advisor(is_coordinator=True)
    advisor = make.advisor()
    coordinator.coordinated.add(advisor)
    assert list(advisor.coordinators.all()) == [coordinator]
    assert list(advisor.coordinated.all()) == []
    assert list(Advisor.objects.coordinators()) == [coordinator]


def test_current_contract_and_employed_by(structure):
    advisor = make.advisor()
    assert advisor.current_contract() is None
    contract = make.contract(structure, advisor)
    assert advisor.current_contract() == contract
    assert list(Advisor.objects.employed_by(structure)) == [advisor]
    assert not Advisor.objects.employed_by(structure, on=date(2000, 1, 1)).exists()


def test_the_training_record_shows_the_hours_attended_not_the_course_duration(client,
                                                                             communes):
    """Three half-days present out of four on a two-day, 14-hour course: 10.5 hours credited,
    the rule of "Mon espace" (hours per half-day attended)."""
    account = make.user()
    advisor = make.advisor(account)
    course = site.course("Médiation numérique : les bases", duration_hours=14)
    first_day = timezone.localdate() - timedelta(days=20)
    start = timezone.make_aware(datetime.combine(first_day, time(9)))
    past = site.session(course, communes["Beauvais"], start=start,
                        end=start + timedelta(days=1, hours=8),
                        enrolment_closes=start - timedelta(days=1))
    enrolment = Enrolment.objects.create(session=past, user=account, status="confirmed")
    for day, period in past.half_days()[:3]:
        Attendance.objects.create(enrolment=enrolment, day=day, period=period,
                                  status=Attendance.Status.PRESENT)
    [training] = advisor.academy_trainings()
    assert training.hours_attended() == 10.5
    client.force_login(account)
    page = client.get(reverse("advisors:training")).content.decode()
    assert "Médiation numérique : les bases" in page
    assert "10,5 h suivies" in page
    assert "14 h" not in page


def test_the_training_record_says_when_no_presence_was_recorded(client, communes):
    account = make.user()
    make.advisor(account)
    course = site.course("Médiation numérique : les bases")
    past = site.session(course, communes["Beauvais"], days=-10,
                        enrolment_closes=timezone.now() - timedelta(days=11))
    Enrolment.objects.create(session=past, user=account, status="confirmed")
    client.force_login(account)
    page = client.get(reverse("advisors:training")).content.decode()
    assert "aucune présence enregistrée" in page
