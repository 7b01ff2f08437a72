"""The préfets' daily digest of new applications in their territory."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import Role
from advisors.models import PrefectAssignment
from advisors.tasks import send_prefect_digests

from . import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def prefects(communes):
    people = {
        "oise": make.prefect(department=communes["Beauvais"].department),
        "nord": make.prefect(department=communes["Lille"].department),
        "hauts_de_france": make.prefect(region=communes["Lille"].department.region),
    }
    # Assigned yesterday: the first digest covers what was filed since.
    PrefectAssignment.objects.update(created_at=timezone.now() - timedelta(days=1))
    return people


def file(commune, name):
    return make.application(make.structure(commune, name=name))


def run(capture):
    with capture(execute=True):
        return send_prefect_digests()


def by_recipient(mailoutbox):
    return {message.to[0]: message for message in mailoutbox}


def test_each_prefect_gets_the_applications_of_their_territory_only(
        prefects, communes, mailoutbox, django_capture_on_commit_callbacks):
    file(communes["Beauvais"], "Mairie de Beauvais")
    file(communes["Compiègne"], "Mairie de Compiègne")
    file(communes["Lille"], "Mairie de Lille")
    file(communes["Paris"], "Mairie de Paris")
    assert run(django_capture_on_commit_callbacks) == 3
    mails = by_recipient(mailoutbox)
    oise = mails[prefects["oise"].email]
    assert oise.subject == "[Conseillers numériques] 2 nouvelles candidatures — Oise (60)"
    assert "Mairie de Beauvais (Beauvais (60)) : 3 poste(s)" in oise.body
    assert "Compiègne" in oise.body and "Lille" not in oise.body and "Paris" not in oise.body
    nord = mails[prefects["nord"].email]
    assert "Mairie de Lille" in nord.body and "Beauvais" not in nord.body
    region = mails[prefects["hauts_de_france"].email].body
    assert all(name in region for name in ("Beauvais", "Compiègne", "Lille"))
    assert "Paris" not in region


def test_a_second_run_sends_nothing_twice(prefects, communes, mailoutbox,
                                          django_capture_on_commit_callbacks):
    file(communes["Beauvais"], "Mairie de Beauvais")
    run(django_capture_on_commit_callbacks)
    sent = len(mailoutbox)
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == sent


def test_the_next_digest_lists_only_what_is_new(prefects, communes, mailoutbox,
                                                django_capture_on_commit_callbacks):
    file(communes["Beauvais"], "Première structure")
    run(django_capture_on_commit_callbacks)
    mailoutbox.clear()
    file(communes["Beauvais"], "Deuxième structure")
    run(django_capture_on_commit_callbacks)
    oise = by_recipient(mailoutbox)[prefects["oise"].email]
    assert "1 nouvelle candidature —" in oise.subject
    assert "Deuxième structure" in oise.body and "Première structure" not in oise.body


def test_nothing_is_sent_when_nothing_is_new(prefects, communes, mailoutbox,
                                             django_capture_on_commit_callbacks):
    file(communes["Paris"], "Mairie de Paris")  # no préfet assigned there
    assert run(django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []
    assert not PrefectAssignment.objects.filter(last_digest_at__isnull=False).exists()


def test_applications_filed_before_the_assignment_are_not_sent(
        prefects, communes, mailoutbox, django_capture_on_commit_callbacks):
    old = file(communes["Beauvais"], "Ancienne")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert run(django_capture_on_commit_callbacks) == 0


def test_a_prefect_without_the_role_gets_nothing(prefects, communes, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    prefects["oise"].groups.remove(Group.objects.get(name=Role.PREFET))
    file(communes["Beauvais"], "Mairie de Beauvais")
    run(django_capture_on_commit_callbacks)
    assert prefects["oise"].email not in by_recipient(mailoutbox)


def test_the_digest_runs_daily_at_seven_paris_time():
    entry = settings.CELERY_BEAT_SCHEDULE["advisors-send-prefect-digests"]
    assert entry["task"] == "advisors.tasks.send_prefect_digests"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Paris"
