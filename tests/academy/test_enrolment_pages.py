"""Enrolment from the site and the back office, as people use it; bad input changes nothing."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from academy import services, tasks
from academy.models import Attendance, Enrolment, Mandate, OfficialProfile, Session
from accounts.roles import Role
from tests import factories as make

pytestmark = pytest.mark.django_db
Status = Enrolment.Status


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def session(communes):
    return make.session(make.course("Gérer une crise sur son territoire"), communes["Beauvais"],
                        capacity=1, trainers="Anne Leroy")


def official(client=None, email="maire@beauvais.fr", communes=None):
    user = get_user_model().objects.create_user(email=email, password="x", first_name="Lucie",
                                                last_name="Bernard")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 1))
    if client:
        client.force_login(user)
    return user


def test_anonymous_enrol_goes_to_login_and_back_to_the_course(client, session):
    response = client.post(f"/inscriptions/sessions/{session.pk}/")
    assert response.status_code == 302
    assert response.url.startswith("/comptes/login/?next=/formations/")
    assert not Enrolment.objects.exists()


def test_a_draft_courses_session_takes_no_enrolment(client, communes):
    """A session of an unpublished course is not offered anywhere: posting to it directly
    answers 404, enrols nobody and sends no email."""
    draft = make.session(make.course("Formation en préparation", publish=False),
                         communes["Beauvais"])
    official(client, communes=communes)
    response = client.post(f"/inscriptions/sessions/{draft.pk}/")
    assert response.status_code == 404
    assert not Enrolment.objects.exists()
    assert not mail.outbox


def test_enrol_without_a_mandate_asks_for_the_profile_first(client, session):
    user = get_user_model().objects.create_user(email="new@example.fr", password="x")
    client.force_login(user)
    response = client.post(f"/inscriptions/sessions/{session.pk}/")
    assert response.url.startswith("/espace/profil-elu/?next=%2Fformations%2F")
    assert not Enrolment.objects.exists()


def test_onboarding_records_mandates_with_the_authority_autocomplete(client, session, communes):
    user = get_user_model().objects.create_user(email="new@example.fr", password="x")
    client.force_login(user)
    page = client.get("/espace/profil-elu/?bienvenue=1")
    assert "Bienvenue" in page.content.decode()
    data = {
        "mandates-TOTAL_FORMS": "1", "mandates-INITIAL_FORMS": "0",
        "mandates-MIN_NUM_FORMS": "0", "mandates-MAX_NUM_FORMS": "10",
        "mandates-0-role": "adjoint", "mandates-0-authority": "Beauvais (60)",
        "mandates-0-started_on": "2020-07-04", "mandates-0-is_first_mandate": "on",
        "is_employee": "yes", "next": session.course.url,
    }
    response = client.post("/espace/profil-elu/", data)
    assert response.status_code == 302 and response.url == session.course.url
    mandate = Mandate.objects.get(profile__user=user)
    assert mandate.commune == communes["Beauvais"] and mandate.is_first_mandate
    assert user.official_profile.is_employee is True
    found = client.get("/territoires/collectivites/?level=departement&q=oise").json()
    assert found["results"] == [{"value": "departement:60", "label": "Oise (60)"}]


def test_an_unexpected_employment_answer_is_explained(client, communes):
    """The radio buttons send "yes", "no" or nothing; anything else is refused with its
    message under the question, not with a bare "the form contains errors"."""
    user = get_user_model().objects.create_user(email="new@example.fr", password="x")
    client.force_login(user)
    html = client.post("/espace/profil-elu/", {
        "mandates-TOTAL_FORMS": "1", "mandates-INITIAL_FORMS": "0",
        "mandates-0-role": "maire", "mandates-0-authority": "Beauvais (60)",
        "mandates-0-started_on": "2020-07-04", "is_employee": "peut-être"}).content.decode()
    assert "fr-fieldset--error" in html
    assert "Sélectionnez un choix valide. peut-être n’en fait pas partie." in html
    assert not Mandate.objects.exists()


@pytest.mark.parametrize("next_url", ["9999-12-31", "a b", "{{ 7|add:7 }}", "accounts:home",
                                      "https://evil.example.com/", "//evil.example.com/"])
def test_onboarding_ignores_a_next_that_is_not_a_path_of_the_site(client, communes, next_url):
    user = get_user_model().objects.create_user(email="new@example.fr", password="x")
    client.force_login(user)
    response = client.post("/espace/profil-elu/", {
        "mandates-TOTAL_FORMS": "1", "mandates-INITIAL_FORMS": "0",
        "mandates-0-role": "maire", "mandates-0-authority": "Beauvais (60)",
        "mandates-0-started_on": "2020-07-04", "next": next_url})
    assert response.status_code == 302 and response.url == "/espace/"
    assert Mandate.objects.filter(profile__user=user).exists()


def test_onboarding_explains_unknown_or_missing_authorities(client, communes):
    user = get_user_model().objects.create_user(email="new@example.fr", password="x")
    client.force_login(user)
    base = {"mandates-TOTAL_FORMS": "1", "mandates-INITIAL_FORMS": "0",
            "mandates-MIN_NUM_FORMS": "0", "mandates-MAX_NUM_FORMS": "10",
            "mandates-0-role": "maire", "mandates-0-started_on": "2020-07-04"}
    html = client.post("/espace/profil-elu/", {**base, "mandates-0-authority": "Atlantide"}
                       ).content.decode()
    assert "Aucune collectivité de type « commune » ne correspond à « Atlantide »." in html
    assert 'value="Atlantide"' in html  # what was typed is kept
    html = client.post("/espace/profil-elu/", {**base, "mandates-0-role": "",
                                                "mandates-0-authority": "",
                                                "mandates-0-started_on": ""}).content.decode()
    assert "Indiquez au moins un mandat." in html
    assert not Mandate.objects.exists()


def test_enrol_confirms_and_mon_espace_lists_it(client, session, communes):
    official(client, communes=communes)
    response = client.post(f"/inscriptions/sessions/{session.pk}/", follow=True)
    html = response.content.decode()
    assert "est confirmée" in html
    assert "Gérer une crise sur son territoire" in html and "Confirmée" in html
    assert "Annuler mon inscription" in html


def test_enrolling_twice_says_so_and_changes_nothing(client, session, communes):
    official(client, communes=communes)
    client.post(f"/inscriptions/sessions/{session.pk}/")
    response = client.post(f"/inscriptions/sessions/{session.pk}/", follow=True)
    assert "Vous êtes déjà inscrit à cette session." in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_enrolling_after_the_deadline_is_refused_with_a_message(client, communes):
    late = make.session(make.course(), communes["Paris"], days=3,
                        enrolment_closes=timezone.now() - timedelta(minutes=5))
    official(client, communes=communes)
    response = client.post(f"/inscriptions/sessions/{late.pk}/", follow=True)
    assert "Les inscriptions à cette session sont closes." in response.content.decode()
    assert not Enrolment.objects.exists()


def test_tampered_ids_answer_404_and_change_nothing(client, session, communes):
    owner = official(communes=communes)
    enrolment = services.enrol(session.pk, owner)
    official(client, email="intrus@example.fr", communes=communes)
    assert client.post("/inscriptions/sessions/999999/").status_code == 404
    assert client.get("/inscriptions/sessions/999999/").status_code == 404
    assert client.get(f"/inscriptions/{enrolment.pk}/annuler/").status_code == 404
    assert client.post(f"/inscriptions/{enrolment.pk}/annuler/").status_code == 404
    assert client.post("/inscriptions/999999/annuler/").status_code == 404
    assert client.get(f"/inscriptions/{enrolment.pk}/attestation.pdf").status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CONFIRMED


def test_full_session_waitlists_and_cancel_promotes_with_email(
        client, session, communes, django_capture_on_commit_callbacks):
    first = official(communes=communes)
    services.enrol(session.pk, first)
    second = official(client, email="second@example.fr", communes=communes)
    course_html = client.get(session.course.url).content.decode()
    assert "S'inscrire sur liste d'attente" in course_html
    response = client.post(f"/inscriptions/sessions/{session.pk}/", follow=True)
    assert "position 1 sur la liste d&#x27;attente" in response.content.decode()

    client.force_login(first)
    enrolment = Enrolment.objects.get(user=first)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/inscriptions/{enrolment.pk}/annuler/")
    assert Enrolment.objects.get(user=second).status == Status.CONFIRMED
    assert any(m.to == [second.email] and "Une place s'est libérée" in m.subject
               for m in mail.outbox)


def test_after_the_cancellation_deadline_the_page_says_whom_to_contact(client, communes):
    near = make.session(make.course(), communes["Paris"], days=1,
                        cancellation_deadline=timezone.now() - timedelta(hours=2),
                        contact_email="academie@anct.gouv.fr",
                        enrolment_closes=timezone.now() + timedelta(hours=12))
    user = official(client, communes=communes)
    services.enrol(near.pk, user)
    html = client.get("/espace/").content.decode()
    assert "Date limite d'annulation passée : écrivez à academie@anct.gouv.fr" in html
    assert "Annuler mon inscription" not in html


def test_reminders_are_sent_once_even_if_the_job_runs_twice(
        session, communes, django_capture_on_commit_callbacks):
    user = official(communes=communes)
    services.enrol(session.pk, user)
    soon = make.session(make.course("Demain"), communes["Paris"], days=0,
                        start=timezone.now() + timedelta(hours=20),
                        end=timezone.now() + timedelta(hours=27),
                        enrolment_closes=timezone.now() + timedelta(hours=1),
                        cancellation_deadline=timezone.now())
    services.enrol(soon.pk, user)
    Session.objects.filter(pk=session.pk).update(start=timezone.now() + timedelta(days=6),
                                                  end=timezone.now() + timedelta(days=6, hours=7))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders() == 2
        assert tasks.send_reminders() == 0
    subjects = sorted(m.subject for m in mail.outbox)
    # Each says its real delay ("demain", or "aujourd'hui" before 4 am; the wording is
    # tested on a fixed clock in test_session_notices).
    from calendars.dates import delay_in_words

    assert subjects == [f"Rappel : Demain {delay_in_words(soon.start)}",
                        "Rappel : Gérer une crise sur son territoire dans 6 jours"]


def test_survey_goes_once_to_those_present_after_the_session(
        session, communes, django_capture_on_commit_callbacks):
    present, absent = official(communes=communes), official(email="b@example.fr",
                                                            communes=communes)
    Session.objects.filter(pk=session.pk).update(capacity=5,
                                                  survey_url="https://sondage.example.fr/x")
    for user in (present, absent):
        services.enrol(session.pk, user)
    session.refresh_from_db()
    ended = timezone.now() - timedelta(hours=1)
    Session.objects.filter(pk=session.pk).update(start=ended - timedelta(hours=7), end=ended)
    session.refresh_from_db()
    day, period = session.half_days()[0]
    Attendance.objects.create(enrolment=Enrolment.objects.get(user=present), day=day,
                              period=period, status="present")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_surveys() == 1
        assert tasks.send_surveys() == 0
    assert mail.outbox[0].to == [present.email]
    assert "https://sondage.example.fr/x" in mail.outbox[0].body


# --- Back office ---------------------------------------------------------------------------

@pytest.fixture
def staff_client(client):
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    return client


def test_staff_list_counts_filters_and_exports(staff_client, session, communes):
    people = [official(email=f"p{n}@example.fr", communes=communes) for n in range(3)]
    for user in people:
        services.enrol(session.pk, user)
    url = f"/admin/academie/sessions/{session.pk}/"
    html = staff_client.get(url).content.decode()
    assert "Confirmée (1)" in html and "Liste d&#x27;attente (2)" in html
    waitlisted = staff_client.get(f"{url}?status=waitlisted").context["rows"]
    assert [e.position for e in waitlisted] == [1, 2]

    csv_body = staff_client.get(f"{url}export.csv").content.decode("utf-8-sig")
    assert csv_body.splitlines()[0].startswith("Nom;Prénom;Courriel;Statut")
    assert csv_body.count("Liste d'attente") == 2
    xlsx = staff_client.get(f"{url}export.xlsx")
    from io import BytesIO

    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet.max_row == 4 and sheet["C2"].value.endswith("@example.fr")
    assert staff_client.get(f"{url}export.doc").status_code == 404


def test_staff_add_accept_refuse_move_up_and_cancel(staff_client, communes,
                                                    django_capture_on_commit_callbacks):
    session = make.session(make.course(), communes["Paris"], capacity=1,
                           requires_approval=True)
    a, b = official(communes=communes), official(email="b@example.fr", communes=communes)
    ea, eb = services.enrol(session.pk, a), services.enrol(session.pk, b)
    url = f"/admin/academie/sessions/{session.pk}/"
    staff_client.post(f"{url}inscriptions/{ea.pk}/accept/")
    staff_client.post(f"{url}inscriptions/{eb.pk}/refuse/")
    assert Enrolment.objects.get(pk=ea.pk).status == Status.CONFIRMED
    assert Enrolment.objects.get(pk=eb.pk).status == Status.REFUSED

    walk_in = get_user_model().objects.create_user(email="walkin@example.fr", password="x")
    staff_client.post(f"{url}ajouter/", {"email": "walkin@example.fr"})
    assert Enrolment.objects.get(user=walk_in).status == Status.WAITLISTED
    response = staff_client.post(f"{url}inscriptions/{Enrolment.objects.get(user=walk_in).pk}"
                                 "/move_up/", follow=True)
    assert "La session est complète" in response.content.decode()
    response = staff_client.post(f"{url}ajouter/", {"email": "inconnu@example.fr"}, follow=True)
    assert "Aucun compte n&#x27;existe" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"{url}annuler/", {"reason": "Salle indisponible"})
    session.refresh_from_db()
    assert session.is_cancelled
    assert Enrolment.objects.get(pk=ea.pk).status == Status.CANCELLED_BY_ORGANISER


def test_capacity_below_confirmed_is_refused_in_the_admin(staff_client, session, communes):
    services.enrol(session.pk, official(communes=communes))
    Session.objects.filter(pk=session.pk).update(capacity=2)
    services.enrol(session.pk, official(email="b@example.fr", communes=communes))
    session.refresh_from_db()
    session.capacity = 1
    with pytest.raises(Exception) as error:
        session.full_clean()
    assert "inférieure au nombre d'inscrits confirmés (2)" in str(error.value)


def test_staff_mark_attendance_per_half_day(staff_client, communes):
    start = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=3),
                                                 datetime.min.time().replace(hour=9)))
    session = make.session(make.course(duration_hours=14), communes["Paris"], capacity=5,
                           start=start, end=start + timedelta(days=1, hours=8))
    user = official(communes=communes)
    enrolment = Enrolment.objects.create(session=session, user=user, status="confirmed")
    url = f"/admin/academie/sessions/{session.pk}/presences/"
    page = staff_client.get(url)
    names = [name for name, _ in page.context["grid"][0][1]]
    assert len(names) == 4
    staff_client.post(url, {names[0]: "present", names[1]: "present", names[2]: "present",
                            names[3]: "absent", f"a-999-{start:%Y%m%d}-am": "present"})
    assert enrolment.attendances.count() == 4
    assert enrolment.hours_attended() == 10.5


def test_people_without_the_permission_cannot_manage_sessions(client, session):
    user = get_user_model().objects.create_user(email="x@example.fr", password="x")
    client.force_login(user)
    response = client.get(f"/admin/academie/sessions/{session.pk}/")
    assert response.status_code in (302, 403)


def test_attended_training_gives_hours_and_an_attestation_in_mon_espace(client, communes):
    start = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=10),
                                                 datetime.min.time().replace(hour=9)))
    session = make.session(make.course("Construire le budget communal", duration_hours=14),
                           communes["Beauvais"], start=start,
                           end=start + timedelta(days=1, hours=8))
    user = official(client, communes=communes)
    enrolment = Enrolment.objects.create(session=session, user=user, status="confirmed")
    for day, period in session.half_days()[:3]:
        Attendance.objects.create(enrolment=enrolment, day=day, period=period,
                                  status="present")
    html = client.get("/espace/").content.decode()
    assert "10,5 h" in html
    assert "Maire — Beauvais (60) (depuis le 1er juillet 2020) : 10,5 h" in html
    assert f"{start.year} : 10,5 h" in html
    response = client.get(f"/inscriptions/{enrolment.pk}/attestation.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_staff_download_the_attendance_sheet(staff_client, session, communes):
    services.enrol(session.pk, official(communes=communes))
    response = staff_client.get(f"/admin/academie/sessions/{session.pk}/emargement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "emargement-session" in response["Content-Disposition"]


def test_an_empty_profile_asks_for_a_mandate_next_to_the_first_function(client):
    user = get_user_model().objects.create_user(email="empty@example.fr", password="x")
    client.force_login(user)
    response = client.post("/espace/profil-elu/", {
        "mandates-TOTAL_FORMS": "1", "mandates-INITIAL_FORMS": "0",
        "mandates-MIN_NUM_FORMS": "0", "mandates-MAX_NUM_FORMS": "10",
        "mandates-0-role": "", "mandates-0-authority": "", "mandates-0-started_on": ""})
    html = response.content.decode()
    assert response.status_code == 200
    # The message is the first function's error, the select in DSFR error state.
    assert re.search(r'<select name="mandates-0-role"[^>]*aria-describedby='
                     r'"id_mandates-0-role-errors"[^>]*fr-select--error', html)
    assert re.search(r'<p id="id_mandates-0-role-errors" class="fr-error-text">'
                     r'Indiquez au moins un mandat\.</p>', html)
    assert html.count("Indiquez au moins un mandat.") == 1
    assert not Mandate.objects.exists()
