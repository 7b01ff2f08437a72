"""Service points in calendars: weekly opening hours as recurring events (public holidays,
with Alsace-Moselle's, and declared closures left out), the same hours as an OSM
``opening_hours`` line, and an advisor's service points in their personal feed."""

from django.conf import settings
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from calendars.events import Feed
from calendars.http import calendar_response
from calendars.opening_hours import (
    ClosedPeriod,
    HoursRange,
    describe,
    osm_opening_hours,
    weekly_events,
)
from calendars.registry import PersonalSource

from .models import Advisor, ServicePoint
from .models.places import staffing_links

UID_KIND = "permanence"


def opening_ranges(service_point) -> list[HoursRange]:
    return [HoursRange(r.weekday, r.opens, r.closes, key=f"{r.weekday}-{r.period}")
            for r in service_point.opening_ranges.all()]


def osm_hours(service_point) -> str:
    """E.g. "Mo-Fr 09:00-12:00; PH off" (OpenStreetMap ``opening_hours`` syntax)."""
    return osm_opening_hours(opening_ranges(service_point))


def hours_in_words(service_point) -> list[tuple[str, str]]:
    return describe(opening_ranges(service_point))


def _location(service_point):
    commune = service_point.commune
    place = f"{commune.name} ({commune.department.code})"
    return ", ".join(p for p in [service_point.address, place] if p)


def service_point_events(service_point, today=None):
    today = today or timezone.localdate()
    lines = [f"Accompagnement au numérique par les conseillers numériques — "
             f"{service_point.get_access_display().lower()}."]
    services = service_point.get_services_display()
    if services:
        lines.append("Services : " + ", ".join(services) + ".")
    if service_point.phone:
        lines.append(f"Téléphone : {service_point.phone}")
    if service_point.booking_url:
        lines.append(f"Prendre rendez-vous : {service_point.booking_url}")
    lines.append(f"Horaires (OpenStreetMap) : {osm_hours(service_point)}")
    closures = [ClosedPeriod(c.start, c.end, c.reason) for c in service_point.closures.all()]
    return weekly_events(
        uid_prefix=f"{UID_KIND}-{service_point.pk}",
        summary=f"Permanence numérique — {service_point.name}",
        ranges=opening_ranges(service_point), closures=closures,
        department_code=service_point.commune.department.code,
        anchor=timezone.localtime(service_point.updated_at).date(), today=today,
        last_modified=service_point.updated_at, sequence=service_point.calendar_sequence,
        description="\n".join(lines), location=_location(service_point),
        geo=service_point.coordinates, url=service_point.website or "",
        categories=("Conseillers numériques",),
    )


@require_GET
def service_point_feed(request, service_point_id):
    """/calendrier/lieux/<id>.ics: the public opening hours of a service point shown on the
    public map; hidden ones answer 404."""
    service_point = get_object_or_404(
        ServicePoint.objects.public().with_calendar_data(), pk=service_point_id)
    today = timezone.localdate()
    return calendar_response(
        request,
        # The date is part of it: the year of holidays left out moves forward daily.
        fingerprint=(UID_KIND, service_point.pk, service_point.updated_at,
                     service_point.calendar_sequence, today),
        last_modified=service_point.updated_at,
        build=lambda: Feed(
            name=f"{service_point.name} — horaires",
            description=f"Horaires d'ouverture de la permanence numérique "
                        f"« {service_point.name} » ({_location(service_point)}).",
            url=settings.SITE_URL,
            events=service_point_events(service_point, today),
        ),
        filename=f"lieu-{service_point.pk}.ics",
    )


def _advisor_service_points(user):
    """The places the person works at while under contract with their structure (an
    advisor whose contract ended gets their hours no more)."""
    return ServicePoint.objects.filter(pk__in=staffing_links().filter(
        advisor__user=user).values("servicepoint_id"))


def _personal_stamp(user):
    figures = _advisor_service_points(user).order_by().aggregate(
        count=Count("pk"), latest=Max("updated_at"), top=Max("pk"))
    return (figures["count"], figures["top"], figures["latest"]), figures["latest"]


def _personal_events(user):
    service_points = ServicePoint.objects.filter(
        pk__in=_advisor_service_points(user).values("pk")).with_calendar_data()
    return [event for point in service_points for event in service_point_events(point)]


# Only a person with an Advisor row may have places (advisors.space_cache renews their
# version when they gain or lose one).
personal_source = PersonalSource(name="advisors", stamp=_personal_stamp,
                                 events=_personal_events,
                                 concerns=lambda user: Advisor.objects.filter(user=user).exists())
