"""What an élu chooses and sees around an enrolment (issue #15, 2.5–2.9): on site or remote
for a hybrid session and the videoconference link, the mandate the hours count under, hours
from the half-days attended, what became of past sessions, warnings before a second session
of a course or an overlapping one, dates that make no sense, and a confirmation before
cancelling."""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from academy import services
from academy.models import Attendance, Enrolment, Mandate, OfficialProfile, Session
from calendars import dates
from tests import factories as make

pytestmark = pytest.mark.django_db
Status = Enrolment.Status
VISIO = "https://webconf.example.fr/academie-hybride"


@pytest.fixture
def communes():
    return make.geography()


def official(client=None, email="maire@beauvais.fr", communes=None, second_mandate=False):
    user = get_user_model().objects.create_user(email=email, password="x", first_name="Lucie",
                                                last_name="Bernard")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 4))
    if second_mandate:
        Mandate.objects.create(profile=profile, role="conseiller_departemental",
                               department=communes["Beauvais"].department,
                               started_on=date(2021, 7, 1))
    if client:
        client.force_login(user)
    return user


def hybrid_session(communes, starts_in=timedelta(days=20), **fields):
    start = timezone.now().replace(microsecond=0) + starts_in
    values = {"start": start, "end": start + timedelta(hours=7), "remote_url": VISIO,
              "address": "Hôtel de ville", "enrolment_opens": start - timedelta(days=30),
              "enrolment_closes": start - timedelta(minutes=5),
              "cancellation_deadline": start - timedelta(minutes=5)}
    values.update(fields)
    return make.session(make.course("Piloter la transition numérique", format="hybrid"),
                        communes["Beauvais"], **values)


def past_session(course, communes, day_offset=10, start_hour=9, end_hour=17, days=1):
    day = timezone.localdate() - timedelta(days=day_offset)
    start = timezone.make_aware(datetime.combine(day, time(start_hour)))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=days - 1), time(end_hour)))
    return make.session(course, communes["Beauvais"], start=start, end=end,
                        enrolment_opens=start - timedelta(days=30),
                        enrolment_closes=start - timedelta(days=1),
                        cancellation_deadline=start - timedelta(days=2))


def mark(enrolment, *statuses):
    for (day, period), status in zip(enrolment.session.half_days(), statuses, strict=False):
        Attendance.objects.create(enrolment=enrolment, day=day, period=period, status=status)


# --- 2.5 On site or remote, and the videoconference link -------------------------------------

def test_a_hybrid_session_asks_on_site_or_remote_and_the_remote_participant_joins_the_visio(
        client, communes):
    session = hybrid_session(communes, starts_in=timedelta(minutes=20))
    official(client, communes=communes)
    course_html = client.get(session.course.url).content.decode()
    assert "Beauvais (60) ou à distance, au choix" in course_html

    # "S'inscrire" leads to the question instead of enrolling.
    response = client.post(f"/inscriptions/sessions/{session.pk}/")
    assert response.url == f"/inscriptions/sessions/{session.pk}/"
    page = client.get(response.url).content.decode()
    assert "Comment suivrez-vous cette session ?" in page
    assert "Sur place : Hôtel de ville, Beauvais (60)" in page
    assert "À distance, par visioconférence" in page
    assert not Enrolment.objects.exists()

    # Without an answer: the message sits next to the question.
    page = client.post(f"/inscriptions/sessions/{session.pk}/", {"confirm": "1"})
    assert "Choisissez « Sur place » ou « À distance »." in page.content.decode()
    assert not Enrolment.objects.exists()

    response = client.post(f"/inscriptions/sessions/{session.pk}/",
                           {"confirm": "1", "attendance_mode": "remote"}, follow=True)
    enrolment = Enrolment.objects.get()
    assert enrolment.status == Status.CONFIRMED and enrolment.attends_remotely
    html = response.content.decode()
    assert "À distance, par visioconférence" in html
    # 20 minutes before the start: the button is there, in "Mon espace" and on the course.
    assert f'href="{VISIO}"' in html and "Rejoindre la visio" in html
    course_html = client.get(session.course.url).content.decode()
    assert f'href="{VISIO}"' in course_html and "Rejoindre la visio" in course_html


def test_the_visio_link_shows_from_30_minutes_before_until_the_end_to_remote_people_only(
        communes):
    session = hybrid_session(communes)
    remote = services.enrol(session.pk, official(communes=communes), attendance_mode="remote")
    on_site = services.enrol(session.pk, official(email="b@example.fr", communes=communes),
                             attendance_mode="on_site")
    start, end = session.start, session.end
    assert not remote.visio_link_visible(start - timedelta(minutes=31))
    assert remote.visio_link_visible(start - timedelta(minutes=30))
    assert remote.visio_link_visible(end)
    assert not remote.visio_link_visible(end + timedelta(minutes=1))
    assert remote.visio_url == VISIO
    assert not on_site.visio_link_visible(start) and on_site.visio_url == ""


def test_mon_espace_says_when_the_visio_button_will_appear(client, communes):
    session = hybrid_session(communes)
    user = official(client, communes=communes)
    services.enrol(session.pk, user, attendance_mode="remote")
    html = client.get("/espace/").content.decode()
    assert "Rejoindre la visio" in html  # only in the sentence below, not as a link
    assert f'href="{VISIO}"' not in html
    assert "apparaîtra ici 30 minutes avant le début" in html


def test_a_hybrid_session_cannot_be_enrolled_without_saying_how(communes):
    session = hybrid_session(communes)
    with pytest.raises(services.EnrolmentError, match="sur place ou à distance"):
        services.enrol(session.pk, official(communes=communes))
    assert not Enrolment.objects.exists()


# --- 2.6 Hours and statuses ---------------------------------------------------------------

def test_an_elu_with_two_mandates_chooses_one_and_the_training_counts_once(client, communes):
    session = make.session(make.course("Construire le budget communal"), communes["Beauvais"])
    user = official(client, communes=communes, second_mandate=True)
    maire, departemental = Mandate.objects.order_by("started_on")

    response = client.post(f"/inscriptions/sessions/{session.pk}/")
    page = client.get(response.url).content.decode()
    assert "Au titre de quel mandat suivez-vous cette formation ?" in page
    assert "Maire — Beauvais (60)" in page and "Conseiller départemental — Oise (60)" in page
    client.post(f"/inscriptions/sessions/{session.pk}/",
                {"confirm": "1", "mandate": str(departemental.pk)})
    enrolment = Enrolment.objects.get(user=user)
    assert enrolment.mandate == departemental

    # The session took place; the élu attended both half-days.
    day = timezone.localdate() - timedelta(days=5)
    start = timezone.make_aware(datetime.combine(day, time(9)))
    Session.objects.filter(pk=session.pk).update(
        start=start, end=start + timedelta(hours=8), cancellation_deadline=start)
    mark(enrolment, "present", "present")
    html = client.get("/espace/").content.decode()
    assert "Conseiller départemental — Oise (60) (depuis le 1er juillet 2021) : 7 h" in html
    assert "Maire — Beauvais (60) (depuis le 4 juillet 2020) : 0 h" in html
    assert "comptées au titre du mandat « Conseiller départemental — Oise (60) »" in html


def test_hours_credit_the_half_days_attended_not_the_courses_duration(client, communes):
    """A 7-hour course given in one afternoon (14 h – 17 h) credits 3 hours."""
    course = make.course("Les bases de l'urbanisme")
    session = past_session(course, communes, start_hour=14, end_hour=17)
    user = official(client, communes=communes)
    enrolment = Enrolment.objects.create(session=session, user=user, status="confirmed")
    mark(enrolment, "present")
    html = client.get("/espace/").content.decode()
    assert "3 h de formation" in html
    assert "Maire — Beauvais (60) (depuis le 4 juillet 2020) : 3 h" in html
    assert "7 h" not in html


def test_a_full_day_credits_seven_hours_and_half_of_it_three_and_a_half(communes):
    course = make.course("Les marchés publics")
    enrolment = Enrolment.objects.create(
        session=past_session(course, communes), status="confirmed",
        user=official(communes=communes))
    mark(enrolment, "present", "absent")
    assert enrolment.session.planned_hours() == 7
    assert enrolment.hours_attended() == 3.5


def test_past_sessions_of_absent_or_excused_people_say_so(client, communes):
    user = official(client, communes=communes)
    absent = Enrolment.objects.create(
        session=past_session(make.course("Formation manquée"), communes, day_offset=10),
        user=user, status="confirmed")
    excused = Enrolment.objects.create(
        session=past_session(make.course("Formation excusée"), communes, day_offset=20),
        user=user, status="confirmed")
    half = Enrolment.objects.create(
        session=past_session(make.course("Formation à moitié"), communes, day_offset=30),
        user=user, status="confirmed")
    mark(absent, "absent", "absent")
    mark(excused, "excused", "excused")
    mark(half, "present", "excused")
    html = client.get("/espace/").content.decode()
    past = html[html.index("Passées"):]
    assert "Confirmée" not in past
    for title, outcome in [("Formation manquée", "Absent"), ("Formation excusée", "Excusé"),
                           ("Formation à moitié", "Présent (1 demi-journée sur 2)")]:
        card = past[past.index(title):]
        card = card[:card.index("</li>")]
        assert f"Statut : </span>{outcome}</p>" in card


def test_a_second_session_of_the_same_course_warns_without_blocking(client, communes):
    course = make.course("Gérer une crise sur son territoire")
    first = make.session(course, communes["Beauvais"], days=20)
    second = make.session(course, communes["Paris"], days=50)
    user = official(client, communes=communes)
    services.enrol(first.pk, user)

    response = client.post(f"/inscriptions/sessions/{second.pk}/")
    assert response.url == f"/inscriptions/sessions/{second.pk}/"
    page = client.get(response.url).content.decode()
    assert "Vous êtes déjà inscrit à une autre session de cette formation" in page
    assert "M'inscrire quand même" in page
    client.post(f"/inscriptions/sessions/{second.pk}/", {"confirm": "1"})
    assert Enrolment.objects.get(session=second, user=user).status == Status.CONFIRMED


def test_an_overlapping_session_warns_without_blocking(client, communes):
    first = make.session(make.course("Cybersécurité des collectivités"), communes["Paris"],
                         days=20)
    overlapping = make.session(make.course("Le budget participatif"), communes["Beauvais"],
                               days=20, start=first.start + timedelta(hours=3),
                               end=first.end + timedelta(hours=3))
    user = official(client, communes=communes)
    services.enrol(first.pk, user)
    client.post(f"/inscriptions/sessions/{overlapping.pk}/")
    page = client.get(f"/inscriptions/sessions/{overlapping.pk}/").content.decode()
    assert "a lieu en même temps que « Cybersécurité des collectivités »" in page
    client.post(f"/inscriptions/sessions/{overlapping.pk}/", {"confirm": "1"})
    assert Enrolment.objects.get(session=overlapping).status == Status.CONFIRMED


def test_a_session_with_nothing_to_ask_still_enrols_in_one_click(client, communes):
    session = make.session(make.course(), communes["Beauvais"])
    official(client, communes=communes)
    response = client.post(f"/inscriptions/sessions/{session.pk}/")
    assert response.url == "/espace/"
    assert Enrolment.objects.get().status == Status.CONFIRMED


# --- 2.7 Dates that make no sense ------------------------------------------------------------

@pytest.mark.parametrize("started_on, message", [
    ("1850-01-01", "Cette date est trop ancienne"),
    ("2099-03-15", "Un mandat ne peut pas commencer dans le futur"),
])
def test_absurd_mandate_start_dates_are_refused_next_to_the_field(client, communes,
                                                                    started_on, message):
    user = get_user_model().objects.create_user(email="new@example.fr", password="x")
    client.force_login(user)
    response = client.post("/espace/profil-elu/", {
        "mandates-TOTAL_FORMS": "1", "mandates-INITIAL_FORMS": "0",
        "mandates-MIN_NUM_FORMS": "0", "mandates-MAX_NUM_FORMS": "10",
        "mandates-0-role": "maire", "mandates-0-authority": "Beauvais (60)",
        "mandates-0-started_on": started_on, "is_employee": "",
    })
    html = response.content.decode()
    assert response.status_code == 200
    error = html[html.index('id="id_mandates-0-started_on-errors"'):]
    assert message in error[:400]
    assert not Mandate.objects.exists()


def test_the_mandate_date_picker_offers_only_sensible_days(client, communes):
    official(client, communes=communes)
    html = client.get("/espace/profil-elu/").content.decode()
    assert 'min="1950-01-01"' in html
    assert f'max="{timezone.localdate().isoformat()}"' in html


def test_a_cancellation_deadline_after_the_start_is_refused(communes):
    session = make.session(make.course(), communes["Beauvais"])
    session.cancellation_deadline = session.start + timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "La date limite d'annulation doit précéder le début de la session" in str(
        error.value.message_dict["cancellation_deadline"])


def test_an_older_session_with_a_late_deadline_cannot_be_cancelled_once_started(
        client, communes):
    """Rows saved before the rule: once the session has started, nobody is offered to
    cancel, whatever the deadline said."""
    start = timezone.now() - timedelta(hours=1)
    session = make.session(make.course("Formation commencée"), communes["Beauvais"],
                           start=start, end=start + timedelta(hours=7),
                           cancellation_deadline=start + timedelta(days=2),
                           contact_email="academie@anct.gouv.fr")
    user = official(client, communes=communes)
    enrolment = Enrolment.objects.create(session=session, user=user, status="confirmed")
    html = client.get("/espace/").content.decode()
    assert "Date limite d'annulation passée : écrivez à academie@anct.gouv.fr" in html
    client.post(f"/inscriptions/{enrolment.pk}/annuler/")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CONFIRMED


# --- 2.9 Cancelling asks first --------------------------------------------------------------

def test_cancelling_asks_for_confirmation_before_anything_changes(client, communes):
    session = make.session(make.course("Gérer une crise sur son territoire"),
                           communes["Beauvais"])
    user = official(client, communes=communes)
    enrolment = services.enrol(session.pk, user)
    html = client.get("/espace/").content.decode()
    assert f'href="/inscriptions/{enrolment.pk}/annuler/"' in html

    page = client.get(f"/inscriptions/{enrolment.pk}/annuler/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Voulez-vous vraiment annuler ?" in text
    assert "Oui, annuler mon inscription" in text and "Non, garder mon inscription" in text
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CONFIRMED

    response = client.post(f"/inscriptions/{enrolment.pk}/annuler/", follow=True)
    assert "est annulée" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CANCELLED


def test_someone_elses_cancellation_page_is_not_found(client, communes):
    session = make.session(make.course(), communes["Beauvais"])
    enrolment = services.enrol(session.pk, official(communes=communes))
    official(client, email="intrus@example.fr", communes=communes)
    assert client.get(f"/inscriptions/{enrolment.pk}/annuler/").status_code == 404
    assert client.post(f"/inscriptions/{enrolment.pk}/annuler/").status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CONFIRMED


def test_the_confirmation_email_gives_the_visio_link_to_remote_participants_only(
        communes, django_capture_on_commit_callbacks):
    session = hybrid_session(communes)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(session.pk, official(communes=communes), attendance_mode="remote")
        services.enrol(session.pk, official(email="b@example.fr", communes=communes),
                       attendance_mode="on_site")
    remote, on_site = (next(m for m in mail.outbox if m.to == [email])
                       for email in ("maire@beauvais.fr", "b@example.fr"))
    assert remote.subject.startswith("Inscription confirmée")
    assert f"Lieu : à distance, par visioconférence ({VISIO}" in remote.body
    assert "Rejoindre la visio" in remote.body
    assert "Lieu : Hôtel de ville, Beauvais (60)." in on_site.body
    assert VISIO not in on_site.body.split("Lieu :")[1].split("\n")[0]


def test_the_email_never_promises_a_cancellation_after_the_start(
        communes, django_capture_on_commit_callbacks):
    """A session saved before the rule, with its deadline two days after the start."""
    start = timezone.make_aware(datetime.combine(
        timezone.localdate() + timedelta(days=40), time(9)))
    session = make.session(make.course(), communes["Beauvais"], start=start,
                           end=start + timedelta(hours=8),
                           cancellation_deadline=start + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(session.pk, official(communes=communes))
    body = mail.outbox[-1].body
    assert f"Vous pouvez annuler jusqu'au {dates.deadline(start)}" in body
    assert dates.deadline(start + timedelta(days=2)) not in body


def test_the_session_form_says_a_deadline_after_the_start_next_to_its_field(client, communes):
    from accounts.roles import Role

    session = make.session(make.course(), communes["Beauvais"])
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    local = timezone.localtime
    when = "%Y-%m-%d %H:%M"
    data = {
        "course": session.course.pk, "start": local(session.start).strftime(when),
        "end": local(session.end).strftime(when), "address": "", "remote_url": "",
        "commune": communes["Beauvais"].pk, "capacity": "20",
        "enrolment_opens": local(session.enrolment_opens).strftime(when),
        "enrolment_closes": local(session.enrolment_closes).strftime(when),
        "cancellation_deadline": local(session.start + timedelta(days=1)).strftime(when),
        "trainers": "", "contact_email": "", "survey_url": "",
    }
    url = f"/admin/snippets/academy/session/edit/{session.pk}/"
    html = client.post(url, data).content.decode()
    assert "La date limite d&#x27;annulation doit précéder le début de la session" in html
    session.refresh_from_db()
    assert session.cancellation_deadline < session.start


def test_a_course_already_taken_is_recalled_but_an_old_waiting_list_is_not(communes):
    course = make.course("Les marchés publics")
    user = official(communes=communes)
    taken = past_session(course, communes, day_offset=60)
    missed = past_session(course, communes, day_offset=30)
    Enrolment.objects.create(session=taken, user=user, status="confirmed")
    Enrolment.objects.create(session=missed, user=user, status="waitlisted")
    upcoming = make.session(course, communes["Paris"])
    warnings = services.enrolment_warnings(upcoming, user)
    assert len(warnings) == 1
    assert warnings[0].startswith("Vous étiez déjà inscrit à cette formation, pour la session du")
    assert dates.long_date(taken.start) in warnings[0]


def test_staff_see_how_many_come_on_site_and_remotely_and_export_it(client, communes):
    from accounts.roles import Role

    session = hybrid_session(communes)
    services.enrol(session.pk, official(communes=communes), attendance_mode="remote")
    services.enrol(session.pk, official(email="b@example.fr", communes=communes),
                   attendance_mode="on_site")
    services.enrol(session.pk, official(email="c@example.fr", communes=communes),
                   attendance_mode="remote")
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    html = client.get(f"/admin/academie/sessions/{session.pk}/").content.decode()
    assert "Session hybride, participants confirmés : 1 sur place, 2 à distance." in html
    csv_body = client.get(f"/admin/academie/sessions/{session.pk}/export.csv").content.decode(
        "utf-8-sig")
    lines = csv_body.splitlines()
    assert lines[0].endswith(";Participation")
    assert sum(line.endswith(";À distance") for line in lines) == 2
