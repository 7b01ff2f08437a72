"""Attendance by QR code: the trainer's code changes every 30 seconds and opens only during
its half-day; a confirmed participant who scans it is marked present; the trainer ticks the
others, with late arrivals and early departures; the sheet says how each presence was
recorded."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from academy import attendance
from academy.documents import attendance_sheet_pdf
from academy.models import Attendance, Enrolment
from academy.services import EnrolmentError, record_attendance
from accounts.roles import Role
from tests import factories as make

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)  # March in Paris: UTC+1


def at(day, hour, minute=0, second=0):
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=PARIS)


def person(first_name, last_name):
    return get_user_model().objects.create_user(
        email=f"{first_name}.{last_name}@exemple.fr".lower(), password=None,
        first_name=first_name, last_name=last_name)


def trainer_account():
    user = person("Anne", "Leroy")
    user.groups.add(Group.objects.get_or_create(name=Role.TRAINER)[0])
    return user


@pytest.fixture
def session():
    """Tuesday 3 and Wednesday 4 March 2026, 9:00 to 17:00 in Paris: four half-days."""
    communes = make.geography()
    course = make.course("Piloter un projet de territoire", duration_hours=Decimal("14"))
    session = make.session(course, communes["Beauvais"], days=10)
    session.start, session.end = at(3, 9), at(4, 17)
    session.save()
    return session


@pytest.fixture
def today_session():
    """A session running all of today, so that the real clock is inside a half-day."""
    communes = make.geography()
    course = make.course("Cybersécurité pour les communes", duration_hours=Decimal("7"))
    day = timezone.localdate()
    tz = timezone.get_current_timezone()
    session = make.session(course, communes["Beauvais"], days=-5)
    session.start = datetime.datetime.combine(day, datetime.time(0, 5), tz)
    session.end = datetime.datetime.combine(day, datetime.time(23, 55), tz)
    session.save()
    return session


def enrol(session, user, status=Enrolment.Status.CONFIRMED):
    return Enrolment.objects.create(session=session, user=user, status=status)


MORNING = (datetime.date(2026, 3, 3), "am")


def test_a_code_is_accepted_in_its_half_day_and_marks_the_participant_present(session):
    claire = person("Claire", "Martin")
    enrolment = enrol(session, claire)
    now = at(3, 9, 12)
    token = attendance.make_token(session, *MORNING, attendance.time_step(now))

    mark, created = attendance.record_scan(claire, token, now)

    assert created
    assert (mark.enrolment, mark.day, mark.period) == (enrolment, *MORNING)
    assert mark.status == Attendance.Status.PRESENT
    assert mark.mode == Attendance.Mode.QR and mark.recorded_by == claire
    assert mark.recorded_at == now


def test_the_code_changes_every_30_seconds_and_the_previous_one_still_works(session):
    claire = person("Claire", "Martin")
    enrol(session, claire)
    shown = at(3, 9, 0, 29)
    token = attendance.make_token(session, *MORNING, attendance.time_step(shown))
    later = shown + datetime.timedelta(seconds=2)  # the screen has just moved on

    assert attendance.make_token(session, *MORNING, attendance.time_step(later)) != token
    assert attendance.record_scan(claire, token, later)[1]


def test_an_expired_code_shared_later_is_refused(session):
    claire = person("Claire", "Martin")
    enrol(session, claire)
    shown = at(3, 9, 0)
    token = attendance.make_token(session, *MORNING, attendance.time_step(shown))

    with pytest.raises(EnrolmentError, match="Ce code a expiré"):
        attendance.record_scan(claire, token, shown + datetime.timedelta(minutes=2))
    assert not Attendance.objects.exists()


def test_a_code_outside_the_half_day_window_is_refused(session, settings):
    settings.ATTENDANCE_QR_MARGIN_MINUTES = 30
    claire = person("Claire", "Martin")
    enrol(session, claire)
    for now in (at(3, 8, 29), at(3, 13, 31)):
        token = attendance.make_token(session, *MORNING, attendance.time_step(now))
        with pytest.raises(EnrolmentError, match="est ouvert de 8 h 30 à 13 h 30"):
            attendance.record_scan(claire, token, now)
    # Inside the margin it works.
    now = at(3, 8, 31)
    token = attendance.make_token(session, *MORNING, attendance.time_step(now))
    assert attendance.record_scan(claire, token, now)[1]


def test_a_forged_or_altered_code_is_refused(session):
    claire = person("Claire", "Martin")
    enrol(session, claire)
    now = at(3, 9, 30)
    token = attendance.make_token(session, *MORNING, attendance.time_step(now))
    afternoon = token.replace("-am-", "-pm-")
    for bad in (afternoon, "n-importe-quoi", token[:-1] + ("0" if token[-1] != "0" else "1")):
        with pytest.raises(EnrolmentError, match="n'est pas valide"):
            attendance.record_scan(claire, bad, now)


@pytest.mark.parametrize("status", [None, Enrolment.Status.WAITLISTED,
                                    Enrolment.Status.PENDING, Enrolment.Status.CANCELLED])
def test_someone_not_enrolled_or_not_confirmed_is_refused(session, status):
    paul = person("Paul", "Bernard")
    if status:
        enrol(session, paul, status)
    now = at(3, 10)
    token = attendance.make_token(session, *MORNING, attendance.time_step(now))

    with pytest.raises(EnrolmentError, match="Vous n'êtes pas inscrit à cette session"):
        attendance.record_scan(paul, token, now)
    assert not Attendance.objects.exists()


def test_scanning_twice_is_harmless(session):
    claire = person("Claire", "Martin")
    enrol(session, claire)
    first = at(3, 9, 5)
    token = attendance.make_token(session, *MORNING, attendance.time_step(first))
    attendance.record_scan(claire, token, first)

    mark, created = attendance.record_scan(claire, token, first + datetime.timedelta(seconds=5))

    assert not created and mark.recorded_at == first
    assert Attendance.objects.count() == 1


def test_the_participant_scans_the_code_on_the_site_and_reads_the_french_outcome(
        client, today_session):
    claire = person("Claire", "Martin")
    enrol(today_session, claire)
    day, period = attendance.current_slot(today_session)
    url = attendance.token_url(today_session, day, period)
    path = url.split("://", 1)[1].split("/", 1)[1]

    # Not signed in: to the login page, then back to the same address.
    response = client.get("/" + path)
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    client.force_login(claire)
    response = client.get("/" + path)
    assert response.status_code == 200
    assert "Votre présence est enregistrée" in response.content.decode()
    response = client.get("/" + path)
    assert "Votre présence est déjà enregistrée" in response.content.decode()
    assert Attendance.objects.get().mode == Attendance.Mode.QR


def test_a_code_checked_before_the_login_still_counts_after_it(client, today_session):
    claire = person("Claire", "Martin")
    enrol(today_session, claire)
    day, period = attendance.current_slot(today_session)
    old = timezone.now() - datetime.timedelta(seconds=60)
    token = attendance.make_token(today_session, day, period, attendance.time_step(old))
    # Expired now, unless this browser scanned it in time: it did not.
    client.force_login(claire)
    response = client.get(reverse("attendance_scan", args=[token]))
    assert response.status_code == 403
    assert "Ce code a expiré" in response.content.decode()
    client.logout()
    # Scanned in time, then a long login: still counted.
    token = attendance.make_token(today_session, day, period, attendance.time_step())
    assert client.get(reverse("attendance_scan", args=[token])).status_code == 302
    session = client.session
    session["academy_pending_scan"]["at"] -= 120
    session.save()
    client.force_login(claire)
    response = client.get(reverse("attendance_scan", args=[token]))
    assert response.status_code == 200, response.content.decode()


def test_the_trainer_ticks_the_list_with_late_arrivals_and_early_departures(session):
    trainer = trainer_account()
    session.trainer_accounts.add(trainer)
    claire, paul, lea = (enrol(session, person(*name)) for name in
                         [("Claire", "Martin"), ("Paul", "Bernard"), ("Léa", "Petit")])
    now = at(3, 10)
    token = attendance.make_token(session, *MORNING, attendance.time_step(now))
    attendance.record_scan(claire.user, token, now)

    changed = attendance.record_by_trainer(session, *MORNING, {
        claire.pk: ("present", None, None),  # unchanged: still her scan
        paul.pk: ("present", datetime.time(9, 40), datetime.time(11, 30)),
        lea.pk: ("excused", None, None),
    }, by=trainer, now=at(3, 12))

    assert changed == 2
    marks = {a.enrolment_id: a for a in Attendance.objects.all()}
    assert marks[claire.pk].mode == Attendance.Mode.QR
    assert marks[paul.pk].mode == Attendance.Mode.TRAINER
    assert marks[paul.pk].recorded_by == trainer
    assert (marks[paul.pk].arrived_at, marks[paul.pk].left_at) == (
        datetime.time(9, 40), datetime.time(11, 30))
    assert marks[lea.pk].status == Attendance.Status.EXCUSED


def test_the_trainers_list_page_records_and_says_wrong_times_next_to_the_field(
        client, session):
    trainer = trainer_account()
    session.trainer_accounts.add(trainer)
    paul = enrol(session, person("Paul", "Bernard"))
    client.force_login(trainer)
    url = reverse("trainer:attendance", args=[session.pk, "20260303", "am"])

    response = client.post(url, {f"status-{paul.pk}": "present", f"arrived-{paul.pk}": "9h",
                                 f"left-{paul.pk}": "11:30"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Indiquez une heure au format 09:30." in text
    assert not Attendance.objects.exists()

    response = client.post(url, {f"status-{paul.pk}": "absent", f"arrived-{paul.pk}": "09:40"})
    assert "ne s&#x27;indique que pour une personne présente" in response.content.decode()

    response = client.post(url, {f"status-{paul.pk}": "present", f"arrived-{paul.pk}": "09:40",
                                 f"left-{paul.pk}": "11:30"})
    assert response.status_code == 302
    mark = Attendance.objects.get()
    assert mark.arrived_at == datetime.time(9, 40) and mark.mode == Attendance.Mode.TRAINER


def test_the_sheet_shows_how_each_presence_was_recorded(session):
    trainer = trainer_account()
    admin = person("Camille", "Durand")
    claire, paul, lea = (enrol(session, person(*name)) for name in
                         [("Claire", "Martin"), ("Paul", "Bernard"), ("Léa", "Petit")])
    now = at(3, 9, 2)
    attendance.record_scan(claire.user, attendance.make_token(
        session, *MORNING, attendance.time_step(now)), now)
    attendance.record_by_trainer(session, *MORNING, {
        paul.pk: ("present", datetime.time(9, 40), None)}, by=trainer, now=at(3, 10))
    record_attendance(session, {(lea.pk, *MORNING): "absent"}, by=admin)

    pdf = attendance_sheet_pdf(session)
    text = " ".join(" ".join(page.extract_text() for page in
                             PdfReader(io.BytesIO(pdf)).pages).split())

    assert "QR code 9 h 02" in text
    assert "formateur" in text and "arrivée 9 h 40" in text
    assert "correction ANCT" in text
    assert Attendance.objects.get(enrolment=lea).mode == Attendance.Mode.ANCT


def test_the_anct_grid_keeps_how_unchanged_marks_were_recorded(session):
    claire = enrol(session, person("Claire", "Martin"))
    now = at(3, 9, 2)
    attendance.record_scan(claire.user, attendance.make_token(
        session, *MORNING, attendance.time_step(now)), now)

    record_attendance(session, {(claire.pk, *MORNING): "present"}, by=person("A", "B"))

    assert Attendance.objects.get().mode == Attendance.Mode.QR
