""""S'inscrire" at once on PostgreSQL (issue 21): when an élu has one mandate and nothing
is to be chosen or told first, the button enrols in two messages to the database (the facts,
then the enrolment with its email), with statements PostgreSQL prepares once per connection.
What the person sees must be what the usual way gives: the same status, rank, priority,
message and email; anything else goes the usual way, which asks or says why."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy import services
from academy.models import Audience, Enrolment, Mandate, OfficialProfile
from accounts.models import OutgoingEmail
from tests import factories as make

pytestmark = pytest.mark.django_db(transaction=True)
Status = Enrolment.Status


@pytest.fixture
def communes():
    if connection.vendor != "postgresql":
        pytest.skip("enrolling at once is PostgreSQL's (CI runs this test on it)")
    make.ensure_site()
    return make.geography()


def official(email, communes, *, second_mandate=False, first_mandate=True):
    user = get_user_model().objects.create_user(email=email, password="x", first_name="Lucie",
                                                last_name="Bernard")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 4), is_first_mandate=first_mandate)
    if second_mandate:
        Mandate.objects.create(profile=profile, role="conseiller_departemental",
                               department=communes["Beauvais"].department,
                               started_on=date(2021, 7, 1))
    return user


def press(client, user, session):
    client.force_login(user)
    return client.post(reverse("academy:enrol", args=[session.pk]))


def course(title="Budget communal"):
    return make.course(title, audience=Audience.ELECTED_OFFICIALS)


def test_an_elu_with_one_mandate_is_enrolled_with_the_email_written_by_the_worker(
        client, communes):
    session = make.session(course(), communes["Beauvais"], capacity=5)
    user = official("maire@beauvais.fr", communes)
    with CaptureQueriesContext(connection) as queries:
        response = press(client, user, session)

    assert response.status_code == 302 and response.url == reverse("accounts:home")
    enrolment = Enrolment.objects.get(user=user, session=session)
    assert enrolment.status == Status.CONFIRMED
    assert enrolment.mandate == user.official_profile.mandates.get()
    # The same priority as the usual way gives: first mandate, a small commune, the
    # session's own département.
    assert enrolment.priority == services.priority_hint(session, user)
    prepared = [q["sql"] for q in queries.captured_queries if "EXECUTE academy_" in q["sql"]]
    assert len(prepared) == 2  # the facts, then the enrolment with its email

    page = client.get(reverse("accounts:home"))
    assert "Votre inscription à « Budget communal » est confirmée." in page.content.decode()
    outgoing = OutgoingEmail.objects.get(to=[user.email])
    assert outgoing.composer == "academy.enrolment"
    assert outgoing.status == OutgoingEmail.Status.SENT
    assert outgoing.subject == "Inscription confirmée : Budget communal"  # kept as sent
    [message] = mail.outbox
    assert message.subject == "Inscription confirmée : Budget communal"
    assert "Hôtel" in message.body or "Lieu :" in message.body
    assert any("text/calendar" in part.get_content_type()
               for part in message.message().walk())


def test_a_full_session_puts_the_person_on_the_waiting_list_with_the_rank_said_everywhere(
        client, communes):
    session = make.session(course(), communes["Beauvais"], capacity=1)
    first, second, third = (official(f"elu{n}@example.fr", communes) for n in range(3))
    press(client, first, session)
    press(client, second, session)
    press(client, third, session)

    assert Enrolment.objects.get(user=third).status == Status.WAITLISTED
    page = client.get(reverse("accounts:home")).content.decode()
    assert "vous êtes en position 2 sur la liste" in page
    email = [m for m in mail.outbox if m.to == [third.email]][0]
    assert email.subject == "Liste d'attente : Budget communal"
    assert "vous êtes en position 2 sur la liste" in email.body


@pytest.mark.parametrize("case", ["two mandates", "hybrid", "another session of the course",
                                  "same time"])
def test_anything_to_choose_or_to_know_first_leads_to_the_questions(client, communes, case):
    page = course("Piloter la transition numérique")
    session = make.session(page, communes["Beauvais"],
                           **({"remote_url": "https://webconf.example.fr/s"}
                              if case == "hybrid" else {}))
    user = official("maire@beauvais.fr", communes, second_mandate=case == "two mandates")
    if case == "another session of the course":
        Enrolment.objects.create(session=make.session(page, communes["Beauvais"], days=40),
                                 user=user, status=Status.CONFIRMED)
    if case == "same time":
        Enrolment.objects.create(
            session=make.session(course("Urbanisme"), communes["Beauvais"],
                                 start=session.start + timedelta(hours=1)),
            user=user, status=Status.CONFIRMED)

    response = press(client, user, session)

    assert response.status_code == 302
    assert response.url == reverse("academy:enrol", args=[session.pk])
    assert not Enrolment.objects.filter(session=session).exists()
    assert not OutgoingEmail.objects.exists()


def test_a_course_for_advisors_and_an_elu_without_mandate_are_told_why(client, communes):
    session = make.session(make.course("Médiation", audience=Audience.ADVISORS),
                           communes["Beauvais"])
    user = official("maire@beauvais.fr", communes)
    response = press(client, user, session)
    assert not Enrolment.objects.filter(session=session).exists()
    assert "réservée aux conseillers numériques" in client.get(response.url).content.decode()

    newcomer = get_user_model().objects.create_user(email="nouvel@elu.fr", password="x")
    response = press(client, newcomer, make.session(course(), communes["Beauvais"]))
    assert response.url.startswith(reverse("official_profile"))


def test_a_course_for_everyone_enrols_people_with_no_mandate_at_once_too(client, communes):
    session = make.session(make.course("Cybersécurité", audience=Audience.ALL),
                           communes["Beauvais"])
    agent = get_user_model().objects.create_user(email="agent@beauvais.fr", password="x")
    with CaptureQueriesContext(connection) as queries:
        press(client, agent, session)
    enrolment = Enrolment.objects.get(session=session, user=agent)
    assert enrolment.status == Status.CONFIRMED and enrolment.mandate is None
    assert sum("EXECUTE academy_" in q["sql"] for q in queries.captured_queries) == 2


def test_pressing_twice_says_already_enrolled_and_keeps_one_enrolment(client, communes):
    session = make.session(course(), communes["Beauvais"])
    user = official("maire@beauvais.fr", communes)
    press(client, user, session)
    response = press(client, user, session)
    assert Enrolment.objects.filter(session=session, user=user).count() == 1
    assert OutgoingEmail.objects.filter(to=[user.email]).count() == 1
    assert "déjà inscrit" in client.get(response.url, follow=True).content.decode()


def test_a_new_database_connection_prepares_the_statements_again(client, communes):
    session = make.session(course(), communes["Beauvais"])
    first, second = official("a@example.fr", communes), official("b@example.fr", communes)
    press(client, first, session)
    connection.close()  # as after a PostgreSQL restart or CONN_MAX_AGE: a new connection
    press(client, second, session)
    assert session.enrolments.filter(status=Status.CONFIRMED).count() == 2


def test_a_session_number_no_session_can_have_is_not_found(client, communes):
    client.force_login(official("maire@beauvais.fr", communes))
    for number in ("0", "99999999999999999999"):
        response = client.post(f"/inscriptions/sessions/{number}/")
        assert response.status_code == 404
