"""The public directory's queries: where a resident searches from, and the public service
points near there that match the filters, sorted and paged by the database."""

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Avg, Exists, OuterRef, Q
from django.utils import timezone

from calendars.holidays import LOCAL_HOLIDAY_AREAS, public_holidays
from calendars.open_now import OVERSEAS_TIMEZONES, PARIS, OpenState, open_state, timezone_of
from calendars.opening_hours import ClosedPeriod
from territories.models import Commune
from territories.text import normalize_name

from ..calendar import opening_ranges
from ..geo import NearestFirst, box_around, distance_km
from ..models import Closure, OpeningRange, ServicePoint
from ..paging import load_in_order

# The radii a resident may choose (km), and the one searched when they choose none.
RADII_KM = (5, 10, 20, 50)
DEFAULT_RADIUS_KM = 20


@dataclass
class Origin:
    """Where distances are measured from: a commune, or the visitor's own position
    ("Autour de moi", ``commune`` None; used for this answer only, never stored)."""

    commune: Commune | None
    latitude: float
    longitude: float
    approximate: bool = False  # the average of the commune's service points


@dataclass
class Widened:
    """Nothing within the radius asked: the nearest places, within ``shown_km``."""

    asked_km: int
    nearest_km: float
    shown_km: int

    @property
    def notice(self):
        return (f"Aucun lieu à moins de {self.asked_km} km ; voici les plus proches, "
                f"à {round(self.nearest_km)} km.")


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
                   now: datetime | None = None, radius_km: int | None = None):
    """Public service points matching the filters: nearest first from ``origin``
    (those without coordinates last; ``geo.NearestFirst`` pages them through growing
    circles), else by commune and name; with ``radius_km``, only those that close.
    Ranking and paging read the service point table alone; ``with_details`` loads what one
    page shows."""
    rows = matching(service=service, access=access, open_now=open_now, weekday=weekday,
                    now=now, zone=zone_of(origin))
    if origin is None:
        return rows.order_by("commune__name", "name", "pk")
    return NearestFirst(rows, origin.latitude, origin.longitude, within_km=radius_km,
                        tie_breaks=("name", "pk"))


def widen_km(nearest_km: float) -> int:
    """A round radius a quarter beyond the nearest place (48 km → 60 km)."""
    return max(5, math.ceil(round(nearest_km, 1) * 1.25 / 5) * 5)


def nearby(*, origin: Origin, radius_km: int, **filters):
    """(ranked places within ``radius_km`` of ``origin``, None), or when there is none
    there, (the nearest ones, within a radius widened to hold them, ``Widened``)."""
    ranked = service_points(origin=origin, radius_km=radius_km, **filters)
    if ranked.count():
        return ranked, None
    distance = nearest_km(matching(zone=zone_of(origin), **filters), origin,
                          beyond_km=radius_km)
    if distance is None:
        return ranked, None
    shown = widen_km(distance)
    return (service_points(origin=origin, radius_km=shown, **filters),
            Widened(radius_km, distance, shown))


# How far a search without result looks for the nearest places (boxes an index answers);
# past the last step, the whole territory (None), nearest first with a LIMIT 1.
WIDEN_STEPS_KM = (50, 100, 200, 300, None)


def nearest_km(rows, origin: Origin, beyond_km=0) -> float | None:
    """Kilometres to the nearest of ``rows`` (with coordinates), looked for in growing
    boxes, then anywhere (Brest finds the nearest place 640 km away); None when no place
    has coordinates."""
    rows = rows.filter(latitude__isnull=False, longitude__isnull=False)
    for km in WIDEN_STEPS_KM:
        if km is not None and km <= beyond_km:
            continue
        within = rows.annotate(distance_km=distance_km(origin.latitude, origin.longitude))
        if km is not None:
            box = box_around(origin.latitude, origin.longitude, km)
            within = (within.filter(box) if box is not None else within).filter(
                distance_km__lte=km)
        first = list(within.order_by("distance_km")
                     .values_list("distance_km", flat=True)[:1])
        if first:
            return first[0]
    return None


def zone_of(origin: Origin | None):
    """The time zone of the places around ``origin``, for "Ouvert maintenant": its
    commune's, or Paris for a position in metropolitan France; None (every zone) else."""
    if origin is None:
        return None
    if origin.commune is not None:
        return timezone_of(origin.commune.department.code)
    if 41 <= origin.latitude <= 51.5 and -5.5 <= origin.longitude <= 10:
        return PARIS
    return None


def matching(*, service: str = "", access: str = "", open_now: bool = False,
             weekday: int | None = None, now: datetime | None = None, zone=None):
    """Public service points matching the filters, unordered (``zone``: the time zone of
    every place looked at, when the search is around one point)."""
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
        rows = rows.filter(open_at_moment(now or timezone.now(), zone))
    return rows


def open_at_moment(moment: datetime, zone=None) -> Q:
    """Open at that moment, in each place's own time: metropolitan France at Paris time,
    each overseas département at its own (``calendars.open_now.OVERSEAS_TIMEZONES``);
    with ``zone``, every place is taken to be in that one (a search around a point)."""
    if zone is not None:
        local = moment.astimezone(zone)
        today, clock = local.date(), local.time().replace(tzinfo=None)
        national_holiday, closed = closed_departments_today(today)
        if national_holiday:
            return Q(pk__in=[])
        condition = Q(Exists(OpeningRange.objects.filter(
            service_point=OuterRef("pk"), weekday=today.weekday(), opens__lte=clock,
            closes__gt=clock))) & ~Q(Exists(Closure.objects.filter(
                service_point=OuterRef("pk"), start__lte=today, end__gte=today)))
        if closed:
            condition &= ~Q(commune__department__code__in=closed)
        return condition
    # Every zone, in one EXISTS per place (as fast as one zone): each zone's day and hour
    # apply to the ranges of the places of its départements.
    department = "service_point__commune__department__code"
    overseas = {}
    for code, name in OVERSEAS_TIMEZONES.items():
        overseas.setdefault(name, []).append(code)
    zones = [(PARIS, ~Q(**{f"{department}__in": list(OVERSEAS_TIMEZONES)}),
              lambda code: code not in OVERSEAS_TIMEZONES)]
    zones += [(ZoneInfo(name), Q(**{f"{department}__in": codes}),
               lambda code, codes=codes: code in codes)
              for name, codes in overseas.items()]
    opened, closures, holidays = Q(pk__in=[]), Q(pk__in=[]), []
    for zone, where, in_zone in zones:
        local = moment.astimezone(zone)
        today, clock = local.date(), local.time().replace(tzinfo=None)
        national_holiday, closed = closed_departments_today(today)
        if national_holiday:
            continue
        opened |= where & Q(weekday=today.weekday(), opens__lte=clock, closes__gt=clock)
        closures |= where & Q(start__lte=today, end__gte=today)
        holidays += sorted(code for code in closed if in_zone(code))
    condition = Q(Exists(OpeningRange.objects.filter(opened, service_point=OuterRef("pk")))) \
        & ~Q(Exists(Closure.objects.filter(closures, service_point=OuterRef("pk"))))
    if holidays:
        condition &= ~Q(commune__department__code__in=holidays)
    return condition


def with_details(points) -> list[ServicePoint]:
    """The page's service points with what a list shows: commune and département, hours and
    closures (for "Ouvert maintenant"); not the structure nor the advisors, which only the
    service point's own page names."""
    return load_in_order(ServicePoint.objects.select_related("commune__department")
                         .prefetch_related("opening_ranges", "closures"), points)


def open_at(point: ServicePoint, moment: datetime | None = None) -> bool:
    """Open at that moment (now by default): hours, closures and public holidays."""
    return opening_state(point, moment).is_open


def opening_state(point: ServicePoint, moment: datetime | None = None) -> OpenState:
    """"Ouvert maintenant · ferme à 17 h", "Ouvre demain à 9 h"…, in the place's time zone,
    with the calendar feed's rules (holidays of its département, declared closures)."""
    closures = [ClosedPeriod(c.start, c.end, c.reason) for c in point.closures.all()]
    return open_state(opening_ranges(point), closures, point.commune.department.code,
                      moment or timezone.now())


def upcoming_closures(point: ServicePoint, today=None):
    today = today or timezone.localdate()
    return [c for c in point.closures.all() if c.end >= today]


def staff_first_names(point: ServicePoint) -> list[str]:
    """The first names the page shows: advisors under contract with the place's structure
    only (an advisor whose contract ended is named nowhere public)."""
    return sorted({name for name in point.current_advisors().values_list("first_name",
                                                                         flat=True) if name})
