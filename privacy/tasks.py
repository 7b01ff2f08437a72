"""Monthly purge of inactive accounts (``CELERY_BEAT_SCHEDULE``: privacy-purge-inactive)."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import emails, services
from .models import AccountErasure, InactivityWarning

logger = logging.getLogger(__name__)


@shared_task
def purge_inactive_accounts():
    """Warns accounts that reach three years without a login within 30 days, then erases
    those still inactive 30 days after their warning. Agents' accounts (ANCT back office,
    préfets) are deactivated instead of erased. A login after the warning cancels it.

    Idempotent: a second run the same day sends no second warning (one warning per account)
    and erases nothing twice (an erased account is marked and left out)."""
    now = timezone.now()
    counts = {"cancelled": services.cancel_stale_warnings(), "erased": 0, "deactivated": 0,
              "warned": 0}

    for pk in list(services.expiry_due(services.purgeable_accounts(), now)
                   .values_list("pk", flat=True)):
        try:
            services.erase_account(get_user_model()(pk=pk),
                                   reason=AccountErasure.Reason.INACTIVITY, now=now)
        except services.ErasureRefused as refusal:  # a contract started meanwhile
            logger.info("Inactive account %s kept: %s", pk, refusal)
            continue
        counts["erased"] += 1

    for user in list(services.expiry_due(services.agent_accounts(), now)):
        with transaction.atomic():
            user.is_active = False
            user.save(update_fields=["is_active"])
            InactivityWarning.objects.filter(user=user).delete()
        services.delete_sessions({user.pk})
        counts["deactivated"] += 1

    for queryset, agent in [(services.purgeable_accounts(), False),
                                  (services.agent_accounts(), True)]:
        for user in list(services.warning_due(queryset, now)):
            with transaction.atomic():
                _, created = InactivityWarning.objects.get_or_create(
                    user=user, defaults={"sent_at": now})
                if created:
                    emails.inactivity_warning(user, sent_at=now, agent=agent)
                    counts["warned"] += 1
    logger.info("Inactive accounts: %s", counts)
    return counts
