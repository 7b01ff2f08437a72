"""Sessions are records of their own: page revisions never touch them, enrolments keep them."""

import html
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import Page

from academy.models import CoursePage, Enrolment, Session
from accounts.roles import Role
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_with_sessions():
    communes = make.geography()
    course = make.course("Piloter la transition écologique")
    sessions = [make.session(course, communes["Paris"], days=20),
                make.session(course, communes["Lille"], days=50)]
    return course, sessions


def session_rows(course):
    return list(Session.objects.filter(course_id=course.pk).order_by("pk")
                .values_list("pk", "start", "capacity"))


def test_editing_publishing_and_reverting_revisions_keeps_sessions(course_with_sessions):
    course, _ = course_with_sessions
    before = session_rows(course)
    first_revision = course.get_latest_revision()

    course.title = "Piloter la transition écologique (nouvelle édition)"
    course.save_revision().publish()
    course.unpublish()
    course.save_revision().publish()
    assert session_rows(course) == before

    # What "Restaurer" does in the admin: save the old revision's content as a new revision.
    reverted = first_revision.as_object()
    reverted.save_revision(previous_revision=first_revision).publish()

    course.refresh_from_db()
    assert course.title == "Piloter la transition écologique"
    assert session_rows(course) == before
    assert "sessions" not in first_revision.content


def test_reverting_through_the_admin_keeps_sessions(client, course_with_sessions):
    course, _ = course_with_sessions
    before = session_rows(course)
    old = course.get_latest_revision()
    course.title = "Titre modifié"
    course.save_revision().publish()
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    response = client.get(f"/admin/pages/{course.pk}/revisions/{old.pk}/revert/")
    assert response.status_code == 200
    assert "Titre modifié" not in response.context["form"]["title"].value()
    assert session_rows(course) == before


def test_a_session_with_enrolments_cannot_be_deleted_only_cancelled(client, course_with_sessions):
    _, (session, _) = course_with_sessions
    elu = get_user_model().objects.create_user(email="elu@example.fr", password="x")
    Enrolment.objects.create(session=session, user=elu, status="confirmed")
    client.force_login(make.staff_user(Role.ANCT_ADMIN))

    response = client.post(f"/admin/snippets/academy/session/delete/{session.pk}/", follow=True)

    assert Session.objects.filter(pk=session.pk).exists()
    assert "ne peut pas être supprimée" in response.content.decode()


def test_a_session_without_enrolments_can_be_deleted(client, course_with_sessions):
    _, (_, session) = course_with_sessions
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    client.post(f"/admin/snippets/academy/session/delete/{session.pk}/")
    assert not Session.objects.filter(pk=session.pk).exists()


def test_a_course_with_sessions_cannot_be_deleted_from_the_admin(client, course_with_sessions):
    course, _ = course_with_sessions
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    response = client.post(f"/admin/pages/{course.pk}/delete/", follow=True)
    assert CoursePage.objects.filter(pk=course.pk).exists()
    assert "ont des sessions" in response.content.decode()
    # Nor by deleting the catalogue above it.
    client.post(f"/admin/pages/{course.get_parent().pk}/delete/")
    assert Page.objects.filter(pk=course.pk).exists()


def test_adding_a_session_from_the_course_prefills_the_course(client, course_with_sessions):
    course, _ = course_with_sessions
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    edit = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert f"/admin/snippets/academy/session/add/?course={course.pk}" in edit
    assert "Paris (75)" in edit and "Lille (59)" in edit  # the course's sessions are listed

    response = client.get(f"/admin/snippets/academy/session/add/?course={course.pk}")
    assert response.status_code == 200
    assert response.context["form"]["course"].value() == course.pk


def test_editor_creates_a_session_and_gets_french_errors_for_bad_dates(
    client, course_with_sessions
):
    course, _ = course_with_sessions
    communes = make.geography()
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    start = timezone.localtime() + timedelta(days=40)
    fmt = "%Y-%m-%d %H:%M"
    data = {
        "course": course.pk, "start": start.strftime(fmt),
        "end": (start - timedelta(hours=2)).strftime(fmt),
        "address": "Hôtel du département", "commune": communes["Beauvais"].pk,
        "remote_url": "", "capacity": "25",
        "enrolment_opens": (start - timedelta(days=30)).strftime(fmt),
        "enrolment_closes": (start - timedelta(days=2)).strftime(fmt),
        "cancellation_deadline": (start - timedelta(days=4)).strftime(fmt),
        "trainers": "Anne Leroy", "status": "scheduled",
        # The waiting-list choice as the form pre-fills it (automatic, 48 h).
        "waitlist_mode": "automatic", "offer_hours": "48",
        # The documents' inline (none added), as the form sends it.
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/snippets/academy/session/add/", data)
    assert response.status_code == 200
    assert "La fin doit être postérieure au début." in response.content.decode()

    data["end"] = (start + timedelta(hours=7)).strftime(fmt)
    response = client.post("/admin/snippets/academy/session/add/", data)
    assert response.status_code == 302
    created = Session.objects.get(address="Hôtel du département")
    assert created.commune.name == "Beauvais" and created.capacity == 25


def test_a_session_needs_a_place_or_a_remote_link(course_with_sessions):
    course, (session, _) = course_with_sessions
    session.commune = None
    session.remote_url = ""
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "Indiquez une commune ou un lien de visioconférence." in str(error.value)


def test_the_session_admin_speaks_plain_french_and_refuses_zero_places(
    client, course_with_sessions
):
    course, _ = course_with_sessions
    communes = make.geography()
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    listing = client.get("/admin/snippets/academy/session/").content.decode()
    assert "Ajouter une session" in listing and "un(e)" not in listing
    form = client.get("/admin/snippets/academy/session/add/").content.decode()
    assert "Nouvelle session" in form and "Nouvel(le)" not in form
    start = timezone.localtime() + timedelta(days=40)
    fmt = "%Y-%m-%d %H:%M"
    data = {
        "course": course.pk, "start": start.strftime(fmt),
        "end": (start + timedelta(hours=7)).strftime(fmt),
        "address": "Salle du conseil", "commune": communes["Beauvais"].pk,
        "remote_url": "", "capacity": "0",
        "enrolment_opens": (start - timedelta(days=30)).strftime(fmt),
        "enrolment_closes": (start - timedelta(days=2)).strftime(fmt),
        "cancellation_deadline": (start - timedelta(days=4)).strftime(fmt),
        "trainers": "", "status": "scheduled",
        # The waiting-list choice as the form pre-fills it (automatic, 48 h).
        "waitlist_mode": "automatic", "offer_hours": "48",
        # The documents' inline (none added), as the form sends it.
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
    }
    page = html.unescape(
        client.post("/admin/snippets/academy/session/add/", data).content.decode())
    assert "Une session compte au moins une place." in page
    assert "La session n'a pas pu être créée" in page and "Le(la)" not in page
    assert not Session.objects.filter(address="Salle du conseil").exists()
    data["capacity"] = "12"
    response = client.post("/admin/snippets/academy/session/add/", data, follow=True)
    created = Session.objects.get(address="Salle du conseil")
    body = html.unescape(response.content.decode())
    assert f"Session « {created} » créée." in body
