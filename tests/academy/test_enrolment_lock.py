"""What an enrolment does while it holds its session's row lock (issue 21): in a rush every
enrolment of the session waits for the one before it, so the lock covers only the rules that
depend on the session's row, the seats count and the insert. The email (rendered, with its
calendar invitation) is queued once the enrolment is committed; the course page is not
locked, so the course's other sessions take enrolments meanwhile."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, connections, transaction

from academy import emails, services
from academy.models import Enrolment
from tests import factories as make

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_sessions():
    make.ensure_site()
    communes = make.geography()
    course = make.course("Cybersécurité des collectivités", audience="all")
    return (make.session(course, communes["Paris"], capacity=1),
            make.session(course, communes["Paris"], capacity=1))


def person(n):
    return get_user_model().objects.create_user(email=f"elu{n}@example.fr", password="x")


def test_the_email_is_saved_with_the_enrolment_and_written_when_sent(two_sessions,
                                                                     monkeypatch):
    # The outbox's row is committed with the enrolment (or not at all); the message is
    # written by whoever sends it (a worker; here, at the commit), from the committed row.
    session, _ = two_sessions
    seen = []
    write = emails.write

    def spy(enrolment, kind, *args, **kwargs):
        seen.append((kind, connection.in_atomic_block,
                     Enrolment.objects.filter(pk=enrolment.pk).exists()))
        return write(enrolment, kind, *args, **kwargs)

    monkeypatch.setattr(emails, "write", spy)
    first = services.enrol(session.pk, person(1))
    second = services.enrol(session.pk, person(2))
    assert seen == [("confirmed", False, True), ("waitlisted", False, True)]
    assert [m.subject.split(" :")[0] for m in mail.outbox] == [
        "Inscription confirmée", "Liste d'attente"]
    assert "position 1 sur la liste d'attente" in mail.outbox[1].body
    assert first.status == Enrolment.Status.CONFIRMED
    assert second.position_when_enrolled == second.waitlist_position() == 1


def test_inside_a_callers_transaction_nothing_leaves_before_its_commit(two_sessions):
    session, _ = two_sessions
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enrol(session.pk, person(1))
        raise RuntimeError
    assert mail.outbox == [] and not Enrolment.objects.exists()


def test_the_course_page_is_not_locked_with_the_session(two_sessions):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this test on it)")
    first, second = two_sessions
    people = [person(1), person(2)]
    done, errors = threading.Event(), []

    def enrol_in_the_other_session():
        try:
            services.enrol(second.pk, people[1])
            done.set()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    with transaction.atomic():
        services._locked_session(first.pk)  # as cancel() or change_capacity() hold it
        other = threading.Thread(target=enrol_in_the_other_session)
        other.start()
        assert done.wait(timeout=20), "the other session's enrolment waited for this lock"
    other.join(timeout=20)
    assert errors == []
    assert second.enrolments.get().status == Enrolment.Status.CONFIRMED
