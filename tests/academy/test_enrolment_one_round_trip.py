"""The person's own enrolment on PostgreSQL in one message to the server (issue 21): the
session's row locked, the seats counted, the enrolment inserted and the dashboards' total
counted, then committed, without a round trip to Python while the lock is held. What a
person notices must not change: never more confirmed than seats, the rank announced is the
rank kept, the dashboards count each confirmed enrolment once, and what the signals of a
save renew is renewed."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models.signals import post_save, pre_save
from django.dispatch.dispatcher import _make_id

from academy import services
from academy.models import Enrolment
from dashboards.models import SessionTotals
from dashboards.rollups import refresh_sessions
from tests import factories as make

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE, SEATS = 30, 4


def receivers(signal, sender):
    """The dispatch uids of the receivers of ``signal`` for ``sender``, without the id of
    the signal object some of them carry."""
    key = _make_id(sender)
    return sorted(str(uid).replace(f"{signal}", "<signal>")
                  for (uid, sender_key), *_ in signal.receivers if sender_key == key)


def test_a_new_receiver_of_enrolment_saves_is_checked_against_the_one_round_trip_way():
    # services._enrol_in_one_round_trip inserts with SQL of its own, counts the dashboards'
    # total in the same statement, then sends post_save with raw=True to the others: a
    # receiver added to this list must do what it should from there (or be done in SQL).
    assert receivers(pre_save, Enrolment) == ["dashboards-rollups-e0"]
    assert receivers(post_save, Enrolment) == sorted([
        "dashboards-rollups-e1",  # the total: counted in the statement, skips raw saves
        "space-enrolment-<signal>",  # "Mon espace" of the person
        "pages:anonymous:version:<signal>:academy.Enrolment",
        "dashboards:version:<signal>:academy.Enrolment",
        "opendata:version:<signal>:academy.Enrolment",
    ])


@pytest.fixture
def session():
    if connection.vendor != "postgresql":
        pytest.skip("the one-message enrolment is PostgreSQL's (CI runs this test on it)")
    make.ensure_site()
    communes = make.geography()
    return make.session(make.course("Cybersécurité des collectivités", audience="all"),
                        communes["Paris"], capacity=SEATS)


def people(count):
    return [get_user_model().objects.create_user(email=f"elu{n}@example.fr", password="x")
            for n in range(count)]


def test_simultaneous_enrolments_fill_the_seats_and_keep_the_announced_ranks(session):
    barrier = threading.Barrier(PEOPLE)
    announced, errors = {}, []

    def press_enrol(user):
        try:
            barrier.wait()
            enrolment = services.enrol(session.pk, user)
            announced[enrolment.pk] = getattr(enrolment, "position_when_enrolled", None)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_enrol, args=(u,)) for u in people(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert session.enrolments.holding_seats().count() == SEATS
    waitlist = list(session.enrolments.waitlist())
    assert len(waitlist) == PEOPLE - SEATS
    assert [announced[e.pk] for e in waitlist] == list(range(1, PEOPLE - SEATS + 1))
    assert SessionTotals.objects.get(session=session).enrolments == SEATS
    refresh_sessions([session.pk])  # a recount finds the same
    assert SessionTotals.objects.get(session=session).enrolments == SEATS


def test_the_one_round_trip_way_renews_the_persons_space_and_says_the_rank(session,
                                                                          monkeypatch):
    first, second, *others = people(SEATS + 2)
    services.enrol(session.pk, first)
    saved = []
    monkeypatch.setattr("academy.space_cache.bump_person", lambda pk: saved.append(pk))
    for user in [second, *others]:
        services.enrol(session.pk, user)
    assert saved == [user.pk for user in [second, *others]]
    last = Enrolment.objects.get(user=others[-1])
    assert last.status == Enrolment.Status.WAITLISTED
    assert last.waitlist_position() == 2
    assert SessionTotals.objects.get(session=session).enrolments == SEATS


def test_coming_back_after_cancelling_and_enrolling_twice_are_the_usual_ways(session):
    user, other = people(2)
    enrolment = services.enrol(session.pk, user)
    with pytest.raises(services.EnrolmentError, match="déjà inscrit"):
        services.enrol(session.pk, user)
    services.cancel(enrolment.pk, user)
    services.enrol(session.pk, other)
    again = services.enrol(session.pk, user)
    assert again.pk == enrolment.pk and again.status == Enrolment.Status.CONFIRMED
    assert again.invitation_sequence == 2  # cancelled (1), then a newer invitation
    assert SessionTotals.objects.get(session=session).enrolments == 2


def test_a_cancelled_session_says_so(session):
    first, user = people(2)
    services.enrol(session.pk, first)
    services.cancel_session(session.pk)
    with pytest.raises(services.EnrolmentError, match="annulée"):
        services.enrol(session.pk, user)
    assert not Enrolment.objects.filter(user=user).exists()


def test_a_session_without_its_dashboards_row_is_counted_by_the_usual_way(session):
    # Sessions made before their row was made with them: the first enrolment recounts.
    assert SessionTotals.objects.filter(session=session).exists()
    SessionTotals.objects.filter(session=session).delete()
    first, second = people(2)
    services.enrol(session.pk, first)
    services.enrol(session.pk, second)
    assert SessionTotals.objects.get(session=session).enrolments == 2
