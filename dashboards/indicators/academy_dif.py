"""The DIF élus figures of a period: funding requests of the enrolments in sessions held in
the territory during the period (academy's ``DifFunding``), by status, in total and by
département, read from the sessions' totals (``SessionTotals``, ``dashboards/rollups.py``)."""

from .academy_sessions import sessions_held
from .base import Territory

STATUSES = ("requested", "granted", "refused")


def dif(territory: Territory, start, end):
    """{"asked", "requested", "granted", "refused", "by_department": [...]}: "asked" counts
    every declared request, "requested" those awaiting an answer; the départements with at
    least one request. Two queries."""
    from ..cache import cached
    from ..rollups import session_figures

    if territory.level == "structure":
        return None
    totals, rows = cached(("sessions", territory, start, end),
                          lambda: session_figures(sessions_held(territory, start, end)))

    def counts(row):
        figures = {status: row[f"dif_{status}"] for status in STATUSES}
        return {"asked": sum(figures.values()), **figures}

    result = counts(totals)
    result["by_department"] = [
        {"code": row["code"], "name": row["name"], **counts(row)} for row in rows
        if any(row[f"dif_{status}"] for status in STATUSES)]
    return result
