"""Service points: creation, changes, weekly opening hours and closures.

Calendar feeds publish these as recurring events: whenever what they show changes (name,
place, hours, closures) ``calendar_sequence`` goes up by one, in the database (F() + 1), so
calendar clients replace their copy."""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import bounds, permissions
from ..models import Advisor, Closure, Contract, OpeningRange, ServicePoint
from ..models.positions import Positioning
from ..signals import records_bulk_changed
from .base import NotAllowed, WorkflowError, locked, validate

# Fields a calendar event shows (summary, location, geo): changing one bumps the sequence.
CALENDAR_FIELDS = ("name", "address", "commune", "latitude", "longitude")
EDITABLE_FIELDS = ("name", "address", "commune", "latitude", "longitude", "access",
                   "is_itinerant", "services", "phone", "email", "website", "booking_url",
                   "is_public")
NOT_EDITOR = ("Seuls les gestionnaires de la structure et les conseillers qui y travaillent "
              "modifient ce lieu d'activité.")


def bump_calendar_sequence(service_point):
    """Sequence + 1 (and ``updated_at``) in one UPDATE, safe under concurrent changes."""
    ServicePoint.objects.filter(pk=service_point.pk).update(
        calendar_sequence=F("calendar_sequence") + 1, updated_at=timezone.now())
    service_point.refresh_from_db(fields=["calendar_sequence", "updated_at"])


def _require_editable(actor, service_point):
    if not permissions.can_edit(actor, service_point):
        raise NotAllowed(NOT_EDITOR)


def _staff(structure, advisors):
    """The advisors, checked: each holds (or is recruited on) a post at the structure."""
    advisors = list(advisors)
    holding = set(Contract.objects.filter(structure=structure, advisor__in=advisors)
                  .holding_posts().values_list("advisor_id", flat=True))
    strangers = [advisor for advisor in advisors if advisor.pk not in holding]
    if strangers:
        names = ", ".join(str(advisor) for advisor in strangers)
        raise WorkflowError(f"Sans contrat en cours avec la structure : {names}.")
    return advisors


def create_service_point(structure, actor, data, *, advisors=(), opening_ranges=()):
    """A new service point of the structure, created by one of its managers or by an advisor
    it employs (who is then listed among the advisors working there)."""
    own = Advisor.objects.filter(user=actor).first() if actor.is_authenticated else None
    employed_here = own is not None and Contract.objects.filter(
        structure=structure, advisor=own).holding_posts().exists()
    if not (permissions.can_edit(actor, structure) or employed_here):
        raise NotAllowed(NOT_EDITOR)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise WorkflowError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    advisors = list(advisors)
    if employed_here and own not in advisors:
        advisors.append(own)
    with transaction.atomic():
        service_point = ServicePoint(structure=structure, **data)
        if service_point.latitude is not None:  # placed on the form's map by the person
            service_point.position_source = Positioning.MANUAL
        validate(service_point)
        service_point.save()
        service_point.advisors.set(_staff(structure, advisors))
        if opening_ranges:
            _replace_ranges(service_point, opening_ranges)
        return service_point


def update_service_point(service_point, actor, data):
    """Changes the given fields; the calendar sequence goes up when the name, the address,
    the commune or the coordinates change. Returns the service point, refreshed."""
    _require_editable(actor, service_point)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise WorkflowError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = locked(ServicePoint, service_point.pk)
        changed = [name for name, value in data.items()
                   if _value(current, name) != _value_of(value, name)]
        for name, value in data.items():
            setattr(current, name, value)
        if {"latitude", "longitude"} & set(changed):
            # Moved by hand on the form's map; emptied, located from the address again.
            current.position_source = (Positioning.MANUAL if current.latitude is not None
                                       else Positioning.UNKNOWN)
        validate(current)
        current.save()
        if any(name in CALENDAR_FIELDS for name in changed):
            bump_calendar_sequence(current)
    service_point.refresh_from_db()
    return service_point


def _value(service_point, name):
    return service_point.commune_id if name == "commune" else getattr(service_point, name)


def _value_of(value, name):
    return getattr(value, "pk", value) if name == "commune" else value


def set_service_point_advisors(service_point, advisors, actor):
    """Who works at the service point (each must hold a post at its structure)."""
    _require_editable(actor, service_point)
    with transaction.atomic():
        service_point.advisors.set(_staff(service_point.structure, advisors))


def _as_range(item):
    """(weekday, period, opens, closes) from a mapping, an object with those attributes or a
    tuple; times may be "HH:MM" strings."""
    if isinstance(item, Mapping):
        values = [item.get(key) for key in ("weekday", "period", "opens", "closes")]
    elif isinstance(item, tuple | list):
        values = list(item)
    else:
        values = [getattr(item, key) for key in ("weekday", "period", "opens", "closes")]
    weekday, period, opens, closes = values
    opens, closes = (datetime.time.fromisoformat(t) if isinstance(t, str) else t
                     for t in (opens, closes))
    return (weekday, period, opens, closes)


def _replace_ranges(service_point, ranges):
    """Validates the whole week, then replaces the rows. True when the hours changed."""
    days = {}
    for item in ranges:
        weekday, period, opens, closes = _as_range(item)
        row = OpeningRange(service_point=service_point, weekday=weekday, period=period,
                           opens=opens, closes=closes)
        validate(row, validate_unique=False, validate_constraints=False)
        day = days.setdefault(row.weekday, {})
        if row.period in day:
            raise WorkflowError(f"Une seule plage par demi-journée : le "
                                f"{row.get_weekday_display().lower()} "
                                f"{row.get_period_display().lower()} figure deux fois.")
        day[row.period] = row
    for periods in days.values():
        morning, afternoon = periods.get("am"), periods.get("pm")
        if morning and afternoon and morning.closes > afternoon.opens:
            raise WorkflowError(
                f"Le {morning.get_weekday_display().lower()}, la plage du matin doit se "
                "terminer avant le début de celle de l'après-midi.")
    rows = [row for periods in days.values() for row in periods.values()]
    wanted = sorted((row.weekday, row.period, row.opens, row.closes) for row in rows)
    current = sorted(service_point.opening_ranges.values_list(
        "weekday", "period", "opens", "closes"))
    if current == wanted:
        return False
    service_point.opening_ranges.all().delete()
    OpeningRange.objects.bulk_create(rows)
    # bulk_create sends no post_save: the open service points change (dashboards' figures).
    records_bulk_changed.send(sender=OpeningRange, model=OpeningRange,
                              service_point=service_point)
    return True


def set_opening_hours(service_point, ranges, actor):
    """Replaces the weekly hours with ``ranges`` (items with weekday 0–6, period "am"/"pm",
    opens, closes). Bumps the calendar sequence when they differ from the current ones."""
    _require_editable(actor, service_point)
    with transaction.atomic():
        current = locked(ServicePoint, service_point.pk)
        if _replace_ranges(current, ranges):
            bump_calendar_sequence(current)
    service_point.refresh_from_db(fields=["calendar_sequence", "updated_at"])
    return list(service_point.opening_ranges.all())


def add_closure(service_point, actor, *, start, end=None, reason=""):
    """An exceptional closure, ``start`` to ``end`` included (one day without ``end``),
    from 2020 to two years ahead."""
    _require_editable(actor, service_point)
    errors = bounds.closure_errors(start, end or start)
    if errors:
        raise WorkflowError(" ".join(m for messages in errors.values() for m in messages),
                            errors)
    with transaction.atomic():
        current = locked(ServicePoint, service_point.pk)
        closure = Closure(service_point=current, start=start, end=end or start,
                          reason=(reason or "").strip())
        validate(closure)
        closure.save()
        bump_calendar_sequence(current)
    service_point.refresh_from_db(fields=["calendar_sequence", "updated_at"])
    return closure


def remove_closure(closure, actor):
    """Deletes the closure; returns its service point, refreshed (sequence bumped)."""
    service_point = closure.service_point
    _require_editable(actor, service_point)
    with transaction.atomic():
        current = locked(ServicePoint, service_point.pk)
        closure.delete()
        bump_calendar_sequence(current)
    service_point.refresh_from_db(fields=["calendar_sequence", "updated_at"])
    return service_point
