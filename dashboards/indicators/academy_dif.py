"""The DIF élus figures of a period: funding requests of the enrolments in sessions held in
the territory during the period (academy's ``DifFunding``), by status, in total and by
département."""

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from .base import Territory, _prefixed

STATUSES = ("requested", "granted", "refused")


def dif(territory: Territory, start, end):
    """{"asked", "requested", "granted", "refused", "by_department": [...]}: "asked" counts
    every declared request, "requested" those awaiting an answer. Two queries."""
    from academy.models import Session
    from academy.models.funding import DifFunding

    if territory.level == "structure":
        return None
    zone = timezone.get_current_timezone()
    held = territory.departments("commune__department") & Q(
        status=Session.Status.SCHEDULED,
        start__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        start__lt=datetime.datetime.combine(end + datetime.timedelta(days=1),
                                            datetime.time.min, tzinfo=zone))
    rows = DifFunding.objects.asked().filter(_prefixed(held, "enrolment__session"))
    counts = {"asked": Count("pk"),
              **{status: Count("pk", filter=Q(status=status)) for status in STATUSES}}
    totals = rows.aggregate(**counts)
    path = "enrolment__session__commune__department"
    totals["by_department"] = list(
        rows.filter(enrolment__session__commune__isnull=False).order_by()
        .values(code=F(f"{path}__code"), name=F(f"{path}__name"))
        .annotate(**counts).order_by("code"))
    return totals
