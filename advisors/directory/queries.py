"""The public directory's queries: where a resident searches from, and the public service
points near there that match the filters, sorted and paged by the database."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Exists, OuterRef
from django.utils import timezone

from calendars.holidays import LOCAL_HOLIDAY_AREAS, public_holidays
from calendars.opening_hours import ClosedPeriod, is_open
from territories.models import Commune
from territories.text import normalize_name

from ..calendar import opening_ranges
from ..geo import NearestFirst
from ..models import Closure, OpeningRange, ServicePoint
from ..paging import load_in_order


@dataclass
class Origin:
    """Where distances are measured from."""

    commune: Commune
    latitude: float
    longitude: float
    approximate: bool = False  # the average of the commune's service points


def find_communes(text: str, insee_code: str = "") -> tuple[Commune | None, list[Commune]]:
    """The commune a resident meant (by INSEE code, autocomplete label "Beauvais (60)",
    name or postal code), else None and the communes that could be meant, best first."""
    if insee_code:
        chosen = Commune.objects.select_related("department").filter(
            insee_code=insee_code).first()
        if chosen:
            return chosen, []
    text = (text or "").strip()
    if not text:
        return None, []
    candidates = list(Commune.objects.search(text.split(" (")[0], 20)
                      .select_related("department"))
    wanted = normalize_name(text)
    for same in ([c for c in candidates if normalize_name(c.label) == wanted],
                 [c for c in candidates if normalize_name(c.name) == wanted]):
        if len(same) == 1:
            return same[0], candidates
    if len(candidates) == 1:
        return candidates[0], candidates
    return None, candidates


def origin_of(commune: Commune) -> Origin | None:
    """The commune's centre; failing that, the average position of its public service
    points; failing that, None (results are then listed without distances)."""
    if commune.coordinates:
        return Origin(commune, commune.latitude, commune.longitude)
    average = ServicePoint.objects.public().filter(
        commune=commune, latitude__isnull=False, longitude__isnull=False,
    ).aggregate(latitude=Avg("latitude"), longitude=Avg("longitude"))
    if average["latitude"] is None:
        return None
    return Origin(commune, average["latitude"], average["longitude"], approximate=True)


def closed_departments_today(day) -> tuple[bool, set[str]]:
    """(a national public holiday?, département codes with a local holiday that day)."""
    if public_holidays(None, day, day):
        return True, set()
    return False, {code for code in LOCAL_HOLIDAY_AREAS if public_holidays(code, day, day)}


def service_points(*, origin: Origin | None = None, service: str = "", access: str = "",
                   open_now: bool = False, weekday: int | None = None,
                   now: datetime | None = None):
    """Public service points matching the filters: nearest first from ``origin``
    (those without coordinates last; ``geo.NearestFirst`` pages them through growing
    circles), else by commune and name. Ranking and paging read the service point table
    alone; ``with_details`` loads what one page shows."""
    rows = ServicePoint.objects.public()
    if service:
        # The JSON list's text holds the code between quotes: exact on SQLite and PostgreSQL.
        rows = rows.filter(services__icontains=f'"{service}"')
    if access:
        rows = rows.filter(access=access)
    if weekday is not None:
        rows = rows.filter(Exists(OpeningRange.objects.filter(
            service_point=OuterRef("pk"), weekday=weekday)))
    if open_now:
        local = timezone.localtime(now or timezone.now())
        today, clock = local.date(), local.time()
        national_holiday, closed = closed_departments_today(today)
        if national_holiday:
            return rows.none()
        rows = rows.filter(Exists(OpeningRange.objects.filter(
            service_point=OuterRef("pk"), weekday=today.weekday(), opens__lte=clock,
            closes__gt=clock))).exclude(Exists(Closure.objects.filter(
                service_point=OuterRef("pk"), start__lte=today, end__gte=today)))
        if closed:
            rows = rows.exclude(commune__department__code__in=closed)
    if origin is None:
        return rows.order_by("commune__name", "name", "pk")
    return NearestFirst(rows, origin.latitude, origin.longitude, tie_breaks=("name", "pk"))


def with_details(points) -> list[ServicePoint]:
    """The page's service points with commune, structure, hours, closures and advisors."""
    return load_in_order(ServicePoint.objects.with_calendar_data(), points)


def open_at(point: ServicePoint, moment: datetime | None = None) -> bool:
    """Open at that moment (now by default): hours, closures and public holidays."""
    moment = moment or timezone.now()
    day = timezone.localtime(moment).date()
    holidays = set(public_holidays(point.commune.department.code, day, day))
    closures = [ClosedPeriod(c.start, c.end, c.reason) for c in point.closures.all()]
    return is_open(opening_ranges(point), closures, holidays, moment)


def upcoming_closures(point: ServicePoint, today=None):
    today = today or timezone.localdate()
    return [c for c in point.closures.all() if c.end >= today]
