"""Every headline figure of one territory, as a dashboard shows them."""

from django.utils import timezone

from ..cache import cached
from .academy_dif import dif
from .academy_sessions import academy
from .activity_reports import activity
from .base import ADVISORS_NATIONAL_TARGET, PER_INHABITANTS, Territory, _ratio
from .deployment import deployment


def summary(territory: Territory, start, end, on=None):
    """Every headline figure of a territory (about ten queries)."""
    on = on or timezone.localdate()
    figures = dict(cached(("deployment", territory, on), lambda: deployment(territory, on)))
    figures["target"] = ADVISORS_NATIONAL_TARGET if territory.level == "national" else None
    figures["target_rate"] = _ratio(figures["granted"], figures["target"])
    figures["activation_rate"] = _ratio(figures["active"], figures["granted"])
    figures["per_100000"] = _ratio(figures["active"], figures["population"],
                                    factor=PER_INHABITANTS, digits=4)
    figures["small_communes_rate"] = _ratio(figures["active_small_communes"],
                                            figures["active"])
    figures["activity"] = activity(territory, start, end)
    # Both read the sessions' figures, cached once (``session_figures``): derived from
    # them, not cached again.
    figures["academy"] = academy(territory, start, end)
    figures["dif"] = dif(territory, start, end)
    return figures
