"""Waiting-list offers under concurrent answers, cancellations, enrolments and expiry runs,
through real PostgreSQL connections (row locks): seats held never exceed capacity, the
freed seats are offered in queue order, and each offer is made and closed once."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from academy import offers, services
from academy.models import Enrolment, Session
from academy.tasks import expire_waitlist_offers
from accounts.models import OutgoingEmail
from tests import factories as make

pytestmark = pytest.mark.django_db(transaction=True)
Status = Enrolment.Status
SEATS, WAITING, NEWCOMERS = 3, 6, 5


@pytest.fixture
def offered_session():
    """Three seats in offer mode: c0 cancelled (so w0 holds an offer), c1 and c2 confirmed,
    w1…w5 waiting in that order."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this test on it)")
    make.ensure_site()
    communes = make.geography()
    session = make.session(make.course("Cybersécurité des collectivités", audience="all"),
                           communes["Paris"], capacity=SEATS,
                           waitlist_mode=Session.WaitlistMode.OFFER)
    user = get_user_model().objects.create_user
    seated = [services.enrol(session.pk, user(email=f"c{n}@example.fr", password="x"))
              for n in range(SEATS)]
    queue = [services.enrol(session.pk, user(email=f"w{n}@example.fr", password="x"))
             for n in range(WAITING)]
    services.cancel(seated[0].pk, seated[0].user)
    return session, seated, queue


def run_together(actions):
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        try:
            barrier.wait()
            action()
        except services.EnrolmentError:
            pass  # a French refusal is a valid outcome; checked by the state below
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def statuses(session):
    return dict(session.enrolments.values_list("user__email", "status"))


def test_accepting_while_others_cancel_and_enrol_never_overbooks(offered_session):
    session, seated, queue = offered_session
    newcomers = [get_user_model().objects.create_user(email=f"n{n}@example.fr", password="x")
                 for n in range(NEWCOMERS)]
    actions = [lambda: offers.accept(queue[0].pk, queue[0].user)]
    actions += [lambda e=e: services.cancel(e.pk, e.user) for e in seated[1:]]
    actions += [lambda u=u: services.enrol(session.pk, u) for u in newcomers]
    assert run_together(actions) == []

    state = statuses(session)
    assert state["w0@example.fr"] == Status.CONFIRMED
    held = [email for email, status in state.items() if status in Session.HELD_STATUSES]
    assert len(held) == SEATS
    # the two freed seats went to the next two in queue order, newcomers queue behind
    assert {e for e, s in state.items() if s == Status.OFFERED} == {"w1@example.fr",
                                                                     "w2@example.fr"}
    assert all(state[u.email] == Status.WAITLISTED for u in newcomers)


def test_a_lapsed_offer_answered_during_two_expiry_runs_is_passed_on_once(offered_session):
    session, seated, queue = offered_session
    Enrolment.objects.filter(pk=queue[0].pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1))
    actions = [lambda: offers.accept(queue[0].pk, queue[0].user),
               expire_waitlist_offers, expire_waitlist_offers]
    assert run_together(actions) == []

    state = statuses(session)
    assert state["w0@example.fr"] == Status.OFFER_EXPIRED
    assert state["w1@example.fr"] == Status.OFFERED
    assert state["w2@example.fr"] == Status.WAITLISTED
    made = OutgoingEmail.objects.filter(to=["w1@example.fr"],
                                        subject__startswith="Une place vous est proposée")
    expired = OutgoingEmail.objects.filter(to=["w0@example.fr"],
                                           subject__startswith="Proposition expirée")
    assert made.count() == 1 and expired.count() == 1
