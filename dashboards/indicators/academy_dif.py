"""The DIF élus figures of a period: funding requests of the enrolments in sessions held in
the territory during the period (academy's ``DifFunding``), by status, in total and by
département."""


from django.db.models import Count, F, Q

from .academy_sessions import sessions_held
from .base import Territory, _prefixed

STATUSES = ("requested", "granted", "refused")


def dif(territory: Territory, start, end):
    """{"asked", "requested", "granted", "refused", "by_department": [...]}: "asked" counts
    every declared request, "requested" those awaiting an answer. Two queries."""
    from academy.models.funding import DifFunding

    if territory.level == "structure":
        return None
    held = sessions_held(territory, start, end)
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
