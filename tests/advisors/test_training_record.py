"""An advisor's training record shows their initial training and the Académie sessions
they attended, to themselves and to their coordinator."""

from datetime import date

import pytest

from academy.models import Enrolment
from tests import factories as academy
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisor():
    communes = make.geography()
    account = make.user()
    advisor = make.advisor(account, training_start=date(2025, 3, 3),
                           training_end=date(2025, 5, 16), training_hours=350, pix_level=4,
                           ccp1_obtained=True, ccp1_obtained_on=date(2025, 6, 2))
    make.contract(make.validated_structure(communes["Beauvais"]), advisor)
    attended = academy.session(academy.course("Accompagner les démarches en ligne"),
                               communes["Beauvais"], days=-20)
    upcoming = academy.session(academy.course("Cybersécurité au quotidien"),
                               communes["Beauvais"])
    for session in (attended, upcoming):
        Enrolment.objects.create(session=session, user=account,
                                 status=Enrolment.Status.CONFIRMED)
    return advisor


def test_advisor_sees_initial_training_and_attended_academy_sessions(client, advisor):
    client.force_login(advisor.user)
    page = client.get("/conseillers-numeriques/ma-formation/").content.decode()
    assert "Du 3 mars 2025 au 16 mai 2025 — 350 heures" in page
    assert "Niveau Pix : 4" in page and "obtenu le 2 juin 2025" in page
    assert "Accompagner les démarches en ligne" in page
    assert "Cybersécurité au quotidien" not in page  # not attended yet


def test_coordinator_sees_the_record_and_others_get_404(client, advisor):
    coordinator = make.advisor(make.user(), is_coordinator=True)
    coordinator.coordinated.add(advisor)
    client.force_login(coordinator.user)
    page = client.get(f"/conseillers-numeriques/coordination/conseillers/{advisor.pk}/")
    assert "Accompagner les démarches en ligne" in page.content.decode()
    client.force_login(make.user())
    assert client.get("/conseillers-numeriques/ma-formation/").status_code == 404
