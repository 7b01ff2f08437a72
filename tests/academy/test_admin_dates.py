"""The academy back office shows its times in Europe/Paris, the French way; the catalogue's
filter labels say their days in French."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from academy.catalog import french_day
from academy.models import Enrolment, Session
from accounts.roles import Role
from tests import factories as make

pytestmark = pytest.mark.django_db


def test_enrolments_and_the_session_list_give_paris_times_across_utc_midnight(client):
    communes = make.geography()
    session = make.session(make.course("Gérer une crise sur son territoire"),
                           communes["Beauvais"])
    # 31 December 23:30 UTC is 1 January 0:30 in Paris.
    start = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    Session.objects.filter(pk=session.pk).update(start=start, end=start + timedelta(hours=8))
    person = get_user_model().objects.create_user(email="lucie@example.fr", password="x",
                                                  first_name="Lucie", last_name="Bernard")
    enrolment = Enrolment.objects.create(session=session, user=person,
                                         status=Enrolment.Status.CONFIRMED)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        created_at=datetime(2026, 11, 30, 23, 5, tzinfo=UTC))  # 1 December 0:05 in Paris
    client.force_login(make.staff_user(Role.ANCT_ADMIN))

    page = client.get(reverse("academy_admin:enrolments", args=[session.pk])).content.decode()
    assert "1er décembre 2026 à\u00a00\u00a0h\u00a005" in page
    assert "30/11/2026" not in page and "23:05" not in page
    listing = client.get("/admin/snippets/academy/session/").content.decode()
    assert "vendredi 1er janvier 2027 à\u00a00\u00a0h\u00a030" in listing


def test_the_catalogue_filter_labels_stay_french_whatever_the_active_language():
    with translation.override("en"):
        assert french_day(date(2027, 3, 1)) == "1er mars 2027"
