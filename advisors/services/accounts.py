"""Advisors' records meet their accounts: the professional email is the key. A structure
declares an advisor by email; when that person confirms the same address on the platform
(or already has), the record becomes theirs and, once a contract is validated, they get
the advisor's (and coordinator's) role."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import Role

from ..models import Advisor, Contract


def grant_roles(advisor):
    """The advisor's roles, when their account exists and a contract was validated."""
    if not advisor.user_id:
        return
    if Contract.objects.filter(advisor=advisor, status=Contract.Status.VALIDATED).exists():
        advisor.user.groups.add(Group.objects.get(name=Role.ADVISOR))
        if advisor.is_coordinator:
            advisor.user.groups.add(Group.objects.get(name=Role.COORDINATOR))


def link_account(user):
    """Gives this person the advisor records bearing one of their verified emails."""
    emails = [address.lower() for address in EmailAddress.objects.filter(
        user=user, verified=True).values_list("email", flat=True)]
    linked = []
    with transaction.atomic():
        for advisor in Advisor.objects.select_for_update().filter(
                email__in=emails, user__isnull=True):
            if Advisor.objects.filter(user=user).exists():
                break  # one advisor record per account
            advisor.user = user
            advisor.save(update_fields=["user", "updated_at"])
            grant_roles(advisor)
            linked.append(advisor)
    return linked


def link_record(advisor):
    """Gives a new advisor record to the account that verified its email, if any."""
    if advisor.user_id:
        return advisor
    owner = (EmailAddress.objects.filter(email__iexact=advisor.email, verified=True)
             .exclude(user__advisor__isnull=False).select_related("user").first())
    if owner:
        advisor.user = owner.user
        advisor.save(update_fields=["user", "updated_at"])
    return advisor


def on_email_confirmed(request, email_address, **kwargs):
    link_account(email_address.user)
