"""The personal feed reads the Académie's stamp once per version of the person's
(accounts.space_cache) and asks whether the person has an Advisor row once per version too:
every change to what it lists still shows on the next poll, and an account that becomes an
advisor gets their places."""

from datetime import date, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from icalendar import Calendar

from academy import services
from academy.models import Mandate, OfficialProfile
from advisors import services as advisor_services
from calendars.models import CalendarToken
from tests import factories as make
from tests.advisors import factories as people

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return make.geography()


def elu(communes, email="lucie@example.fr"):
    user = get_user_model().objects.create_user(email=email, password="x")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 1))
    return user


def feed(client, user):
    response = client.get(f"/calendrier/perso/{CalendarToken.objects.for_user(user).token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def summaries(calendar):
    return sorted(str(event["SUMMARY"]) for event in calendar.events)


def test_the_next_polls_read_the_token_then_nothing(client, communes,
                                                    django_assert_max_num_queries):
    user = elu(communes)
    services.enrol(make.session(make.course("Budget communal"), communes["Beauvais"]).pk, user)
    url = f"/calendrier/perso/{CalendarToken.objects.for_user(user).token}.ics"
    assert summaries(Calendar.from_ical(client.get(url).content)) == ["Budget communal"]
    # The token, then the token confirmed once the versions are read.
    with django_assert_max_num_queries(2):
        assert summaries(Calendar.from_ical(client.get(url).content)) == ["Budget communal"]
    # Then the answer kept for this address (core.personal_pages), until a version moves.
    with django_assert_max_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "personal"
    assert summaries(Calendar.from_ical(response.content)) == ["Budget communal"]


def test_a_renewed_link_or_a_closed_account_stops_the_kept_feed_at_once(client, communes):
    user = elu(communes)
    token = CalendarToken.objects.for_user(user)
    url = f"/calendrier/perso/{token.token}.ics"
    for _ in range(3):
        response = client.get(url)
    assert response["X-Page-Cache"] == "personal"
    token.reset()
    assert client.get(url).status_code == 404
    url = f"/calendrier/perso/{token.token}.ics"
    for _ in range(3):
        response = client.get(url)
    assert response["X-Page-Cache"] == "personal"
    user.is_active = False
    user.save()
    assert client.get(url).status_code == 404


def test_a_client_revalidating_its_copy_gets_the_views_304(client, communes):
    user = elu(communes)
    url = f"/calendrier/perso/{CalendarToken.objects.for_user(user).token}.ics"
    for _ in range(3):
        response = client.get(url)
    assert response["X-Page-Cache"] == "personal"
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_enrolments_session_changes_and_course_titles_show_on_the_next_poll(client, communes):
    user = elu(communes)
    first = make.session(make.course("Budget communal"), communes["Beauvais"])
    services.enrol(first.pk, user)
    assert summaries(feed(client, user)) == ["Budget communal"]
    second = services.enrol(make.session(make.course("Urbanisme"), communes["Beauvais"]).pk,
                            user)
    assert summaries(feed(client, user)) == ["Budget communal", "Urbanisme"]
    services.cancel(second.pk, user)
    assert summaries(feed(client, user)) == ["Budget communal"]
    first.start += timedelta(days=1)
    first.end += timedelta(days=1)
    first.save()
    (event,) = feed(client, user).events
    assert event["DTSTART"].dt == first.start
    course = first.course
    course.title = "Budget communal et intercommunal"
    course.save_revision().publish()
    assert summaries(feed(client, user)) == ["Budget communal et intercommunal"]
    services.cancel_session(first.pk, "Intervenant malade")
    assert summaries(feed(client, user)) == ["ANNULÉE — Budget communal et intercommunal"]


def test_one_persons_feed_never_shows_anothers(client, communes):
    lucie, marc = elu(communes), elu(communes, "marc@example.fr")
    services.enrol(make.session(make.course("Budget communal"), communes["Beauvais"]).pk, lucie)
    services.enrol(make.session(make.course("Urbanisme"), communes["Beauvais"]).pk, marc)
    for _ in range(2):
        assert summaries(feed(client, lucie)) == ["Budget communal"]
        assert summaries(feed(client, marc)) == ["Urbanisme"]


def test_an_account_becoming_an_advisor_gets_their_places(client):
    communes = people.geography()
    manager = people.user()
    structure = people.validated_structure(communes["Beauvais"], manager=manager)
    point = people.service_point(structure, latitude=49.43, longitude=2.08)
    advisor_services.set_opening_hours(
        point, [{"weekday": 0, "period": "am", "opens": time(9), "closes": time(12)}], manager)
    account = people.user()
    assert feed(client, account).events == []
    assert feed(client, account).events == []  # "not an advisor" kept
    advisor = people.advisor(account)
    people.contract(structure, advisor)
    point.advisors.add(advisor)
    assert feed(client, account).events != []
