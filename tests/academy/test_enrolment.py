"""Enrolment rules: window, audience, once per person, seats, waiting list, approval,
cancellation and its deadline, capacity changes, session cancellation, messages."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from academy import services
from academy.models import Audience, Enrolment, Mandate, OfficialProfile, Session
from tests import factories as make

pytestmark = pytest.mark.django_db
Status = Enrolment.Status


def official(email, commune=None, first=False):
    user = get_user_model().objects.create_user(email=email, password="x",
                                                first_name="Élu", last_name=email.split("@")[0])
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=commune,
                           started_on=date(2020, 7, 1), is_first_mandate=first)
    return user


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def session(communes):
    return make.session(make.course("Construire le budget communal"), communes["Beauvais"],
                        capacity=2)


def enrol(session, user, **kwargs):
    return services.enrol(session.pk, user, **kwargs)


def test_confirmed_until_full_then_waitlisted_in_order(session, communes,
                                                       django_capture_on_commit_callbacks):
    users = [official(f"elu{n}@example.fr", communes["Paris"]) for n in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        results = [enrol(session, u) for u in users]
    assert [e.status for e in results] == [Status.CONFIRMED, Status.CONFIRMED,
                                           Status.WAITLISTED, Status.WAITLISTED]
    assert [e.waitlist_position() for e in results[2:]] == [1, 2]
    subjects = [m.subject for m in mail.outbox]
    assert subjects.count("Inscription confirmée : Construire le budget communal") == 2
    assert subjects.count("Liste d'attente : Construire le budget communal") == 2
    assert "position 2 sur la liste d'attente" in mail.outbox[3].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_no_email_leaves_when_the_transaction_rolls_back(session, communes,
                                                         django_capture_on_commit_callbacks):
    from django.db import transaction

    user = official("elu@example.fr", communes["Paris"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enrol(session, user)
            raise RuntimeError
    assert callbacks == [] and mail.outbox == []
    assert not Enrolment.objects.exists()


def test_once_per_person_per_session(session, communes):
    user = official("elu@example.fr", communes["Paris"])
    enrol(session, user)
    with pytest.raises(services.EnrolmentError, match="déjà inscrit"):
        enrol(session, user)
    assert Enrolment.objects.count() == 1


def test_enrolment_window_is_enforced(communes):
    course = make.course()
    user = official("elu@example.fr", communes["Paris"])
    closed = make.session(course, communes["Paris"], days=5,
                          enrolment_closes=timezone.now() - timedelta(hours=1))
    not_open = make.session(course, communes["Paris"], days=90,
                            enrolment_opens=timezone.now() + timedelta(days=10))
    with pytest.raises(services.EnrolmentError, match="closes"):
        enrol(closed, user)
    with pytest.raises(services.EnrolmentError, match="pas encore ouvertes"):
        enrol(not_open, user)
    assert not Enrolment.objects.exists()


def test_audience_elected_officials_needs_a_mandate(session):
    user = get_user_model().objects.create_user(email="agent@example.fr", password="x")
    with pytest.raises(services.EnrolmentError, match="réservée aux élus"):
        enrol(session, user)


def test_audience_advisors_needs_the_advisor_role(communes):
    session = make.session(make.course(audience=Audience.ADVISORS), communes["Lille"])
    with pytest.raises(services.EnrolmentError, match="conseillers numériques"):
        enrol(session, official("elu@example.fr", communes["Paris"]))


def test_cancelled_session_refuses_enrolments(session, communes):
    services.cancel_session(session.pk)
    with pytest.raises(services.EnrolmentError, match="annulée"):
        enrol(session, official("elu@example.fr", communes["Paris"]))


def test_cancelling_a_seat_promotes_the_first_waitlisted_and_tells_them(
        session, communes, django_capture_on_commit_callbacks):
    a, b, c, d = (official(f"{n}@example.fr", communes["Paris"]) for n in "abcd")
    first, _, third, fourth = (enrol(session, u) for u in (a, b, c, d))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first.pk, a)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == Status.CONFIRMED
    assert fourth.status == Status.WAITLISTED and fourth.waitlist_position() == 1
    assert session.enrolments.holding_seats().count() == 2
    assert {m.to[0]: m.subject for m in mail.outbox} == {
        "a@example.fr": "Annulation enregistrée : Construire le budget communal",
        "c@example.fr": "Une place s'est libérée : Construire le budget communal",
    }


def test_a_cancelled_person_may_enrol_again(session, communes):
    user = official("elu@example.fr", communes["Paris"])
    services.cancel(enrol(session, user).pk, user)
    assert enrol(session, user).status == Status.CONFIRMED
    assert Enrolment.objects.count() == 1


def test_self_cancellation_stops_at_the_deadline(communes):
    session = make.session(make.course(), communes["Paris"], days=2,
                           cancellation_deadline=timezone.now() - timedelta(hours=1),
                           contact_email="academie@anct.gouv.fr",
                           enrolment_closes=timezone.now() + timedelta(days=1))
    user = official("elu@example.fr", communes["Paris"])
    enrolment = enrol(session, user)
    with pytest.raises(services.EnrolmentError, match="academie@anct.gouv.fr"):
        services.cancel(enrolment.pk, user)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CONFIRMED


def test_nobody_cancels_someone_elses_enrolment(session, communes):
    owner = official("owner@example.fr", communes["Paris"])
    other = official("other@example.fr", communes["Paris"])
    enrolment = enrol(session, owner)
    with pytest.raises(PermissionDenied):
        services.cancel(enrolment.pk, other)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CONFIRMED


def test_raising_capacity_promotes_waitlisted_lowering_below_confirmed_is_refused(
        session, communes):
    people = [official(f"p{n}@example.fr", communes["Paris"]) for n in range(4)]
    enrolments = [enrol(session, u) for u in people]
    with pytest.raises(services.EnrolmentError, match="inférieure au nombre d'inscrits"):
        services.change_capacity(session.pk, 1)
    session.refresh_from_db()
    assert session.capacity == 2
    promoted = services.change_capacity(session.pk, 3)
    assert [e.pk for e in promoted] == [enrolments[2].pk]


def test_approval_mode_keeps_requests_pending_until_staff_decide(communes):
    session = make.session(make.course(), communes["Beauvais"], capacity=1,
                           requires_approval=True)
    small = communes["Compiègne"]
    small.population = 2000
    small.save()
    communes["Paris"].population = 2_100_000
    communes["Paris"].save()
    newcomer = official("new@example.fr", small, first=True)
    veteran = official("old@example.fr", communes["Paris"])
    pending_new, pending_old = enrol(session, newcomer), enrol(session, veteran)
    assert pending_new.status == pending_old.status == Status.PENDING
    # first mandate + commune under 3,500 + same département as the session (Oise)
    assert pending_new.priority == 3 and pending_old.priority == 0

    assert services.accept(pending_new.pk).status == Status.CONFIRMED
    assert services.accept(pending_old.pk).status == Status.WAITLISTED  # no seat left
    with pytest.raises(services.EnrolmentError, match="Impossible"):
        services.refuse(pending_new.pk)


def test_staff_move_up_needs_a_free_seat(session, communes):
    people = [official(f"p{n}@example.fr", communes["Paris"]) for n in range(3)]
    enrolments = [enrol(session, u) for u in people]
    with pytest.raises(services.EnrolmentError, match="complète"):
        services.move_up(enrolments[2].pk)
    Session.objects.filter(pk=session.pk).update(capacity=3)
    assert services.move_up(enrolments[2].pk).status == Status.CONFIRMED


def test_staff_can_add_someone_after_the_window_closes(communes):
    session = make.session(make.course(), communes["Paris"], days=2,
                           enrolment_closes=timezone.now() - timedelta(hours=1))
    user = get_user_model().objects.create_user(email="invite@example.fr", password="x")
    staff = get_user_model().objects.create_user(email="staff@example.fr", password="x")
    assert enrol(session, user, by_staff=staff).status == Status.CONFIRMED


def test_cancelling_the_session_tells_everyone_active(session, communes,
                                                      django_capture_on_commit_callbacks):
    people = [official(f"p{n}@example.fr", communes["Paris"]) for n in range(3)]
    for user in people:
        enrol(session, user)
    services.cancel(Enrolment.objects.get(user=people[0]).pk, people[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        affected = services.cancel_session(session.pk)
    assert len(affected) == 2
    assert set(Enrolment.objects.values_list("status", flat=True)) == {
        Status.CANCELLED, Status.CANCELLED_BY_ORGANISER}
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@example.fr", "p2@example.fr"]
    assert all(m.subject.startswith("Session annulée") for m in mail.outbox)


def test_half_days_of_a_two_day_session():
    from datetime import datetime

    session = Session(start=timezone.make_aware(datetime(2027, 3, 2, 9)),
                      end=timezone.make_aware(datetime(2027, 3, 3, 17)))
    assert session.half_days() == [(date(2027, 3, 2), "am"), (date(2027, 3, 2), "pm"),
                                   (date(2027, 3, 3), "am"), (date(2027, 3, 3), "pm")]
    morning = Session(start=timezone.make_aware(datetime(2027, 3, 2, 9)),
                      end=timezone.make_aware(datetime(2027, 3, 2, 12, 30)))
    assert morning.half_days() == [(date(2027, 3, 2), "am")]
