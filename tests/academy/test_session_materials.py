"""Materials and remote sessions: a session's documents for its confirmed participants
(present ones after the end) and the team, served only through a view that checks; the
visio link from 30 minutes before the start, in the day-before reminder; the replay link
after the session for those who came."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from academy import tasks
from academy.models import Attendance, Enrolment, SessionDocument
from accounts.roles import Role
from calendars.ical import PARIS
from tests import factories as make

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 10, 9, 0, tzinfo=PARIS)
BEFORE = datetime(2026, 12, 1, 12, 0, tzinfo=PARIS)
AFTER = datetime(2026, 12, 11, 12, 0, tzinfo=PARIS)


@pytest.fixture
def clock(monkeypatch):
    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
    set_to(BEFORE)
    return set_to


def person(email):
    return get_user_model().objects.create_user(email=email, password="x",
                                                first_name="Élu", last_name=email[:4])


@pytest.fixture
def setting(clock):
    """A remote session with slides and a replay; one person per situation."""
    session = make.session(make.course("Budget communal"), None, start=START,
                           end=START + timedelta(hours=7),
                           enrolment_opens=START - timedelta(days=30),
                           enrolment_closes=START - timedelta(days=1),
                           cancellation_deadline=START - timedelta(days=1),
                           remote_url="https://webconf.numerique.gouv.fr/budget",
                           replay_url="https://video.anct.gouv.fr/replay-budget")
    document = SessionDocument(session=session, title="Diaporama du matin",
                               kind=SessionDocument.Kind.SLIDES)
    document.file.save("diaporama.pdf", ContentFile(b"%PDF-1.7 slides"), save=True)
    people = {}
    for name, status in [("present", "confirmed"), ("absent", "confirmed"),
                         ("waiting", "waitlisted"), ("cancelled", "cancelled"),
                         ("pending", "pending")]:
        people[name] = person(f"{name}@mairie.fr")
        Enrolment.objects.create(session=session, user=people[name], status=status,
                                 waitlisted_at=BEFORE if status == "waitlisted" else None)
    Attendance.objects.create(enrolment=session.enrolments.get(user=people["present"]),
                              day=START.date(), period="am", status="present")
    Attendance.objects.create(enrolment=session.enrolments.get(user=people["absent"]),
                              day=START.date(), period="am", status="absent")
    people["stranger"] = person("stranger@mairie.fr")
    people["staff"] = make.staff_user(Role.ANCT_EDITOR)
    return session, document, people


def download(client, user, document):
    client.force_login(user)
    return client.get(reverse("academy:material", args=[document.pk]))


def test_documents_live_in_the_private_storage_without_a_url(setting, settings):
    _, document, _ = setting
    assert document.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


@pytest.mark.parametrize("moment, allowed", [
    (BEFORE, {"present", "absent", "staff"}),
    (AFTER, {"present", "staff"}),
])
def test_who_downloads_the_documents_before_and_after(client, setting, clock, moment,
                                                      allowed):
    session, document, people = setting
    clock(moment)
    for name, user in people.items():
        assert session.materials_visible_to(user) == (name in allowed), name
        response = download(client, user, document)
        if name in allowed:
            assert response.status_code == 200, name
            assert b"".join(response.streaming_content) == b"%PDF-1.7 slides"
            assert response["Cache-Control"] == "private, no-store"
            assert "diaporama" in response["Content-Disposition"]
        else:
            assert response.status_code == 404, name


def test_anonymous_visitors_are_sent_to_log_in(client, setting):
    _, document, _ = setting
    response = client.get(reverse("academy:material", args=[document.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("moment, expected", [
    (START - timedelta(minutes=31), False),
    (START - timedelta(minutes=30), True),
    (START + timedelta(hours=3), True),
    (START + timedelta(hours=7, minutes=1), False),
])
def test_visio_link_from_thirty_minutes_before_the_start(setting, clock, moment, expected):
    session, _, people = setting
    clock(moment)
    confirmed = session.enrolments.get(user=people["present"])
    waiting = session.enrolments.get(user=people["waiting"])
    assert confirmed.visio_link_visible() is expected
    assert waiting.visio_link_visible() is False


def test_day_before_reminder_carries_the_link_to_confirmed_participants_only(
        setting, clock, django_capture_on_commit_callbacks):
    session, _, people = setting
    clock(START - timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders() == 2  # the two confirmed participants
    assert sorted(m.to[0] for m in mail.outbox) == ["absent@mairie.fr", "present@mairie.fr"]
    for message in mail.outbox:
        assert "https://webconf.numerique.gouv.fr/budget" in message.body
        assert "30 minutes avant" in message.body


def test_replay_after_the_session_for_present_participants(setting, clock):
    session, _, people = setting
    assert not any(session.replay_visible_to(u) for u in people.values())
    clock(AFTER)
    assert [n for n, u in people.items() if session.replay_visible_to(u)] == ["present"]
    session.replay_url = ""
    assert not session.replay_visible_to(people["present"])


def test_my_space_lists_documents_and_replay_when_visible(client, setting, clock):
    _, document, people = setting
    url = reverse("academy:material", args=[document.pk])
    client.force_login(people["absent"])
    page = client.get("/espace/").content.decode()
    assert url in page and "Diaporama du matin" in page and "replay" not in page.lower()
    clock(AFTER)
    page = client.get("/espace/").content.decode()
    assert url not in page  # absent: no documents after the session
    client.force_login(people["present"])
    page = client.get("/espace/").content.decode()
    assert url in page and "https://video.anct.gouv.fr/replay-budget" in page
    client.force_login(people["waiting"])
    clock(BEFORE)
    assert url not in client.get("/espace/").content.decode()


def test_session_page_shows_them_to_a_confirmed_participant(client, setting):
    session, document, people = setting
    url = reverse("academy:material", args=[document.pk])
    client.force_login(people["absent"])
    assert url in client.get(session.course.url).content.decode()
    client.force_login(people["stranger"])
    assert url not in client.get(session.course.url).content.decode()


def test_the_team_attaches_documents_in_the_session_form(client, setting):
    session, _, people = setting
    client.force_login(people["staff"])
    url = reverse("wagtailsnippets_academy_session:edit", args=[session.pk])
    form = client.get(url).content.decode()
    assert "Documents de la session" in form and "lien du replay" in form.lower()
    assert 'enctype="multipart/form-data"' in form

    def local(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

    data = {
        "course": session.course_id, "start": local(session.start), "end": local(session.end),
        "address": "", "commune": "", "remote_url": session.remote_url,
        "capacity": session.capacity, "enrolment_opens": local(session.enrolment_opens),
        "enrolment_closes": local(session.enrolment_closes),
        "cancellation_deadline": local(session.cancellation_deadline), "trainers": "",
        "contact_email": "", "survey_url": "", "replay_url": session.replay_url,
        "status": session.status,
        "waitlist_mode": session.waitlist_mode, "offer_hours": session.offer_hours,
        "documents-TOTAL_FORMS": "2", "documents-INITIAL_FORMS": "1",
        "documents-MIN_NUM_FORMS": "0", "documents-MAX_NUM_FORMS": "1000",
        "documents-0-id": session.documents.get().pk, "documents-0-title": "Diaporama du matin",
        "documents-0-kind": "slides", "documents-0-ORDER": "1", "documents-0-DELETE": "",
        "documents-1-id": "", "documents-1-title": "Guide du budget", "documents-1-kind": "reading",
        "documents-1-file": ContentFile(b"%PDF guide", name="guide.pdf"),
        "documents-1-ORDER": "2", "documents-1-DELETE": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    guide = session.documents.get(title="Guide du budget")
    assert guide.kind == "reading" and guide.file.read() == b"%PDF guide"


def test_seed_demo_attaches_documents_to_the_demo_elus_sessions_once(setting, clock):
    from demo.enrolments import attach_demo_materials

    session, _, _ = setting
    elu = person("elu@demo.anct.fr")
    upcoming = make.session(make.course("Urbanisme"), None, start=START + timedelta(days=3),
                            remote_url="https://webconf.numerique.gouv.fr/urba")
    Enrolment.objects.create(session=upcoming, user=elu, status="confirmed")
    clock(AFTER)  # the budget session is over; the élu came
    past = Enrolment.objects.create(session=session, user=elu, status="confirmed")
    Attendance.objects.create(enrolment=past, day=START.date(), period="am", status="present")
    session.replay_url = ""
    session.save()
    assert attach_demo_materials() == 2  # the past session already had its slides
    assert attach_demo_materials() == 0
    assert [d.kind for d in upcoming.documents.all()] == ["slides", "reading"]
    assert upcoming.documents.first().file.read().startswith(b"%PDF-1.4")
    session.refresh_from_db()
    assert session.replay_visible_to(elu)
