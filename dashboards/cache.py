"""The deployment's figures (posts, contracts, service points, population, academy) change a
few times a day, but computing them nationally joins every structure, contract and service
point to its commune. The dashboards keep each computed figure in the cache under a
*version* that any change to those records bumps (signals below), so a dashboard shows a
change at once and otherwise reads its figures back from the cache. Bulk writes that bypass
signals (imports, generators) call ``bump()``; entries also expire after
``DASHBOARD_CACHE_SECONDS`` as a last resort. Activity figures come from the rollups
(``advisors/rollups.py``), exact and cheap; the rendered figures of a dashboard page (views.py) are
kept under both versions, so that a page is rendered once until something it shows changes.
"""

from django.conf import settings
from django.core.cache import cache

from core.cache_versions import CacheVersion

VERSION_KEY = "dashboards:version"


VERSION = CacheVersion(VERSION_KEY)
bump = VERSION.bump
# The activity totals (rollups) move with every report recorded: they have a version of
# their own, renewed when ``advisors.rollups`` says they changed (``connect_signals``), so
# that a new report does not make the deployment figures be computed again.
ACTIVITY_VERSION = CacheVersion("dashboards:activity:version")


def _part(value):
    obj = getattr(value, "obj", None)
    if hasattr(value, "level"):  # a Territory
        return f"{value.level}-{getattr(obj, 'pk', '')}"
    return str(value)


def cached(parts, compute, *, with_activity=False):
    """``compute()`` once per version and ``parts`` (a tuple of names, territories, dates);
    ``with_activity``: the value also depends on the activity totals."""
    versions = VERSION.current() + (f"-{ACTIVITY_VERSION.current()}" if with_activity else "")
    key = "dashboards:" + versions + ":" + ":".join(_part(part) for part in parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=getattr(settings, "DASHBOARD_CACHE_SECONDS", 600))
    return value


def connect_signals():
    """Any saved or deleted record the cached figures are computed from bumps the version;
    so do the advisors app's own signals (bulk writes, activity totals)."""
    from django.db.models.signals import m2m_changed

    from academy.models import Attendance, Enrolment, Session
    from academy.models.funding import DifFunding
    from advisors import signals
    from advisors.models import (
        Advisor,
        Amendment,
        Application,
        Contract,
        ContractExtension,
        OpeningRange,
        ServicePoint,
        Structure,
    )
    from territories.models import Commune

    VERSION.renew_on_changes(Structure, Application, Amendment, Contract, ContractExtension,
                             Advisor, ServicePoint, OpeningRange, Commune, Session, Enrolment,
                             Attendance, DifFunding)
    signals.records_bulk_changed.connect(VERSION.bump, weak=False,
                                         dispatch_uid="dashboards:bulk-changed")
    signals.contracts_turned.connect(VERSION.bump, weak=False,
                                     dispatch_uid="dashboards:contracts-turned")
    signals.activity_totals_changed.connect(ACTIVITY_VERSION.bump, weak=False,
                                            dispatch_uid="dashboards:activity-changed")
    # Who is listed at a place decides whether it is open (``ServicePoint.public``).
    m2m_changed.connect(VERSION.bump, sender=ServicePoint.advisors.through, weak=False,
                        dispatch_uid="dashboards:advisors-listed")
    # The rollups the figures are read from, kept in the writers' transactions.
    from . import rollups

    rollups.connect_signals()
