"""The end of an advisor's contract (its last day gone by, or a rupture taking effect).

Everything follows from who is under contract on a given day (``Contract.holding_posts``:
submitted or validated, not ended, no effective rupture), read by the queries themselves,
so nothing is copied that could drift and a returning advisor gets everything back:

- the public directory names only the advisors listed at a place who are under contract
  with its structure (``ServicePoint.current_advisors``);
- a place advisors were listed at is shown (directory, map, open data, API) only while one
  of them is under contract with its structure (``ServicePointQuerySet.public``): it stays
  with a colleague still listed there, else leaves the public lists until someone under
  contract is listed again;
- an advisor reaches the data of a structure (its page, its places) only while under
  contract with it (``Structure.objects.visible_to``, ``ServicePoint.objects.visible_to``
  / ``editable_by``); their own reports, contracts and training stay theirs, and their
  reports stay counted in every figure (the rollups are never touched here).

The date alone changes these answers, and no model signal says so: the daily
``apply_contract_ends`` job (``advisors.tasks``, just after midnight) sends
``signals.contracts_turned``, on which the directory's kept pages, the open-data kept
answers and the dashboards' figures renew their versions. A rupture validated with a date
already reached takes effect at once (saving the contract renews the same versions).
The job only reads and renews versions: running it twice changes nothing more.
"""

import datetime
import logging

from django.db.models import Max, Q
from django.utils import timezone

from . import signals
from .models import Advisor, Contract, ServicePoint

logger = logging.getLogger(__name__)


def under_contract(day=None):
    """Advisors under contract on that day (today by default)."""
    return Advisor.objects.filter(
        pk__in=Contract.objects.holding_posts(day).values("advisor_id"))


def offboarded_on(day=None):
    """Advisors under contract the day before ``day`` and no longer on ``day``."""
    day = day or timezone.localdate()
    return under_contract(day - datetime.timedelta(days=1)).exclude(
        pk__in=under_contract(day).values("pk"))


def places_left_unstaffed_on(day=None):
    """Published places staffed the day before ``day`` that nobody staffs on ``day``: they
    leave the public lists that day."""
    day = day or timezone.localdate()
    return (ServicePoint.objects.filter(is_public=True)
            .staffed(day - datetime.timedelta(days=1))
            .exclude(pk__in=ServicePoint.objects.staffed(day).values("pk")))


def last_staffing_change(day=None):
    """The latest moment, up to that day, from which a place's staff changed with the date
    alone (the local midnight after a listed advisor's last day, or starting the day their
    contract or its rupture took effect); None without any. Open data dates its service
    points file with it, as a place leaving the lists touches no row."""
    day = day or timezone.localdate()
    ruptured = Q(rupture_status=Contract.Rupture.VALIDATED)
    figures = Contract.objects.filter(
        advisor__in=ServicePoint.advisors.through.objects.values("advisor_id"),
        status__in=Contract.HOLDING_STATUSES,
    ).order_by().aggregate(
        started=Max("start", filter=Q(start__lte=day)),
        ended=Max("end", filter=~ruptured & Q(end__lt=day)),
        broken=Max("rupture_date", filter=ruptured & Q(rupture_date__lte=day)))
    days = [figures["started"], figures["broken"]]
    if figures["ended"]:
        days.append(figures["ended"] + datetime.timedelta(days=1))
    days = [d for d in days if d is not None]
    if not days:
        return None
    return timezone.make_aware(datetime.datetime.combine(max(days), datetime.time()))


def apply_contract_ends(day=None) -> dict:
    """Tells the apps keeping public answers that who is under contract changed today.
    Returns what changed, for the job's log."""
    day = day or timezone.localdate()
    summary = {"day": day.isoformat(),
               "advisors_offboarded": offboarded_on(day).count(),
               "places_unpublished": places_left_unstaffed_on(day).count()}
    signals.contracts_turned.send(sender=Contract, day=day)
    logger.info("contract ends applied", extra=summary)
    return summary
