"""50 people press "S'inscrire" at the same instant for 5 seats, through real PostgreSQL
connections: exactly 5 are confirmed, the 45 others are on the waiting list in order."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from academy import services
from academy.models import Enrolment
from tests import factories as make

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE, SEATS = 50, 5


@pytest.fixture
def full_house():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this test on it)")
    make.ensure_site()
    communes = make.geography()
    session = make.session(make.course("Cybersécurité des collectivités", audience="all"),
                           communes["Paris"], capacity=SEATS)
    users = [get_user_model().objects.create_user(email=f"elu{n}@example.fr", password="x")
             for n in range(PEOPLE)]
    return session, users


def test_fifty_simultaneous_enrolments_never_exceed_five_seats(full_house):
    session, users = full_house
    barrier = threading.Barrier(PEOPLE)
    outcomes, errors = [], []

    def press_enrol(user):
        try:
            barrier.wait()
            outcomes.append(services.enrol(session.pk, user).status)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_enrol, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert outcomes.count(Enrolment.Status.CONFIRMED) == SEATS
    assert outcomes.count(Enrolment.Status.WAITLISTED) == PEOPLE - SEATS
    assert session.enrolments.holding_seats().count() == SEATS
    positions = sorted(e.waitlist_position() for e in session.enrolments.waitlist())
    assert positions == list(range(1, PEOPLE - SEATS + 1))
