"""What people are told by email about their sessions: reminders that say the real delay
with the session's invitation, a change of time, place or link with the updated invitation,
a cancellation with its reason and the course's other sessions, and the CANCEL of a deleted
account's invitations."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from academy import services, tasks
from academy.models import Enrolment, Session
from accounts.models import OutgoingEmail
from accounts.roles import Role
from calendars.events import make_uid
from calendars.ical import PARIS
from privacy import services as privacy
from tests import factories as make
from tests.academy.test_enrolment import official

pytestmark = pytest.mark.django_db

# A Tuesday evening in Paris.
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=PARIS)


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs an action as if its transaction committed, so its emails leave."""
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)
    return run


@pytest.fixture
def clock(monkeypatch):
    """The time the code reads, set by the test."""
    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
    set_to(NOW)
    return set_to


def session_at(course, commune, start, hours=7, **fields):
    values = dict(start=start, end=start + timedelta(hours=hours),
                  enrolment_opens=NOW - timedelta(days=30),
                  enrolment_closes=start - timedelta(hours=2),
                  cancellation_deadline=start - timedelta(hours=2))
    values.update(fields)
    return make.session(course, commune, **values)


def invitations(message):
    """(method, calendar) of the message's iCalendar part, or None."""
    parts = [a for a in message.attachments if not isinstance(a, tuple)]
    if not parts:
        return None
    assert len(parts) == 1
    calendar = Calendar.from_ical(parts[0].get_payload(decode=True))
    assert calendar["METHOD"] == parts[0].get_param("method")
    return str(calendar["METHOD"]), calendar


def feed_event(client, session):
    response = client.get(f"/calendrier/sessions/{session.pk}.ics")
    return Calendar.from_ical(response.content).events[0]


def sent_to(email):
    return [m for m in mail.outbox if m.to == [email]]


# --- reminders ------------------------------------------------------------------------------
def test_each_reminder_says_the_real_delay_and_carries_the_sessions_invitation(
        client, communes, clock, committed):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    late = session_at(make.course("Budget communal"), communes["Beauvais"],
                      NOW + timedelta(hours=31))  # Thursday 03:00, enrolled at the last minute
    in_six_days = session_at(make.course("Urbanisme"), communes["Beauvais"],
                             datetime(2026, 12, 7, 9, 0, tzinfo=PARIS))
    tonight = session_at(make.course("Conseil municipal"), communes["Beauvais"],
                         datetime(2026, 12, 2, 21, 0, tzinfo=PARIS), hours=2)
    for session in (late, in_six_days, tonight):
        services.enrol(session.pk, anne)
    mail.outbox.clear()

    # Tuesday 20:00: the week reminder of the session in six days; none for the session
    # 31 hours away (under two days: the day-before one will go), nothing "dans une semaine".
    assert committed(tasks.send_reminders) == 1
    assert committed(tasks.send_reminders) == 0  # run twice: sent once
    [week] = mail.outbox
    assert week.subject == "Rappel : Urbanisme dans 6 jours"
    assert "Votre session commence dans 6 jours, le lundi 7 décembre 2026 à 9 h." in week.body
    method, calendar = invitations(week)
    assert method == "REQUEST"
    assert [str(e["UID"]) for e in calendar.events] == [make_uid("session", in_six_days.pk)]
    assert calendar.events[0]["SEQUENCE"] == feed_event(client, in_six_days)["SEQUENCE"]

    # Wednesday 04:00: the day-before reminders, each worded from its own delay.
    mail.outbox.clear()
    clock(datetime(2026, 12, 2, 4, 0, tzinfo=PARIS))
    assert committed(tasks.send_reminders) == 2
    assert committed(tasks.send_reminders) == 0
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Rappel : Budget communal demain",
                        "Rappel : Conseil municipal aujourd'hui"]
    bodies = {m.subject: m.body for m in mail.outbox}
    assert ("Votre session commence demain, le jeudi 3 décembre 2026 à 3 h."
            in bodies["Rappel : Budget communal demain"])
    assert all(invitations(m)[0] == "REQUEST" for m in mail.outbox)
    assert not OutgoingEmail.objects.filter(subject__contains="dans une semaine").exists()


def test_a_week_reminder_is_never_sent_inside_the_last_day(communes, clock, committed):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    soon = session_at(make.course("Demain"), communes["Beauvais"], NOW + timedelta(hours=20))
    services.enrol(soon.pk, anne)
    mail.outbox.clear()
    assert committed(tasks.send_reminders) == 1
    assert [m.subject for m in mail.outbox] == ["Rappel : Demain demain"]
    enrolment = Enrolment.objects.get(user=anne)
    assert enrolment.reminder_7_sent_at is None and enrolment.reminder_1_sent_at is not None


# --- a change of time, place or link ----------------------------------------------------------
def test_a_move_tells_confirmed_and_waitlisted_people_with_the_updated_invitation(
        client, communes, committed):
    course = make.course("Budget communal")
    session = make.session(course, communes["Beauvais"], capacity=1,
                           address="Hôtel de ville",
                           start=timezone.make_aware(datetime(2027, 3, 2, 9, 0)),
                           end=timezone.make_aware(datetime(2027, 3, 2, 17, 0)))
    anne = official("anne@mairie.fr", communes["Beauvais"])
    paul = official("paul@mairie.fr", communes["Beauvais"])
    committed(services.enrol, session.pk, anne)
    committed(services.enrol, session.pk, paul)  # waitlisted
    first_request = invitations(sent_to("anne@mairie.fr")[0])[1].events[0]
    mail.outbox.clear()

    session.start += timedelta(days=1)
    session.end += timedelta(days=1, hours=-1)
    session.address = "Salle des fêtes"
    session.commune = communes["Compiègne"]
    committed(session.save)

    [to_anne] = sent_to("anne@mairie.fr")
    [to_paul] = sent_to("paul@mairie.fr")
    assert to_anne.subject == "Session modifiée : Budget communal"
    for message in (to_anne, to_paul):
        assert ("Nouvel horaire : le mercredi 3 mars 2027, de 9 h à 16 h (au lieu de : le "
                "mardi 2 mars 2027, de 9 h à 17 h).") in message.body
        assert ("Nouveau lieu : Salle des fêtes, Compiègne (60) (au lieu de : Hôtel de ville, "
                "Beauvais (60)).") in message.body
    method, calendar = invitations(to_anne)
    event = calendar.events[0]
    feed = feed_event(client, session)
    assert method == "REQUEST"
    assert event["UID"] == feed["UID"] == first_request["UID"]
    assert event["SEQUENCE"] == feed["SEQUENCE"] > first_request["SEQUENCE"]
    assert event.start.astimezone(PARIS).day == 3
    assert invitations(to_paul) is None  # no seat, no invitation
    assert "Vous restez sur la liste d'attente" in to_paul.body

    # Saving again without a change, or changing the trainers only, tells nobody.
    mail.outbox.clear()
    committed(session.save)
    session.trainers = "Mme Martin"
    committed(session.save)
    assert mail.outbox == []


def test_a_new_visio_link_goes_to_confirmed_people_only(communes, committed):
    session = make.session(make.course("À distance"), None, capacity=1)
    anne = official("anne@mairie.fr", communes["Beauvais"])
    paul = official("paul@mairie.fr", communes["Beauvais"])
    committed(services.enrol, session.pk, anne)
    committed(services.enrol, session.pk, paul)
    mail.outbox.clear()
    session.remote_url = "https://webconf.example.fr/nouvelle-salle"
    committed(session.save)
    [to_anne], [to_paul] = sent_to("anne@mairie.fr"), sent_to("paul@mairie.fr")
    assert "Nouveau lien de visioconférence : https://webconf.example.fr/nouvelle-salle" \
        in to_anne.body
    assert "nouvelle-salle" not in to_paul.body
    description = str(invitations(to_anne)[1].events[0]["DESCRIPTION"])
    assert "https://webconf.example.fr/nouvelle-salle" in description


def test_a_session_shortened_by_a_day_cancels_that_day_in_the_calendar(communes, committed):
    session = make.session(make.course("Deux jours"), communes["Beauvais"],
                           start=timezone.make_aware(datetime(2027, 3, 2, 9, 0)),
                           end=timezone.make_aware(datetime(2027, 3, 3, 17, 0)))
    anne = official("anne@mairie.fr", communes["Beauvais"])
    committed(services.enrol, session.pk, anne)
    assert len(invitations(mail.outbox[-1])[1].events) == 2
    mail.outbox.clear()
    session.end -= timedelta(days=1)
    committed(session.save)
    by_method = {invitations(m)[0]: invitations(m)[1] for m in sent_to("anne@mairie.fr")}
    assert [str(e["UID"]) for e in by_method["REQUEST"].events] == [
        make_uid("session", session.pk)]
    assert [(str(e["UID"]), e["STATUS"]) for e in by_method["CANCEL"].events] == [
        (make_uid("session", f"{session.pk}-2"), "CANCELLED")]


# --- a cancellation ---------------------------------------------------------------------------
def test_a_cancellation_gives_the_reason_and_the_courses_other_sessions(communes, committed):
    course = make.course("Budget communal")
    cancelled = make.session(course, communes["Beauvais"])
    other = make.session(course, communes["Lille"], days=60,
                         start=timezone.make_aware(datetime(2027, 3, 2, 9, 0)),
                         end=timezone.make_aware(datetime(2027, 3, 2, 17, 0)))
    anne = official("anne@mairie.fr", communes["Beauvais"])
    committed(services.enrol, cancelled.pk, anne)
    mail.outbox.clear()
    committed(services.cancel_session, cancelled.pk, "La formatrice est souffrante.")
    [message] = mail.outbox
    assert message.subject == "Session annulée : Budget communal"
    assert "Motif : La formatrice est souffrante." in message.body
    assert "le mardi 2 mars 2027, de 9 h à 17 h — Lille (59)" in message.body
    assert f"{course.url}#session-{other.pk}" in message.body
    assert invitations(message)[0] == "CANCEL"


def test_the_back_office_asks_for_the_reason_next_to_the_field(client, communes):
    session = make.session(make.course(), communes["Beauvais"])
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    url = f"/admin/academie/sessions/{session.pk}/annuler/"
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Indiquez le motif de l&#x27;annulation" in response.content.decode()
    assert not Session.objects.get(pk=session.pk).is_cancelled
    assert client.post(url, {"reason": "Salle indisponible"}).status_code == 302
    assert Session.objects.get(pk=session.pk).is_cancelled


# --- an account deleted -----------------------------------------------------------------------
def test_deleting_an_account_sends_the_cancel_of_its_invitations(communes, committed):
    two_days = make.session(make.course("Deux jours"), communes["Beauvais"],
                            start=timezone.make_aware(datetime(2027, 3, 2, 9, 0)),
                            end=timezone.make_aware(datetime(2027, 3, 3, 17, 0)))
    anne = official("anne@mairie.fr", communes["Beauvais"])
    committed(services.enrol, two_days.pk, anne)
    request = invitations(mail.outbox[-1])[1]
    mail.outbox.clear()
    committed(privacy.erase_account, anne)
    [message] = mail.outbox
    assert message.to == ["anne@mairie.fr"]
    method, cancel = invitations(message)
    assert method == "CANCEL"
    assert [str(e["UID"]) for e in cancel.events] == [str(e["UID"]) for e in request.events]
    assert all(c["SEQUENCE"] > r["SEQUENCE"] for c, r in zip(cancel.events, request.events,
                                                                strict=True))
    assert "/espace/" not in message.body  # the account is gone
    # Sent without a row in the outbox: the erased address stays nowhere.
    assert not [row for row in OutgoingEmail.objects.all() if "anne@mairie.fr" in row.to]
