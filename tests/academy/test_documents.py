"""The attendance sheet and the training certificate, read back from the PDF."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from pypdf import PdfReader

from academy.documents import attendance_sheet_pdf, attestation_pdf
from academy.models import Attendance, Enrolment, Mandate, OfficialProfile, Partner
from calendars.dates import long_date
from tests import factories as make

pytestmark = pytest.mark.django_db

HALF_DAYS = [
    "Mar. 3 mars — matin", "Mar. 3 mars — après-midi",
    "Mer. 4 mars — matin", "Mer. 4 mars — après-midi",
]


def pdf_text(pdf):
    assert pdf.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def person(first_name, last_name, password="Mot-de-passe-2026"):
    return get_user_model().objects.create_user(
        email=f"{first_name}.{last_name}@exemple.fr".lower(), password=password,
        first_name=first_name, last_name=last_name,
    )


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def session(communes):
    """Tuesday 3 and Wednesday 4 March 2026, 9:00 to 17:00 in Paris: four half-days."""
    course = make.course("Piloter un projet de territoire", duration_hours=Decimal("14"))
    session = make.session(course, communes["Beauvais"], days=10, trainers="Anne Leroy")
    session.start = timezone.make_aware(datetime(2026, 3, 3, 9, 0))
    session.end = timezone.make_aware(datetime(2026, 3, 4, 17, 0))
    session.save()
    return session


def enrol(session, user, status="confirmed"):
    return Enrolment.objects.create(session=session, user=user, status=status)


def test_attendance_sheet_lists_confirmed_participants_only(session):
    enrol(session, person("Claire", "Martin"))
    enrol(session, person("Paul", "Bernard"))
    enrol(session, person("Sophie", "Annulée"), status="cancelled")
    enrol(session, person("Louis", "Attente"), status="waitlisted")

    text = pdf_text(attendance_sheet_pdf(session))

    assert "Feuille d'émargement" in text
    assert "Piloter un projet de territoire" in text
    assert "mardi 3 mars 2026" in text and "mercredi 4 mars 2026" in text
    assert "Beauvais (60)" in text
    assert "BERNARD Paul" in text and "MARTIN Claire" in text
    assert text.index("BERNARD Paul") < text.index("MARTIN Claire")
    assert "Sophie" not in text and "Louis" not in text


def test_attendance_sheet_has_a_column_per_half_day_and_the_trainer(session):
    enrol(session, person("Claire", "Martin"))

    text = pdf_text(attendance_sheet_pdf(session))

    for label in HALF_DAYS:
        assert label in text
    # Participants' table and trainer's signatures: each half-day heads a column in both.
    assert text.count("— matin") == 4 and text.count("— après-midi") == 4
    assert "Formateur : Anne Leroy" in text
    assert "Signature du formateur" in text
    assert "Académie des territoires" in text
    assert "Page 1 / 1" in text


def test_attendance_sheet_of_a_full_session_runs_over_several_numbered_pages(session):
    for n in range(40):
        # No password: hashing forty of them would slow the test down for nothing.
        enrol(session, person(f"Prénom{n:02}", f"Nom{n:02}", password=None))

    text = pdf_text(attendance_sheet_pdf(session))

    assert "NOM00 Prénom00" in text and "NOM39 Prénom39" in text
    assert "Page 1 / " in text and "Page 2 / " in text
    # The header row is repeated at the top of each page.
    assert text.count("Participant") > 1


def test_attestation_shows_name_mandate_course_and_hours_attended(session, communes):
    user = person("Claire", "Martin")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 1), is_first_mandate=True)
    enrolment = enrol(session, user)
    for day, period, status in [(date(2026, 3, 3), "am", "present"),
                                (date(2026, 3, 3), "pm", "present"),
                                (date(2026, 3, 4), "am", "present"),
                                (date(2026, 3, 4), "pm", "absent")]:
        Attendance.objects.create(enrolment=enrolment, day=day, period=period, status=status)

    text = " ".join(pdf_text(attestation_pdf(enrolment)).split())

    assert "Attestation de formation" in text
    assert "Claire Martin, Maire — Beauvais (60), a suivi la formation" in text
    assert "« Piloter un projet de territoire »" in text
    assert "du 3 au 4 mars 2026" in text
    assert "10,5 heures sur 14 prévues" in text
    assert "Beauvais (60)" in text
    assert f"Fait le {long_date(timezone.localdate())}" in text
    assert "Pour l'Agence nationale de la cohésion des territoires" in text


def test_attestation_without_profile_omits_the_mandate(session):
    enrolment = enrol(session, person("Paul", "Bernard"))
    session.course.partners.add(Partner.objects.create(name="Banque des Territoires"))
    session.course.save()
    session.end = timezone.make_aware(datetime(2026, 3, 3, 17, 0))
    session.save()
    Attendance.objects.create(enrolment=enrolment, day=date(2026, 3, 3), period="am",
                              status="present")
    Attendance.objects.create(enrolment=enrolment, day=date(2026, 3, 3), period="pm",
                              status="present")

    text = " ".join(pdf_text(attestation_pdf(enrolment)).split())

    assert "atteste que Paul Bernard a suivi la formation" in text
    assert "le 3 mars 2026" in text
    # A 14-hour course given in one day, 9 h to 17 h: the day's 7 hours are credited.
    assert "7 heures sur 7 prévues" in text
    assert "Banque des Territoires" in text


def test_attestation_elides_que_before_a_vowel_and_writes_the_first_as_1er(session):
    enrolment = enrol(session, person("Aline", "Martin"))
    session.start = timezone.make_aware(datetime(2026, 12, 1, 9, 0))
    session.end = timezone.make_aware(datetime(2026, 12, 1, 17, 0))
    session.save()
    Attendance.objects.create(enrolment=enrolment, day=date(2026, 12, 1), period="am",
                              status="present")

    text = " ".join(pdf_text(attestation_pdf(enrolment)).split())

    assert "atteste qu'Aline Martin a suivi la formation" in text
    assert "atteste que" not in text
    assert "le 1er décembre 2026" in text
