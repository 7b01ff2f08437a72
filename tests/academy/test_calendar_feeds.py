"""Sessions in calendars: the one-session download, the public feed with the catalogue's
filters, the personal feed behind a secret token, conditional GET and email invitations."""

from datetime import timedelta

import pytest
import vobject
from django.core import mail
from icalendar import Calendar

from academy import services
from academy.models import Enrolment
from calendars.events import make_uid
from calendars.models import CalendarToken
from tests import factories as make
from tests.academy.test_enrolment import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a service as if its transaction committed, so its emails leave."""
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)
    return run


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def course():
    return make.course("Construire le budget communal", themes=[make.theme("Finances")])


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    vobject.readOne(body.decode())  # an independent parser accepts it too
    return Calendar.from_ical(body)


def uids(calendar):
    return [str(event["UID"]) for event in calendar.events]


def test_one_session_download_has_a_stable_uid_and_its_place(client, communes, course):
    session = make.session(course, communes["Beauvais"], address="Hôtel de ville")
    calendar = parse(client.get(f"/calendrier/sessions/{session.pk}.ics"))
    event = calendar.events[0]
    assert str(event["UID"]) == make_uid("session", session.pk)
    assert event["SUMMARY"] == "Construire le budget communal"
    assert event["LOCATION"] == "Hôtel de ville, Beauvais (60)"
    assert event["SEQUENCE"] == 0
    assert str(event["URL"]).endswith(course.url)
    again = parse(client.get(f"/calendrier/sessions/{session.pk}.ics"))
    assert uids(again) == uids(calendar)


def test_moving_or_cancelling_a_session_raises_its_sequence_and_keeps_its_uid(
        client, communes, course):
    session = make.session(course, communes["Beauvais"])
    session.trainers = "Mme Martin"  # not a change of time, place or status
    session.save()
    assert parse(client.get(f"/calendrier/sessions/{session.pk}.ics")).events[0][
        "SEQUENCE"] == 0
    session.start += timedelta(hours=1)
    session.end += timedelta(hours=1)
    session.save()
    services.cancel_session(session.pk)
    event = parse(client.get(f"/calendrier/sessions/{session.pk}.ics")).events[0]
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == make_uid("session", session.pk)


def test_public_feeds_never_carry_the_visio_link(client, course):
    session = make.session(course, None, remote_url="https://visio.example.fr/secret-room")
    body = client.get(f"/calendrier/sessions/{session.pk}.ics").content
    assert b"secret-room" not in body.replace(b"\r\n ", b"")
    body = client.get("/calendrier/formations.ics").content
    assert b"secret-room" not in body.replace(b"\r\n ", b"")


def test_sessions_feed_follows_catalogue_filters_and_keeps_cancellations(
        client, communes, course):
    other = make.course("Mobilités rurales", themes=[make.theme("Mobilités")])
    in_oise = make.session(course, communes["Beauvais"])
    cancelled = make.session(course, communes["Compiègne"])
    services.cancel_session(cancelled.pk)
    in_nord = make.session(other, communes["Lille"])
    make.session(course, communes["Beauvais"], days=-10)  # past: not listed

    everything = parse(client.get("/calendrier/formations.ics"))
    assert set(uids(everything)) == {make_uid("session", s.pk)
                                     for s in (in_oise, cancelled, in_nord)}
    oise = parse(client.get("/calendrier/formations.ics?department=60"))
    assert set(uids(oise)) == {make_uid("session", in_oise.pk),
                               make_uid("session", cancelled.pk)}
    assert "Oise" in oise["X-WR-CALNAME"]
    statuses = {str(e["UID"]): e["STATUS"] for e in oise.events}
    assert statuses[make_uid("session", cancelled.pk)] == "CANCELLED"
    themed = parse(client.get("/calendrier/formations.ics?theme=mobilites&format=on_site"))
    assert uids(themed) == [make_uid("session", in_nord.pk)]


def test_unknown_filter_value_is_refused_with_a_french_message(client):
    response = client.get("/calendrier/formations.ics?department=999")
    assert response.status_code == 400
    assert "Filtre inconnu" in response.content.decode()


def test_catalogue_offers_the_filtered_subscription(client, communes, course):
    make.session(course, communes["Beauvais"])
    page = client.get("/formations/?department=60&q=budget").content.decode()
    assert ('href="webcal://testserver/calendrier/formations.ics?q=budget&amp;department=60"'
            in page)


def test_conditional_get_answers_304_until_something_changes(client, communes, course):
    session = make.session(course, communes["Beauvais"])
    first = client.get("/calendrier/formations.ics")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/calendrier/formations.ics",
                      HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/calendrier/formations.ics",
                      HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    single = client.get(f"/calendrier/sessions/{session.pk}.ics")
    assert client.get(f"/calendrier/sessions/{session.pk}.ics",
                      HTTP_IF_NONE_MATCH=single["ETag"]).status_code == 304

    session.end += timedelta(minutes=30)
    session.save()
    changed = client.get("/calendrier/formations.ics", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def personal_url(user):
    return f"/calendrier/perso/{CalendarToken.objects.for_user(user).token}.ics"


def test_personal_feed_lists_only_the_persons_confirmed_sessions(client, communes, course):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    paul = official("paul@mairie.fr", communes["Lille"])
    mine = make.session(course, communes["Beauvais"], remote_url="https://visio/abc")
    waiting = make.session(course, communes["Compiègne"], capacity=1)
    theirs = make.session(course, communes["Lille"])
    services.enrol(mine.pk, anne, attendance_mode="remote")  # hybrid: she follows it remotely
    services.enrol(waiting.pk, paul)
    services.enrol(waiting.pk, anne)  # waitlisted: not in her agenda
    services.enrol(theirs.pk, paul)

    calendar = parse(client.get(personal_url(anne)))
    assert uids(calendar) == [make_uid("session", mine.pk)]
    assert "https://visio/abc" in calendar.events[0]["DESCRIPTION"]
    assert set(uids(parse(client.get(personal_url(paul))))) == {
        make_uid("session", waiting.pk), make_uid("session", theirs.pk)}
    assert "private" in client.get(personal_url(anne))["Cache-Control"]


def test_personal_feed_changes_when_the_person_cancels(client, communes, course):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    session = make.session(course, communes["Beauvais"])
    enrolment = services.enrol(session.pk, anne)
    url = personal_url(anne)
    etag = client.get(url)["ETag"]
    services.cancel(enrolment.pk, anne)
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert uids(parse(response)) == []


def test_resetting_the_token_retires_the_old_address(client, communes, course):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    old = personal_url(anne)
    client.force_login(anne)
    space = client.get("/espace/").content.decode()
    assert f"webcal://testserver{old}".replace("testserver", "127.0.0.1:8000") in space
    response = client.post("/calendrier/perso/reinitialiser/")
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    assert client.get(personal_url(anne)).status_code == 200
    assert client.get("/calendrier/perso/not-a-token.ics").status_code == 404


def test_token_reset_needs_a_logged_in_post(client):
    assert client.get("/calendrier/perso/reinitialiser/").status_code in (302, 405)
    assert client.post("/calendrier/perso/reinitialiser/").status_code == 302


def invitation(message):
    parts = [a for a in message.attachments if not isinstance(a, tuple)]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_content_type() == "text/calendar"
    method = part.get_param("method")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["METHOD"] == method
    return method, calendar.events[0]


def test_confirmation_carries_a_request_and_cancellation_a_cancel_with_a_higher_sequence(
        communes, course, committed):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    session = make.session(course, communes["Beauvais"])
    enrolment = committed(services.enrol, session.pk, anne)
    method, request = invitation(mail.outbox[-1])
    assert method == "REQUEST"
    assert str(request["ORGANIZER"]) == "mailto:academie@anct.gouv.fr"
    assert str(request["ATTENDEE"]) == "mailto:anne@mairie.fr"

    committed(services.cancel, enrolment.pk, anne)
    method, cancel = invitation(mail.outbox[-1])
    assert method == "CANCEL"
    assert cancel["UID"] == request["UID"]
    assert cancel["SEQUENCE"] > request["SEQUENCE"]
    assert cancel["STATUS"] == "CANCELLED"

    committed(services.enrol, session.pk, anne)  # back again: a newer request
    method, again = invitation(mail.outbox[-1])
    assert method == "REQUEST" and again["SEQUENCE"] > cancel["SEQUENCE"]


def test_organiser_cancellation_sends_cancel_to_confirmed_people_only(communes, course, committed):
    session = make.session(course, communes["Beauvais"], capacity=1)
    anne = official("anne@mairie.fr", communes["Beauvais"])
    paul = official("paul@mairie.fr", communes["Beauvais"])
    committed(services.enrol, session.pk, anne)
    committed(services.enrol, session.pk, paul)  # waitlisted: never got an invitation
    assert Enrolment.objects.get(user=paul).status == Enrolment.Status.WAITLISTED
    request_sequence = invitation(mail.outbox[0])[1]["SEQUENCE"]
    mail.outbox.clear()
    committed(services.cancel_session, session.pk)
    by_person = {m.to[0]: m for m in mail.outbox}
    method, event = invitation(by_person["anne@mairie.fr"])
    assert method == "CANCEL" and event["SEQUENCE"] > request_sequence
    assert not [a for a in by_person["paul@mairie.fr"].attachments if not isinstance(a, tuple)]


def test_a_waitlisted_person_promoted_gets_the_invitation(communes, course, committed):
    session = make.session(course, communes["Beauvais"], capacity=1)
    anne = official("anne@mairie.fr", communes["Beauvais"])
    paul = official("paul@mairie.fr", communes["Beauvais"])
    first = committed(services.enrol, session.pk, anne)
    committed(services.enrol, session.pk, paul)
    mail.outbox.clear()
    committed(services.cancel, first.pk, anne)
    promoted = next(m for m in mail.outbox if m.to == ["paul@mairie.fr"])
    assert invitation(promoted)[0] == "REQUEST"


def test_session_card_and_my_space_offer_the_download(client, communes, course):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    session = make.session(course, communes["Beauvais"])
    link = f'href="/calendrier/sessions/{session.pk}.ics"'
    assert link in client.get(course.url).content.decode()
    services.enrol(session.pk, anne)
    client.force_login(anne)
    assert link in client.get("/espace/").content.decode()


def test_unpublished_course_sessions_are_not_served(client, communes):
    hidden = make.course("Brouillon", publish=False)
    session = make.session(hidden, communes["Beauvais"])
    assert client.get(f"/calendrier/sessions/{session.pk}.ics").status_code == 404
    assert make_uid("session", session.pk).encode() not in client.get(
        "/calendrier/formations.ics").content


def test_renaming_the_course_refreshes_the_feeds(client, communes, course):
    session = make.session(course, communes["Beauvais"])
    first = client.get("/calendrier/formations.ics")
    single = client.get(f"/calendrier/sessions/{session.pk}.ics")
    course.title = "Le budget communal pas à pas"
    course.save_revision().publish()
    for url, before in [("/calendrier/formations.ics", first),
                        (f"/calendrier/sessions/{session.pk}.ics", single)]:
        response = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
        assert response.status_code == 200
        assert parse(response).events[0]["SUMMARY"] == "Le budget communal pas à pas"


# --- names written as TEXT, sessions over several days ---------------------------------------
def unfolded(response):
    return response.content.replace(b"\r\n ", b"").split(b"\r\n")


def test_a_filtered_feed_name_escapes_its_commas(client, communes):
    from territories.models import Commune, Department, Region

    paca = Region.objects.create(code="93", name="Provence-Alpes-Côte d'Azur")
    maritimes = Department.objects.create(code="06", name="Alpes-Maritimes", region=paca)
    nice = Commune.objects.create(insee_code="06088", name="Nice", department=maritimes,
                                  population=340000)
    theme = make.theme("Urbanisme, logement")
    make.session(make.course("Densifier sans étaler", themes=[theme]), nice)
    response = client.get(f"/calendrier/formations.ics?theme={theme.slug}"
                          "&department=06&format=on_site")
    name = vobject.readOne(response.content.decode()).contents["x-wr-calname"][0].value
    assert name == ("Formations de l'Académie des territoires — Urbanisme, logement, "
                    "Alpes-Maritimes, En présentiel")
    raw = name.replace(",", "\\,").encode()
    assert b"X-WR-CALNAME:" + raw in unfolded(response)
    assert b"NAME:" + raw in unfolded(response)


def test_the_personal_feed_description_escapes_its_comma(client, communes):
    anne = official("anne@mairie.fr", communes["Beauvais"])
    lines = unfolded(client.get(personal_url(anne)))
    caldesc = next(line for line in lines if line.startswith(b"X-WR-CALDESC:"))
    assert b"permanences\\, mises" in caldesc
    assert b", " not in caldesc.replace(b"\\,", b"")


def two_day_session(course, commune, **fields):
    from datetime import datetime

    from django.utils import timezone

    start = timezone.make_aware(datetime(2027, 3, 2, 9, 0))
    return make.session(course, commune, start=start, end=start + timedelta(days=1, hours=8),
                        **fields)


def expanded(calendar):
    import recurring_ical_events

    from calendars.ical import PARIS

    return sorted((e.start.astimezone(PARIS).strftime("%d %H:%M"),
                   e.end.astimezone(PARIS).strftime("%d %H:%M"), str(e["UID"]))
                  for e in recurring_ical_events.of(calendar).between((2027, 3, 1),
                                                                       (2027, 3, 31)))


def test_a_two_day_session_is_two_days_in_the_download_the_feeds_and_the_invitation(
        client, communes, course, committed):
    session = two_day_session(course, communes["Beauvais"])
    days = [("02 09:00", "02 17:00", make_uid("session", session.pk)),
            ("03 09:00", "03 17:00", make_uid("session", f"{session.pk}-2"))]
    download = parse(client.get(f"/calendrier/sessions/{session.pk}.ics"))
    assert expanded(download) == days
    assert [str(e["SUMMARY"]) for e in download.events] == [
        "Construire le budget communal (jour 1 sur 2)",
        "Construire le budget communal (jour 2 sur 2)"]
    assert expanded(parse(client.get("/calendrier/formations.ics"))) == days
    anne = official("anne@mairie.fr", communes["Beauvais"])
    committed(services.enrol, session.pk, anne)
    assert expanded(parse(client.get(personal_url(anne)))) == days
    method = mail.outbox[-1].attachments[-1].get_param("method")
    invitation_calendar = Calendar.from_ical(
        mail.outbox[-1].attachments[-1].get_payload(decode=True))
    assert method == "REQUEST" and expanded(invitation_calendar) == days
    # The session's own calendar in vobject: two events of eight hours, not one of 32.
    parsed = vobject.readOne(client.get(f"/calendrier/sessions/{session.pk}.ics")
                             .content.decode())
    assert [v.dtend.value - v.dtstart.value for v in parsed.contents["vevent"]] == \
        [timedelta(hours=8)] * 2


def test_someone_attending_a_hybrid_session_on_site_gets_no_visio_link(
        client, communes, course, committed):
    session = make.session(course, communes["Beauvais"], remote_url="https://visio/hybride")
    anne = official("anne@mairie.fr", communes["Beauvais"])
    paul = official("paul@mairie.fr", communes["Beauvais"])
    committed(services.enrol, session.pk, anne, attendance_mode="on_site")
    committed(services.enrol, session.pk, paul, attendance_mode="remote")
    by_person = {m.to[0]: invitation(m)[1] for m in mail.outbox}
    assert "visio/hybride" not in str(by_person["anne@mairie.fr"]["DESCRIPTION"])
    assert "visio/hybride" in str(by_person["paul@mairie.fr"]["DESCRIPTION"])
    assert "visio/hybride" not in str(parse(client.get(personal_url(anne))).events[0][
        "DESCRIPTION"])
    assert "visio/hybride" in str(parse(client.get(personal_url(paul))).events[0][
        "DESCRIPTION"])
