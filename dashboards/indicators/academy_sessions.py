"""The academy's figures of a period: sessions held in the territory, their enrolments and
attendance."""

import datetime

from django.db.models import Q
from django.utils import timezone

from .base import Territory, _ratio


def sessions_held(territory: Territory, start, end):
    """The sessions held (not cancelled) in the territory from ``start`` to ``end``, days
    included, in Paris time: a condition on Session, prefixed with ``_prefixed`` to read
    it from a related table."""
    from academy.models import Session
    from territories.models import Department

    zone = timezone.get_current_timezone()
    place = territory.departments("commune__department")
    if territory.level == "region":
        # Its départements by id (one small query): the sessions' communes are then found
        # through the index on their département, not by joining every commune of France
        # to its département to read its région.
        place = Q(commune__department_id__in=list(Department.objects.filter(
            region=territory.obj).values_list("pk", flat=True)))
    return place & Q(
        status=Session.Status.SCHEDULED,
        start__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        start__lt=datetime.datetime.combine(end + datetime.timedelta(days=1),
                                            datetime.time.min, tzinfo=zone))


def academy(territory: Territory, start, end):
    """Sessions held in the territory during the period, their confirmed enrolments and
    attendance, in total and by département: the sessions summed with their totals
    (``SessionTotals``, kept at each enrolment or mark by ``dashboards/rollups.py``), never
    the marks themselves. Two queries."""
    from ..cache import cached
    from ..rollups import session_figures

    if territory.level == "structure":
        return None
    totals, rows = cached(("sessions", territory, start, end),
                          lambda: session_figures(sessions_held(territory, start, end)))
    names = ("sessions", "enrolments", "present", "marked")
    result = {name: totals[name] for name in names}
    result["attendance_rate"] = _ratio(result["present"], result["marked"])
    result["by_department"] = [
        {"code": row["code"], "name": row["name"], **{name: row[name] for name in names},
         "attendance_rate": _ratio(row["present"], row["marked"])}
        for row in rows]  # ~100 aggregated rows at most
    return result
