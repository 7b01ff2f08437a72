"""The Académie des territoires' sessions file: sessions of published, unrestricted
courses, past and future, with their seats (never a trainer or an organiser)."""

from collections.abc import Iterator

from django.utils import timezone

from academy.models import CoursePage, Format, Session

SESSION_FIELDS = [
    "id", "formation", "debut", "fin", "format", "format_libelle", "lieu", "code_insee",
    "commune", "code_departement", "places", "places_restantes", "statut", "statut_libelle",
]


def public_courses():
    """Published course pages open to everyone (no view restriction)."""
    return CoursePage.objects.live().public().values("pk")


def sessions_queryset(queryset=None):
    """Sessions of published, unrestricted courses, past and future, with their seats."""
    queryset = Session.objects.all() if queryset is None else queryset
    return (queryset.filter(course__in=public_courses()).with_seats()
            .select_related("course", "commune__department").order_by("start", "pk"))


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def session_row(session) -> dict:
    commune = session.commune
    return {
        "id": session.pk,
        "formation": session.course.title,
        "debut": _iso(session.start),
        "fin": _iso(session.end),
        "format": session.course.format,
        "format_libelle": dict(Format.choices).get(session.course.format,
                                                   session.course.format),
        "lieu": (session.address or None) if commune else "À distance",
        "code_insee": commune.insee_code if commune else None,
        "commune": commune.name if commune else None,
        "code_departement": commune.department.code if commune else None,
        "places": session.capacity,
        "places_restantes": max(session.seats_left, 0),
        "statut": session.status,
        "statut_libelle": session.get_status_display(),
    }


def session_rows(queryset=None) -> Iterator[dict]:
    for session in sessions_queryset(queryset).iterator(chunk_size=500):
        yield session_row(session)
