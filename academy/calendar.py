"""Sessions as calendar events: the one-session download, the public feed of upcoming
sessions (with the catalogue's filters), the élu's confirmed sessions in the personal
feed, and the invitations attached to emails. The iCalendar itself is built by
``calendars``, which knows nothing of sessions."""

import datetime
from dataclasses import replace

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET

from calendars import dates
from calendars.events import Event, Feed, daily_parts, make_uid
from calendars.http import calendar_response
from calendars.ical import to_ics
from calendars.registry import PersonalSource
from cms.search import query_words, search_pages
from territories.models import Department, Region

from .catalog import filter_by_dates, filter_by_territory, french_day
from .models import Audience, CoursePage, CourseTheme, Enrolment, Format, Session

UID_KIND = "session"


def _place(session):
    if session.commune_id:
        return ", ".join(p for p in [session.address, session.place_label] if p)
    return "À distance (visioconférence)"


def day_uid(session_pk, day_index: int) -> str:
    """Day 1 keeps the session's own UID (what a one-day session always had); the next days
    add their rank: stable while the session keeps its days, distinct from one another."""
    return make_uid(UID_KIND, session_pk if day_index == 1 else f"{session_pk}-{day_index}")


def session_events(session, *, private=False, sequence_offset=0, course_urls=None,
                   visio_url=None) -> list[Event]:
    """One event per day of the session, with that day's hours (see ``daily_parts``).

    ``private`` events (the person's own feed, invitations) may carry the visio link:
    ``visio_url``, the person's own (none for someone attending a hybrid session on site),
    else the session's; shared ones never carry a private link. ``course_urls`` memoises
    page URLs in a feed."""
    course = session.course
    if course_urls is None:
        course_urls = {}
    if course.pk not in course_urls:
        course_urls[course.pk] = f"{settings.SITE_URL}{course.url or ''}"
    course_url = course_urls[course.pk]
    parts = daily_parts(session.start, session.end)
    lines = [course.summary]
    if len(parts) > 1:
        lines.append(f"Session {dates.session_when(session.start, session.end)}.")
    if session.trainers:
        lines.append(f"Avec {session.trainers}.")
    link = session.remote_url if visio_url is None else visio_url
    if private and link:
        lines.append(f"Lien de connexion : {link}")
    if session.contact_email:
        lines.append(f"Contact : {session.contact_email}")
    lines.append(f"Programme et inscription : {course_url}")
    title = ("ANNULÉE — " if session.is_cancelled else "") + course.title
    events = []
    for index, (start, end) in enumerate(parts, start=1):
        events.append(Event(
            uid=day_uid(session.pk, index),
            summary=title if len(parts) == 1 else f"{title} (jour {index} sur {len(parts)})",
            start=start,
            end=end,
            last_modified=session.updated_at,
            sequence=session.calendar_sequence + sequence_offset,
            cancelled=session.is_cancelled,
            description="\n".join(lines),
            location=_place(session),
            url=course_url,
            categories=("Académie des territoires",),
        ))
    return events


def _sessions():
    return Session.objects.select_related("course", "commune__department")


def _stamp(queryset):
    """(count, latest change, greatest id) in one aggregate query."""
    figures = queryset.order_by().aggregate(
        count=Count("pk"), latest=Max("updated_at"), top=Max("pk"),
        course_changed=Max("course__last_published_at"),  # a renamed course shows too
    )
    latest = max(filter(None, [figures["latest"], figures["course_changed"]]), default=None)
    return figures["count"], latest, figures["top"]


@require_GET
def session_feed(request, session_id):
    session = get_object_or_404(_sessions().filter(course__live=True), pk=session_id)
    return calendar_response(
        request,
        fingerprint=(UID_KIND, session.pk, session.updated_at, session.calendar_sequence,
                     session.course.last_published_at),
        last_modified=max(filter(None, [session.updated_at,
                                        session.course.last_published_at])),
        build=lambda: Feed(name=session.course.title,
                           description=f"Session {_when(session)}",
                           events=session_events(session)),
        filename=f"session-{session.pk}.ics",
    )


def _when(session):
    """"du 3 au 4 décembre 2026, de 9 h à 17 h" or "le mardi 1er décembre 2026, de 9 h à 17 h"."""
    return dates.session_when(session.start, session.end)


def public_sessions(filters):
    """Upcoming sessions of live courses, cancelled ones included so subscribers see the
    cancellation, narrowed by the catalogue's filters."""
    sessions = _sessions().filter(course__live=True).upcoming()
    if filters.get("theme"):
        sessions = sessions.filter(course__themes__slug=filters["theme"])
    if filters.get("format"):
        sessions = sessions.filter(course__format=filters["format"])
    if filters.get("audience"):
        sessions = sessions.filter(course__audience=filters["audience"])
    if filters.get("q"):
        found = search_pages(CoursePage.objects.live(), filters["q"])
        sessions = sessions.filter(
            course_id__in=[page.pk for page in found] if found is not None else [])
    sessions = filter_by_dates(sessions, filters)
    return filter_by_territory(sessions, filters).distinct()


class FeedFilterError(ValueError):
    pass


def feed_filters(params):
    """(filters, labels) from the query string; an unknown value is an error, never a
    silently wider feed. Only the filters present cost a query."""
    filters, labels = {}, []
    lookups = {
        "theme": lambda v: CourseTheme.objects.filter(slug=v).values_list("name", flat=True),
        "region": lambda v: Region.objects.filter(code=v).values_list("name", flat=True),
        "department": lambda v: Department.objects.filter(code=v).values_list("name",
                                                                               flat=True),
        "format": lambda v: [dict(Format.choices)[v]] if v in Format.values else [],
        "audience": lambda v: [dict(Audience.choices)[v]] if v in Audience.values else [],
    }
    for name, lookup in lookups.items():
        value = params.get(name, "").strip()
        if not value:
            continue
        found = list(lookup(value))
        if not found:
            raise FeedFilterError(f"Filtre inconnu : {name}={value}.")
        filters[name] = value
        labels.append(str(found[0]))
    # The catalogue's search words and dates: a feed keeps them as given in the link.
    text = params.get("q", "").strip()
    if text:
        if not query_words(text):
            raise FeedFilterError(f"Recherche sans aucun mot : q={text}.")
        filters["q"] = text
        labels.append(f"« {text} »")
    for name, label in (("date_from", "à partir du"), ("date_to", "jusqu'au")):
        value = params.get(name, "").strip()
        if not value:
            continue
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise FeedFilterError(f"Date illisible : {name}={value}.") from None
        filters[name] = day
        labels.append(f"{label} {french_day(day)}")
    if filters.get("date_from") and filters.get("date_to") and \
            filters["date_to"] < filters["date_from"]:
        raise FeedFilterError("La date de fin précède la date de début.")
    return filters, labels


@require_GET
def sessions_feed(request):
    """/calendrier/formations.ics?theme=…&department=…&format=…: anyone can subscribe."""
    try:
        filters, labels = feed_filters(request.GET)
    except FeedFilterError as error:
        return HttpResponseBadRequest(
            f"{error} Copiez le lien d'abonnement depuis le catalogue des formations.",
            content_type="text/plain; charset=utf-8")
    sessions = public_sessions(filters)
    count, latest, top = _stamp(sessions)
    name = "Formations de l'Académie des territoires"
    return calendar_response(
        request,
        fingerprint=("sessions", sorted(filters.items()), count, latest, top,
                     localtime().date()),
        last_modified=latest,
        build=lambda: Feed(
            name=f"{name} — {', '.join(labels)}" if labels else name,
            description="Les sessions à venir des formations de l'Académie des territoires "
                        "pour les élus locaux.",
            url=f"{settings.SITE_URL}/formations/",
            events=_events(sessions),
        ),
        filename="formations.ics",
    )


# The élu's own sessions in their personal feed: confirmed ones, and those the organiser
# cancelled (so the subscriber's calendar shows the cancellation).
PERSONAL_STATUSES = [Enrolment.Status.CONFIRMED, Enrolment.Status.CANCELLED_BY_ORGANISER]


def _personal_sessions(user):
    return Session.objects.filter(enrolments__user=user,
                                  enrolments__status__in=PERSONAL_STATUSES)


def _personal_stamp(user):
    count, latest, top = _stamp(_personal_sessions(user))
    # An enrolment cancelled by the person removes the session without touching it.
    changes = Enrolment.objects.filter(user=user).aggregate(latest=Max("updated_at"))["latest"]
    latest = max(filter(None, [latest, changes]), default=None)
    return (count, top, latest), latest


def _personal_events(user):
    sessions = _sessions().filter(pk__in=_personal_sessions(user).values("pk"))
    # The person's own way of attending: the visio link only for those who follow remotely.
    enrolments = {e.session_id: e for e in Enrolment.objects.filter(
        user=user, session__in=sessions).select_related("session")}
    course_urls = {}
    return [event for session in sessions.order_by("start")
            for event in session_events(
                session, private=True, course_urls=course_urls,
                visio_url=enrolments[session.pk].visio_url if session.pk in enrolments
                else None)]


def _events(sessions, private=False):
    course_urls = {}
    return [event for session in sessions
            for event in session_events(session, private=private, course_urls=course_urls)]


# Every change to what it lists renews the person's version (academy.space_cache).
personal_source = PersonalSource(name="academy", stamp=_personal_stamp,
                                  events=_personal_events, kept_per_person=True)


def invitation(enrolment, method, *, events=None):
    """The session as an email invitation: METHOD:REQUEST when a seat is given or the
    session changes, METHOD:CANCEL with the same UIDs (one per day) and a higher SEQUENCE
    when it is withdrawn. ``events``: other events to send (e.g. the days a shortened session
    lost), in place of the session's current ones."""
    session = enrolment.session
    if events is None:
        events = session_events(session, private=True,
                                sequence_offset=enrolment.invitation_sequence,
                                visio_url=enrolment.visio_url)
    if method == "CANCEL":
        events = [replace(event, cancelled=True) for event in events]
    feed = Feed(name=session.course.title, events=list(events), method=method,
                organizer=settings.DEFAULT_FROM_EMAIL, attendees=(enrolment.user.email,))
    return to_ics(feed).decode()
