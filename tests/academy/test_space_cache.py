""""Mon espace" is kept per person (accounts/space_cache.py): the second visit reads no
enrolment, and every change that shows on the page — made through the platform's own
services or by saving the rows — shows on the next visit; what changes with time alone
shows when its instant comes; one person never sees another's page."""

import html
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from academy import funding, services, surveys
from academy.models import (
    Attendance,
    Enrolment,
    Mandate,
    OfficialProfile,
    Session,
    SessionDocument,
)
from accounts.roles import Role
from calendars.models import CalendarToken
from tests import factories as make
from tests.academy.factories import AttendanceFactory

pytestmark = pytest.mark.django_db
Status = Enrolment.Status


@pytest.fixture
def communes():
    return make.geography()


def person(email, communes, mandate=True):
    user = get_user_model().objects.create_user(email=email, password="x", first_name="Lucie",
                                                last_name=email.split("@")[0])
    if mandate:
        profile = OfficialProfile.objects.create(user=user)
        Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                               started_on=date(2020, 7, 1))
    return user


def page(client):
    response = client.get("/espace/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_second_visit_is_kept_and_reads_no_enrolment(communes,
                                                         django_assert_max_num_queries):
    user = person("lucie@example.fr", communes)
    services.enrol(make.session(make.course("Budget communal"), communes["Beauvais"]).pk, user)
    client = signed_in(user)
    assert "Budget communal" in page(client)  # creates the calendar link: renewed once
    assert "Budget communal" in page(client)
    # The login's session and user rows only (no section reads anything).
    with django_assert_max_num_queries(3):
        assert "Budget communal" in page(client)


def test_one_person_never_sees_anothers_page(communes):
    lucie, marc = (person(f"{name}@example.fr", communes) for name in ("lucie", "marc"))
    services.enrol(make.session(make.course("Budget communal"), communes["Beauvais"]).pk, lucie)
    services.enrol(make.session(make.course("Urbanisme"), communes["Beauvais"]).pk, marc)
    first, second = signed_in(lucie), signed_in(marc)
    for _ in range(2):  # built, then kept
        mine, theirs = page(first), page(second)
        assert "Budget communal" in mine and "Urbanisme" not in mine
        assert "lucie@example.fr" in mine and "marc@example.fr" not in mine
        assert "Urbanisme" in theirs and "Budget communal" not in theirs
        assert "marc@example.fr" in theirs


def test_each_request_gets_its_own_csrf_token_and_forms_work(communes):
    user = person("lucie@example.fr", communes)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page(client)
    body = page(client)  # kept
    assert "space-csrf-token" not in body
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    response = client.post("/calendrier/perso/reinitialiser/",
                           {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    # Another person's kept page carries their own token, valid for their session only.
    other = Client(enforce_csrf_checks=True)
    other.force_login(person("marc@example.fr", communes))
    page(other)
    other_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                            page(other)).group(1)
    assert other.post("/calendrier/perso/reinitialiser/",
                      {"csrfmiddlewaretoken": other_token}).status_code == 302


def test_enrolling_and_cancelling_show_at_once(communes):
    user = person("lucie@example.fr", communes)
    session = make.session(make.course("Budget communal"), communes["Beauvais"])
    client = signed_in(user)
    assert "Budget communal" not in page(client)
    enrolment = services.enrol(session.pk, user)
    assert "Budget communal" in page(client)
    assert "Annuler mon inscription" in page(client)
    services.cancel(enrolment.pk, user)
    body = page(client)
    assert "Annuler mon inscription" not in body


def test_a_session_moved_cancelled_or_retitled_shows(communes):
    user = person("lucie@example.fr", communes)
    session = make.session(make.course("Budget communal"), communes["Beauvais"],
                           address="Salle des fêtes")
    services.enrol(session.pk, user)
    client = signed_in(user)
    assert "Salle des fêtes" in page(client)
    session.address = "Mairie annexe"
    session.save()
    assert "Mairie annexe" in page(client)
    course = session.course
    course.title = "Budget communal et intercommunal"
    course.save_revision().publish()
    assert "Budget communal et intercommunal" in page(client)
    services.cancel_session(session.pk, "Intervenant malade")
    assert "Cette session a été annulée" in page(client)


def test_attendance_attestation_and_documents_show(communes):
    user = person("lucie@example.fr", communes)
    session = make.session(make.course("Budget communal"), communes["Beauvais"], days=-2)
    enrolment = Enrolment.objects.create(session=session, user=user, status=Status.CONFIRMED,
                                         attendance_mode="on_site")
    client = signed_in(user)
    assert "Télécharger l'attestation" not in page(client)
    AttendanceFactory(enrolment=enrolment, day=timezone.localtime(session.start).date(),
                      period="am", status=Attendance.Status.PRESENT)
    body = page(client)
    assert "Télécharger l'attestation" in body
    assert "Page de vérification" not in body
    from academy.attestations import current_attestation

    current_attestation(enrolment)
    assert "Page de vérification de l'attestation" in page(client)
    SessionDocument.objects.create(session=session, title="Diaporama de la session",
                                   kind=SessionDocument.Kind.SLIDES,
                                   file="academy/diaporama.pdf")
    assert "Diaporama de la session" in page(client)
    # The attendance corrected to absent: hours and attestation go.
    Attendance.objects.filter(enrolment=enrolment).get().delete()
    assert "Télécharger l'attestation" not in page(client)


def test_mandates_and_profile_show(communes):
    user = person("lucie@example.fr", communes, mandate=False)
    client = signed_in(user)
    assert "Renseignez vos mandats" in page(client)
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 1))
    body = page(client)
    assert "Renseignez vos mandats" not in body
    assert "Mon droit à la formation" in body


def test_an_offer_shows_then_lapses_with_time(communes, monkeypatch):
    session = make.session(make.course("Budget communal"), communes["Beauvais"], capacity=1,
                           waitlist_mode=Session.WaitlistMode.OFFER, offer_hours=48)
    holder = services.enrol(session.pk, person("seat@example.fr", communes))
    waiting = person("lucie@example.fr", communes)
    enrolment = services.enrol(session.pk, waiting)
    client = signed_in(waiting)
    assert "1er sur la liste d'attente" in page(client)
    services.cancel(holder.pk, holder.user)  # the seat is offered to Lucie
    body = page(client)
    assert "Une place vous est proposée" in body
    assert "Accepter la place" in body
    enrolment.refresh_from_db()
    later = enrolment.offer_expires_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client = signed_in(waiting)  # the login would have lapsed meanwhile
    body = page(client)
    assert "Proposition expirée" in body
    assert "Accepter la place" not in body


def test_a_waiting_list_rank_follows_the_others(communes):
    session = make.session(make.course("Budget communal"), communes["Beauvais"], capacity=1)
    services.enrol(session.pk, person("seat@example.fr", communes))
    first = services.enrol(session.pk, person("first@example.fr", communes))
    lucie = person("lucie@example.fr", communes)
    services.enrol(session.pk, lucie)
    client = signed_in(lucie)
    assert "2e sur la liste d'attente" in page(client)
    # Someone ahead leaves: nothing of Lucie's changed, her rank does.
    services.cancel(first.pk, first.user)
    assert "1er sur la liste d'attente" in page(client)


def test_the_visio_button_appears_and_a_session_becomes_past_with_time(communes,
                                                                       monkeypatch):
    user = person("lucie@example.fr", communes)
    session = make.session(make.course("Budget communal"), None, days=2)  # by visio
    services.enrol(session.pk, user)
    client = signed_in(user)
    body = page(client)
    button = "fr-icon-video-chat-line"
    assert "apparaîtra ici 30 minutes avant le début" in body
    assert button not in body
    monkeypatch.setattr(timezone, "now", lambda: session.start - timedelta(minutes=29))
    client = signed_in(user)  # the login would have lapsed meanwhile
    assert button in page(client)
    monkeypatch.setattr(timezone, "now", lambda: session.end + timedelta(minutes=1))
    client = signed_in(user)
    body = page(client)
    assert button not in body
    assert 'id="my-past-trainings"' in body


def test_questionnaires_show_until_answered(communes):
    user = person("lucie@example.fr", communes)
    session = make.session(make.course("Budget communal"), communes["Beauvais"], days=-3)
    enrolment = Enrolment.objects.create(session=session, user=user, status=Status.CONFIRMED,
                                         attendance_mode="on_site")
    # The default question sets, as their data migration writes them (an earlier
    # transactional test's flush may have emptied them).
    from importlib import import_module

    from django.apps import apps

    import_module("academy.migrations.0011_surveys").create_default_sets(apps, None)
    client = signed_in(user)
    assert "Questionnaires à remplir" not in page(client)
    from academy.models.surveys import Stage

    invitation, created = surveys.invite(enrolment, Stage.END)
    assert invitation is not None
    assert "Questionnaires à remplir" in page(client)
    surveys.submit(invitation.token, {})
    assert "Questionnaires à remplir" not in page(client)


def test_dif_funding_request_shows(communes):
    user = person("lucie@example.fr", communes)
    course = make.course("Budget communal")
    from academy.models.funding import TrainingBody

    training_body = TrainingBody.objects.create(
        name="Organisme agréé", siret="13002603200016", approval_number="AG-1",
        approval_date=date(2020, 1, 1), approval_until=date(2099, 1, 1))
    course.dif_eligible = True
    course.training_body = training_body
    course.save_revision().publish()
    enrolment = services.enrol(make.session(course, communes["Beauvais"]).pk, user)
    client = signed_in(user)
    assert "Aucune demande" in page(client)
    funding.declare_request(enrolment, user, timezone.localdate())
    assert "Demande faite le" in page(client)


def test_roles_two_factor_and_calendar_link_show(communes):
    user = person("lucie@example.fr", communes)
    client = signed_in(user)
    body = page(client)
    assert "Aucun rôle particulier" in body
    assert "Non activée" in body
    user.groups.add(Group.objects.get_or_create(name=Role.TRAINER)[0])
    assert "Aucun rôle particulier" not in page(client)
    old = CalendarToken.objects.for_user(user).token
    assert old in page(client)
    CalendarToken.objects.for_user(user).reset()
    body = page(client)
    assert old not in body
    assert CalendarToken.objects.for_user(user).token in body
    user.last_name = "Martin"
    user.save()
    assert "Bonjour Lucie Martin" in page(client)


def test_trainer_assignment_shows(communes):
    user = person("anne@example.fr", communes, mandate=False)
    session = make.session(make.course("Budget communal"), communes["Beauvais"])
    client = signed_in(user)
    assert "confiée" not in page(client)
    session.trainer_accounts.add(user)
    assert "1 session à venir ou en cours vous est confiée" in page(client)
    session.trainer_accounts.remove(user)
    assert "confiée" not in page(client)
