"""The academy's figures of a period: sessions held in the territory, their enrolments and
attendance."""

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from .base import Territory, _prefixed, _ratio


def sessions_held(territory: Territory, start, end):
    """The sessions held (not cancelled) in the territory from ``start`` to ``end``, days
    included, in Paris time: a condition on Session, prefixed with ``_prefixed`` to read
    it from a related table."""
    from academy.models import Session

    zone = timezone.get_current_timezone()
    return territory.departments("commune__department") & Q(
        status=Session.Status.SCHEDULED,
        start__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        start__lt=datetime.datetime.combine(end + datetime.timedelta(days=1),
                                            datetime.time.min, tzinfo=zone))


def academy(territory: Territory, start, end):
    """Sessions held in the territory during the period, their confirmed enrolments and
    attendance: each table counted by its own aggregate (no join fanning rows out, so no
    distinct counts), in total and by département. Six queries."""
    from academy.models import Attendance, Enrolment, Session

    if territory.level == "structure":
        return None
    held = sessions_held(territory, start, end)
    parts = [
        ("", Session.objects.filter(held), {"sessions": Count("pk")}),
        ("session__", Enrolment.objects.filter(_prefixed(held, "session"),
                                               status=Enrolment.Status.CONFIRMED),
         {"enrolments": Count("pk")}),
        ("enrolment__session__", Attendance.objects.filter(_prefixed(held, "enrolment__session")),
         {"present": Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
          "marked": Count("pk")}),
    ]
    totals = {}
    departments = {}
    for path, rows, counts in parts:
        totals.update(rows.aggregate(**counts))
        for row in (rows.filter(**{f"{path}commune__isnull": False}).order_by()
                    .values(code=F(f"{path}commune__department__code"),
                            name=F(f"{path}commune__department__name"))
                    .annotate(**counts)):  # one aggregated row per département
            departments.setdefault(row["code"], {"sessions": 0, "enrolments": 0, "present": 0,
                                                 "marked": 0}).update(row)
    totals["attendance_rate"] = _ratio(totals["present"], totals["marked"])
    by_department = [departments[code] for code in sorted(departments)]
    for row in by_department:  # ~100 aggregated rows at most: a rate per row
        row["attendance_rate"] = _ratio(row["present"], row["marked"])
    totals["by_department"] = by_department
    return totals
