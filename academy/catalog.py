"""Reads of the catalogue: which courses match the filters, and their next session."""

from datetime import date, datetime, time

from django.db import connection
from django.utils import timezone

from calendars import dates
from cms.search import search_pages

from .models import CoursePage, Session

# Filters take any date a form accepts (year 1 to 9999); the bounds keep the day's start and
# the next day within what datetimes and time zones can hold.
EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)


def french_day(day):
    """"1er mars 2027", "15 mars 2027" (``calendars.dates``, whatever the active language)."""
    return dates.long_date(day)


def _day_start(day):
    return timezone.make_aware(datetime.combine(min(max(day, EARLIEST), LATEST), time.min))


def filter_by_territory(sessions, filters):
    if filters.get("region"):
        sessions = sessions.filter(commune__department__region__code=filters["region"])
    if filters.get("department"):
        sessions = sessions.filter(commune__department__code=filters["department"])
    return sessions


def filter_by_dates(sessions, filters):
    """Sessions starting on or after ``date_from`` and on or before ``date_to``."""
    if filters.get("date_from"):
        sessions = sessions.filter(start__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        sessions = sessions.filter(
            start__lt=_day_start(filters["date_to"]) + timezone.timedelta(days=1)
        )
    return sessions


def matching_sessions(filters):
    sessions = filter_by_territory(Session.objects.scheduled().upcoming(), filters)
    sessions = filter_by_dates(sessions, filters)
    if filters.get("available"):
        sessions = sessions.with_seats().filter(seats_left__gt=0)
    return sessions


def search_courses(filters):
    """Live courses matching every filter; session filters keep courses with such a session."""
    courses = CoursePage.objects.live().public()
    if filters.get("theme"):
        courses = courses.filter(themes__slug=filters["theme"])
    if filters.get("format"):
        courses = courses.filter(format=filters["format"])
    if filters.get("audience"):
        courses = courses.filter(audience=filters["audience"])
    session_filters = {k: filters.get(k) for k in ("region", "department", "date_from",
                                                    "date_to", "available")}
    sessions = None
    if any(session_filters.values()):
        sessions = matching_sessions(filters)
        courses = courses.filter(pk__in=sessions.values("course_id"))
    if filters.get("q"):
        found = search_pages(CoursePage.objects.live(), filters["q"])
        courses = courses.filter(pk__in=[page.pk for page in found]) if found is not None \
            else courses.none()
    return courses.distinct().order_by("title"), sessions


def attach_next_sessions(courses, sessions=None):
    """Sets ``next_session`` on each course (with seats_left), in two queries: each course's
    first upcoming session (its id only: one row per course with PostgreSQL's DISTINCT ON,
    without counting seats), then those sessions with their seats. At national scale,
    counting the seats of every upcoming session of the page's courses to keep the first
    of each was most of the catalogue's rendering."""
    base = sessions if sessions is not None else Session.objects.scheduled().upcoming()
    firsts = (base.filter(course__in=[c.pk for c in courses])
              .order_by("course_id", "start", "pk").values_list("course_id", "pk"))
    if connection.features.can_distinct_on_fields and not firsts.query.annotations:
        firsts = firsts.distinct("course_id")  # not with "places disponibles" (seats counted)
    first_ids = {}
    for course_id, session_id in firsts:
        first_ids.setdefault(course_id, session_id)
    first = {session.course_id: session for session in (
        Session.objects.filter(pk__in=first_ids.values()).with_seats()
        .select_related("commune__department"))}
    for course in courses:
        course.next_session = first.get(course.pk)
    return courses
