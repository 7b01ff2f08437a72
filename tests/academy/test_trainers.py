"""The trainers' space: a trainer lists the sessions they train (upcoming and past) and
reaches each one's participants, QR screen, list and sheet; any other session is a 404, and
the space is closed to people who train nothing."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from academy.models import Attendance, Enrolment
from accounts.roles import Role
from tests import factories as make

pytestmark = pytest.mark.django_db


def person(email, first_name="Anne", last_name="Leroy", trainer=False):
    user = get_user_model().objects.create_user(email=email, password=None,
                                                first_name=first_name, last_name=last_name)
    if trainer:
        user.groups.add(Group.objects.get_or_create(name=Role.TRAINER)[0])
    return user


@pytest.fixture
def world():
    communes = make.geography()
    course = make.course("Piloter un projet de territoire")
    mine = make.session(course, communes["Beauvais"], days=12)
    past = make.session(make.course("Construire le budget communal"), communes["Beauvais"],
                        days=-20)
    other = make.session(make.course("Cybersécurité des communes"), communes["Paris"],
                         days=15)
    trainer = person("anne.leroy@anct.gouv.fr", trainer=True)
    colleague = person("marc.lemoine@anct.gouv.fr", "Marc", "Lemoine", trainer=True)
    mine.trainer_accounts.add(trainer)
    past.trainer_accounts.add(trainer)
    other.trainer_accounts.add(colleague)
    claire = person("claire.martin@mairie.example.fr", "Claire", "Martin")
    Enrolment.objects.create(session=mine, user=claire, status="confirmed")
    Enrolment.objects.create(session=other, user=person("zoe.secret@example.fr", "Zoé",
                                                        "Secrète"), status="confirmed")
    return {"mine": mine, "past": past, "other": other, "trainer": trainer, "claire": claire}


def pages_of(session):
    day, period = session.half_days()[0]
    slot = [session.pk, f"{day:%Y%m%d}", period]
    return [reverse("trainer:session", args=[session.pk]),
            reverse("trainer:sheet", args=[session.pk]),
            reverse("trainer:qr", args=slot), reverse("trainer:qr_code", args=slot),
            reverse("trainer:attendance", args=slot)]


def test_the_trainer_lists_their_upcoming_and_past_sessions_only(client, world):
    client.force_login(world["trainer"])
    text = client.get(reverse("trainer:home")).content.decode()
    upcoming, past = text.split("Sessions passées")
    assert "Piloter un projet de territoire" in upcoming
    assert "Construire le budget communal" in past
    assert "Cybersécurité des communes" not in text


def test_the_trainer_opens_every_page_of_their_session(client, world):
    client.force_login(world["trainer"])
    for url in pages_of(world["mine"]):
        assert client.get(url).status_code == 200, url
    text = client.get(reverse("trainer:session", args=[world["mine"].pk])).content.decode()
    assert "MARTIN Claire" in text


def test_another_trainers_session_is_a_404_and_changes_nothing(client, world):
    client.force_login(world["trainer"])
    other = world["other"]
    for url in pages_of(other):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Secrète" not in response.content.decode()
    day, period = other.half_days()[0]
    enrolment = other.enrolments.get()
    response = client.post(reverse("trainer:attendance",
                                   args=[other.pk, f"{day:%Y%m%d}", period]),
                           {f"status-{enrolment.pk}": "present"})
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_people_who_train_nothing_are_turned_away(client, world):
    client.force_login(world["claire"])
    assert client.get(reverse("trainer:home")).status_code == 403
    for url in pages_of(world["mine"]):
        assert client.get(url).status_code == 404, url
    client.logout()
    response = client.get(reverse("trainer:home"))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_the_anct_team_reaches_every_session(client, world):
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    for url in pages_of(world["other"]):
        assert client.get(url).status_code == 200, url


def test_a_day_or_half_day_outside_the_session_is_a_404(client, world):
    client.force_login(world["trainer"])
    mine = world["mine"]
    day = timezone.localtime(mine.start).date()
    for day_text, period in [("20200101", "am"), (f"{day:%Y%m%d}", "soir"),
                             ("2026-13-45", "am"), (f"{day + datetime.timedelta(days=9):%Y%m%d}",
                                                    "pm")]:
        for name in ("trainer:qr", "trainer:qr_code", "trainer:attendance"):
            url = reverse(name, args=[mine.pk, day_text, period])
            assert client.get(url).status_code == 404, url


def test_mon_espace_leads_trainers_to_their_space(client, world):
    client.force_login(world["trainer"])
    text = client.get(reverse("accounts:home")).content.decode()
    assert "Mes sessions de formateur" in text and reverse("trainer:home") in text
    client.force_login(world["claire"])
    assert "Mes sessions de formateur" not in client.get(
        reverse("accounts:home")).content.decode()


def test_only_trainer_accounts_are_offered_in_the_session_editor(world):
    from academy.models import Session

    field = Session._meta.get_field("trainer_accounts")
    offered = field.remote_field.model.objects.complex_filter(field.get_limit_choices_to())
    assert set(offered) == {world["trainer"], get_user_model().objects.get(
        email="marc.lemoine@anct.gouv.fr")}


def test_the_session_editor_links_trainer_accounts(client, world):
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    html = client.get(reverse("wagtailsnippets_academy_session:edit",
                              args=[world["mine"].pk])).content.decode()
    assert "comptes des formateurs" in html.lower()
    assert 'name="trainer_accounts"' in html and "Anne Leroy" in html
    assert "Claire Martin" not in html.split('name="trainer_accounts"', 1)[1][:2000]
