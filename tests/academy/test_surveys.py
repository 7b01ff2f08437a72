"""The built-in satisfaction questionnaires: who is asked, answering once and anonymously,
the reminder and the 3-month follow-up each sent once, and the results ANCT reads."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from academy import surveys, tasks
from academy.models import (
    Attendance,
    Enrolment,
    QuestionSet,
    Session,
    Stage,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from academy.survey_exports import SurveyResultsExport
from accounts.roles import Role
from tests import factories as make
from tests.advisors import factories as people

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(django_capture_on_commit_callbacks):
    """A session that ended an hour ago: two participants marked present, one absent,
    one who cancelled."""
    communes = make.geography()
    session = make.session(make.course("Gérer une crise sur son territoire"),
                           communes["Beauvais"], capacity=10)
    end = timezone.now() - timedelta(hours=1)
    Session.objects.filter(pk=session.pk).update(start=end - timedelta(hours=7), end=end)
    session.refresh_from_db()
    day, period = session.half_days()[0]
    people_by_role = {}
    for name, status, present in [("present1", "confirmed", True),
                                  ("present2", "confirmed", True),
                                  ("absent", "confirmed", False),
                                  ("cancelled", "cancelled", True)]:
        user = people.user(email=f"{name}@example.fr")
        enrolment = Enrolment.objects.create(session=session, user=user, status=status)
        Attendance.objects.create(enrolment=enrolment, day=day, period=period,
                                  status="present" if present else "absent")
        people_by_role[name] = user
    mail.outbox.clear()
    return session, people_by_role


def invite_all(capture):
    with capture(execute=True):
        return tasks.send_surveys()


def answer_form(invitation, score="4", text="Très concret."):
    data = {}
    for question in invitation.question_set.questions.all():
        data[f"q{question.pk}"] = score if question.kind == "likert" else text
    return data


def test_the_default_questionnaires_exist_after_migrating():
    end = QuestionSet.objects.get(stage=Stage.END, is_default=True)
    kinds = list(end.questions.values_list("kind", flat=True))
    assert kinds.count("likert") == 4 and kinds.count("text") == 1
    assert QuestionSet.objects.get(stage=Stage.FOLLOW_UP, is_default=True).questions.exists()


def test_only_participants_marked_present_are_invited_once(
        ended, django_capture_on_commit_callbacks):
    session, who = ended
    assert invite_all(django_capture_on_commit_callbacks) == 2
    assert invite_all(django_capture_on_commit_callbacks) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["present1@example.fr",
                                                    "present2@example.fr"]
    invitation = SurveyInvitation.objects.get(enrolment__user=who["present1"])
    assert invitation.get_absolute_url() in mail.outbox[0].body + mail.outbox[1].body
    assert not SurveyInvitation.objects.filter(enrolment__user=who["absent"]).exists()


def test_a_session_with_an_external_questionnaire_keeps_its_link(
        ended, django_capture_on_commit_callbacks):
    session, _who = ended
    Session.objects.filter(pk=session.pk).update(survey_url="https://sondage.example.fr/x")
    assert invite_all(django_capture_on_commit_callbacks) == 2
    assert "https://sondage.example.fr/x" in mail.outbox[0].body
    assert not SurveyInvitation.objects.exists()


def test_a_course_may_use_its_own_questionnaire(ended, django_capture_on_commit_callbacks):
    session, _who = ended
    own = QuestionSet.objects.create(name="Cybersécurité", stage=Stage.END)
    own.questions.create(label="Le niveau technique", kind="likert")
    own.courses.add(session.course)
    own.save()  # a cluster keeps its many-to-many links until saved, as the admin does
    invite_all(django_capture_on_commit_callbacks)
    assert set(SurveyInvitation.objects.values_list("question_set", flat=True)) == {own.pk}


def test_an_elu_answers_once_and_a_second_answer_is_refused_politely(
        client, ended, django_capture_on_commit_callbacks):
    invite_all(django_capture_on_commit_callbacks)
    invitation = SurveyInvitation.objects.first()
    url = invitation.get_absolute_url()
    page = client.get(url)
    assert page.status_code == 200
    assert "Pas du tout satisfait" in page.content.decode()
    response = client.post(url, answer_form(invitation))
    assert response.status_code == 200
    assert "Merci pour vos réponses" in response.content.decode()
    again = client.post(url, answer_form(invitation, score="1"))
    assert "déjà répondu" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    assert set(SurveyAnswer.objects.exclude(score=None).values_list("score", flat=True)) == {4}


def test_required_scores_missing_are_said_next_to_each_question(
        client, ended, django_capture_on_commit_callbacks):
    invite_all(django_capture_on_commit_callbacks)
    invitation = SurveyInvitation.objects.first()
    data = answer_form(invitation)
    first_likert = invitation.question_set.questions.filter(kind="likert").first()
    del data[f"q{first_likert.pk}"]
    response = client.post(invitation.get_absolute_url(), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_q{first_likert.pk}-errors"' in html
    assert "Choisissez une note de 1 à 5." in html
    assert not SurveyResponse.objects.exists()
    invitation.refresh_from_db()
    assert not invitation.answered


def test_bad_scores_and_unknown_links_change_nothing(
        client, ended, django_capture_on_commit_callbacks):
    invite_all(django_capture_on_commit_callbacks)
    invitation = SurveyInvitation.objects.first()
    for bad in ["9", "-1", "abc", "", "4.5"]:
        data = answer_form(invitation, score=bad)
        response = client.post(invitation.get_absolute_url(), data)
        assert "Choisissez une note de 1 à 5." in response.content.decode()
    assert client.get("/inscriptions/questionnaire/inconnu/").status_code == 404
    assert client.post("/inscriptions/questionnaire/" + "x" * 300 + "/").status_code == 404
    assert not SurveyResponse.objects.exists()


def test_answers_are_stored_without_any_link_to_the_person(
        client, ended, django_capture_on_commit_callbacks):
    invite_all(django_capture_on_commit_callbacks)
    invitation = SurveyInvitation.objects.first()
    client.post(invitation.get_absolute_url(), answer_form(invitation))
    invitation.refresh_from_db()
    assert invitation.answered
    response = SurveyResponse.objects.get()
    # No field of a response or an answer points at a person, an enrolment or an invitation.
    for model in (SurveyResponse, SurveyAnswer):
        related = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
        assert not related & {Enrolment, SurveyInvitation, type(invitation.enrolment.user)}
    assert response.answered_on == timezone.localdate()  # the day only, no time


def test_the_reminder_goes_once_to_those_who_have_not_answered(
        client, ended, django_capture_on_commit_callbacks):
    invite_all(django_capture_on_commit_callbacks)
    answered, waiting = SurveyInvitation.objects.order_by("pk")
    client.post(answered.get_absolute_url(), answer_form(answered))
    SurveyInvitation.objects.update(sent_at=timezone.now() - timedelta(days=8))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_survey_reminders() == 1
        assert tasks.send_survey_reminders() == 0
    assert [m.to[0] for m in mail.outbox] == [waiting.enrolment.user.email]
    assert "Rappel" in mail.outbox[0].subject


def test_the_follow_up_goes_once_three_months_after_the_session(
        ended, django_capture_on_commit_callbacks):
    session, who = ended
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_survey_follow_ups() == 0  # too early
    later = session.end - timedelta(days=91)
    Session.objects.filter(pk=session.pk).update(start=later - timedelta(hours=7), end=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_survey_follow_ups() == 2
        assert tasks.send_survey_follow_ups() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["present1@example.fr",
                                                    "present2@example.fr"]
    assert SurveyInvitation.objects.filter(stage=Stage.FOLLOW_UP).count() == 2


def test_mon_espace_lists_the_questionnaire_to_answer(
        client, ended, django_capture_on_commit_callbacks):
    _session, who = ended
    invite_all(django_capture_on_commit_callbacks)
    client.force_login(who["present1"])
    page = client.get("/espace/").content.decode()
    invitation = SurveyInvitation.objects.get(enrolment__user=who["present1"])
    assert "Questionnaires à remplir" in page and invitation.get_absolute_url() in page
    client.post(invitation.get_absolute_url(), answer_form(invitation))
    assert "Questionnaires à remplir" not in client.get("/espace/").content.decode()


def _answered(client, ended, capture, scores=("5", "3")):
    invite_all(capture)
    for invitation, score in zip(SurveyInvitation.objects.order_by("pk"), scores, strict=False):
        client.post(invitation.get_absolute_url(), answer_form(invitation, score=score))


def test_results_give_the_rate_the_average_and_the_free_texts(
        client, ended, django_capture_on_commit_callbacks):
    session, _who = ended
    _answered(client, ended, django_capture_on_commit_callbacks, scores=("5",))
    end, follow_up = surveys.results_for(Session.objects.filter(pk=session.pk))
    assert (end.invited, end.answered, end.rate) == (2, 1, 50)
    first = end.questions[0]
    assert first["average"] == 5 and first["count"] == 1
    assert dict(first["distribution"])["5 – Très satisfait"] == 1
    assert end.questions[-1]["texts"] == ["Très concret."]
    assert follow_up.invited == 0


def test_anct_reads_the_results_per_session_course_and_trainer(
        client, ended, django_capture_on_commit_callbacks):
    session, who = ended
    trainer = people.user(email="formatrice@example.fr", first_name="Anne",
                          last_name="Leroy")
    session.trainer_accounts.add(trainer)
    _answered(client, ended, django_capture_on_commit_callbacks)
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    index = client.get("/tableau-de-bord/questionnaires/")
    assert index.status_code == 200
    for level, pk in [("session", session.pk), ("formation", session.course.pk),
                      ("formateur", trainer.pk)]:
        page = client.get(f"/tableau-de-bord/questionnaires/{level}/{pk}/")
        html = page.content.decode()
        assert page.status_code == 200, level
        assert "100 %" in html and "4,0 sur 5" in html and "Très concret." in html
        # Never who answered.
        assert "present1@example.fr" not in html and who["present1"].last_name not in html


def test_others_may_not_read_the_results(client, ended, django_capture_on_commit_callbacks):
    session, who = ended
    _answered(client, ended, django_capture_on_commit_callbacks)
    client.force_login(who["present1"])
    for url in ["/tableau-de-bord/questionnaires/",
                f"/tableau-de-bord/questionnaires/session/{session.pk}/",
                f"/tableau-de-bord/questionnaires/session/{session.pk}/resultats.csv"]:
        assert client.get(url).status_code == 403


def test_results_export_as_csv_and_xlsx(client, ended, django_capture_on_commit_callbacks):
    session, _who = ended
    _answered(client, ended, django_capture_on_commit_callbacks)
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    base = f"/tableau-de-bord/questionnaires/session/{session.pk}/"
    response = client.get(base + "resultats.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Moment", "Question", "Personnes invitées"]
    assert rows[1][4] == "100" and rows[1][6] == "4,0"
    answers = client.get(base + "reponses.xlsx")
    sheet = load_workbook(io.BytesIO(answers.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][3] == "Réponse n°" and {r[3] for r in values[1:]} == {1, 2}
    assert "present1@example.fr" not in str(values)
    assert client.get(base + "inconnu.csv").status_code == 404
    assert client.get(base + "resultats.pdf").status_code == 404
    export = SurveyResultsExport(session=session)
    assert [row[1] for row in export.rows()][0] == "Le contenu de la formation"
