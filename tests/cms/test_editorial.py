"""Editorial workflow: editors write and submit, an ANCT administrator approves and publishes;
scheduled publishing happens on time."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from academy.models import CoursePage
from accounts.roles import Role
from cms.tasks import publish_scheduled
from tests import factories as make

pytestmark = pytest.mark.django_db


def course_form(client, catalog, **values):
    """The admin's "add a course" form as a browser would send it, with our values."""
    html = client.get(f"/admin/pages/add/academy/coursepage/{catalog.pk}/").content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    data.update({
        "title": "Revitaliser son centre-bourg",
        "slug": "revitaliser-son-centre-bourg",
        "summary": "Commerces, logement, espaces publics : les méthodes qui marchent.",
        "objectives": rich_text("<ul><li>Établir un diagnostic partagé</li></ul>"),
        "duration_hours": "14",
        "audience": "elected",
        "format": "on_site",
    })
    # StreamFields are drawn by JavaScript in the browser; send what it would send.
    data.update(nested_form_data({"programme": streamfield([
        ("text", rich_text("<p>Matin : diagnostic. Après-midi : atelier.</p>")),
    ])}))
    data.update(values)
    return data


def test_editor_submits_a_course_and_an_administrator_approves_it(client):
    catalog = make.catalog()
    editor = make.staff_user(Role.ANCT_EDITOR)
    client.force_login(editor)

    data = course_form(client, catalog)
    assert "action-publish" not in client.get(
        f"/admin/pages/add/academy/coursepage/{catalog.pk}/").content.decode()
    data["action-submit"] = "Soumettre"
    response = client.post(f"/admin/pages/add/academy/coursepage/{catalog.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    course = CoursePage.objects.get(slug="revitaliser-son-centre-bourg")
    assert not course.live
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(course.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert client.get("/formations/revitaliser-son-centre-bourg/").status_code == 404

    # An editor cannot approve their own submission.
    task_state = state.current_task_state
    url = f"/admin/pages/workflow/action/{course.pk}/approve/{task_state.pk}/"
    client.post(url)
    course.refresh_from_db()
    assert not course.live

    admin = make.staff_user(Role.ANCT_ADMIN)
    client.force_login(admin)
    response = client.post(url)
    assert response.status_code in (200, 302)
    course.refresh_from_db()
    assert course.live
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert client.get("/formations/revitaliser-son-centre-bourg/").status_code == 200
    # History records who did what.
    history = client.get(f"/admin/pages/{course.pk}/history/").content.decode()
    assert "Approuvé" in history or "approuv" in history.lower()


def test_editor_cannot_publish_directly(client):
    catalog = make.catalog()
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    data = course_form(client, catalog)
    data["action-publish"] = "Publier"
    client.post(f"/admin/pages/add/academy/coursepage/{catalog.pk}/", data)
    course = CoursePage.objects.get(slug="revitaliser-son-centre-bourg")
    assert not course.live


def test_missing_required_fields_are_explained_in_french(client):
    catalog = make.catalog()
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    data = course_form(client, catalog, summary="", duration_hours="")
    data["action-submit"] = "Soumettre"
    response = client.post(f"/admin/pages/add/academy/coursepage/{catalog.pk}/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"summary", "duration_hours"}
    assert "Champ requis." in response.content.decode()
    assert not CoursePage.objects.exists()


def test_preview_renders_the_draft(client):
    catalog = make.catalog()
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    data = course_form(client, catalog)
    response = client.post(f"/admin/pages/add/academy/coursepage/{catalog.pk}/preview/", data)
    assert response.json()["is_valid"]
    preview = client.get(f"/admin/pages/add/academy/coursepage/{catalog.pk}/preview/")
    assert "Établir un diagnostic partagé" in preview.content.decode()


def test_scheduled_page_goes_live_when_the_job_runs_after_its_date():
    course = make.course("Formation programmée", publish=False)
    course.go_live_at = timezone.now() + timedelta(seconds=2)
    course.save_revision().publish()
    course.refresh_from_db()
    assert not course.live  # waiting for its date

    publish_scheduled.delay()
    course.refresh_from_db()
    assert not course.live

    time.sleep(2.5)
    publish_scheduled.delay()
    publish_scheduled.delay()  # running twice changes nothing more
    course.refresh_from_db()
    assert course.live
    assert Page.objects.filter(title="Formation programmée").count() == 1


def test_expired_page_is_unpublished_by_the_job():
    course = make.course("Formation expirée")
    Page.objects.filter(pk=course.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    publish_scheduled.delay()
    course.refresh_from_db()
    assert not course.live and course.expired
