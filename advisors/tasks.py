"""Periodic jobs of the advisors programme."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import emails, rollups
from .models import Application, PrefectAssignment
from .services.beneficiaries import anonymise_due


@shared_task
def rebuild_activity_rollups():
    """Recomputes the activity totals from the reports (a weekly safety net for reports
    written outside ``record_activity``, e.g. from a shell). Idempotent."""
    return rollups.rebuild()


@shared_task
def send_prefect_digests():
    """Each préfet receives, once a day, the applications filed in their territory since
    their last digest (since their assignment for the first one). Nothing is sent when
    nothing is new; a second run finds nothing left to send. A préfet who turned the
    digest off in "Mon espace" has the window moved on without a message."""
    from accounts.notices import turned_off

    from .reminders import PREFECT_DIGEST

    now = timezone.now()
    sent = 0
    off = turned_off(PREFECT_DIGEST)
    assignments = (PrefectAssignment.objects.active()
                   .select_related("user", "department", "region").distinct())
    for assignment in assignments:
        since = assignment.last_digest_at or assignment.created_at
        territory = ({"department": assignment.department} if assignment.department_id
                     else {"region": assignment.region})
        applications = list(
            Application.objects.in_territory(**territory)
            .filter(created_at__gt=since, created_at__lte=now)
            .select_related("structure__commune").order_by("created_at", "pk")
        )
        if not applications:
            continue
        with transaction.atomic():
            # Claim the window: a concurrent run that read the same last_digest_at loses.
            claimed = PrefectAssignment.objects.filter(
                pk=assignment.pk, last_digest_at=assignment.last_digest_at,
            ).update(last_digest_at=now)
            if claimed and assignment.user_id not in off:
                emails.prefect_digest(assignment, applications)
                sent += 1
    return sent


@shared_task
def anonymise_beneficiaries():
    """Daily: the identity of the people followed goes after two years without a visit,
    or once nobody of their structure is under contract. Idempotent."""
    return anonymise_due()


@shared_task
def geocode_address(model_name, pk):
    """Locates one service point or structure whose address changed (sent on commit by
    ``advisors.geocoding.after_save``). Idempotent: a row no longer pending is left alone."""
    from . import geocoding

    return geocoding.locate(model_name, pk).status


@shared_task
def retry_geocoding():
    """Every quarter of an hour: the rows the geocoder did not answer for, until it fails
    again. Idempotent."""
    from . import geocoding

    return geocoding.retry_pending()


@shared_task
def apply_contract_ends():
    """Daily, just after midnight: the advisors whose contract ended (or was broken off)
    leave the public directory and open data, their places stay with a colleague under
    contract or leave the public lists, their access to the structure ends
    (``advisors/offboarding.py``). Idempotent."""
    from .offboarding import apply_contract_ends as apply

    return apply()
