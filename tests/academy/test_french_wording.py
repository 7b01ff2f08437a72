"""Dates on the pages and in the emails as French readers write them ("1er décembre",
"jusqu'au 11 décembre à 9 h"), and the webcal:// subscription next to each download."""

from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from academy import services
from calendars.ical import PARIS
from tests import factories as make
from tests.academy.test_enrolment import official

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def session(monkeypatch, communes):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return make.session(
        make.course("Budget communal"), communes["Beauvais"],
        start=datetime(2026, 12, 1, 9, 0, tzinfo=PARIS),
        end=datetime(2026, 12, 1, 17, 30, tzinfo=PARIS),
        enrolment_opens=datetime(2026, 11, 1, 9, 0, tzinfo=PARIS),
        enrolment_closes=datetime(2026, 11, 27, 9, 0, tzinfo=PARIS),
        cancellation_deadline=datetime(2026, 11, 28, 12, 0, tzinfo=PARIS))


def test_the_session_card_says_1er_and_the_deadline_with_its_hour(client, session):
    html = client.get(session.course.url).content.decode()
    nbsp = "\u00a0"  # an hour never breaks across lines
    assert f"Mardi 1er décembre 2026, 9{nbsp}h – 17{nbsp}h{nbsp}30" in html
    assert f"Inscriptions jusqu'au 27 novembre à{nbsp}9{nbsp}h" in html
    ics = f"/calendrier/sessions/{session.pk}.ics"
    assert f'href="webcal://testserver{ics}"' in html
    assert f'href="{ics}" download' in html


def test_my_space_offers_the_subscription_next_to_the_download(client, session, communes):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    services.enrol(session.pk, anne)
    client.force_login(anne)
    html = client.get("/espace/").content.decode()
    ics = f"/calendrier/sessions/{session.pk}.ics"
    assert f'href="webcal://testserver{ics}"' in html
    assert f'href="{ics}" download' in html


def test_the_confirmation_email_gives_the_cancellation_deadline_with_its_hour(
        session, communes, django_capture_on_commit_callbacks):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(session.pk, anne)
    body = mail.outbox[-1].body
    assert "la session du mardi 1er décembre 2026 à 9 h est confirmée" in body
    assert "Vous pouvez annuler jusqu'au 28 novembre à 12 h depuis « Mon espace »." in body
