"""The person's data rights: what is held about them (export), erasure of their account,
and the purge of accounts left inactive for three years.

Erasure keeps the user row, anonymised: enrolments, attendances and the acts recorded by
the account (applications, opinions, contracts entered…) point to it with PROTECT or
SET_NULL foreign keys, and every count made over them stays the same. What identifies the
person (names, addresses, mandates, login means, calendar secret, sessions) is deleted or
replaced by placeholders. See docs/privacy.md for each decision.
"""

import logging
from datetime import timedelta
from email.utils import parseaddr
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from academy import notices as academy_notices
from academy.models import Enrolment, OfficialProfile, Session
from academy.services import fill_from_waitlist
from accounts.models import NoticePreference, SentNotice
from accounts.roles import Role
from advisors import history as advisors_history
from advisors.models import Advisor, Contract, PrefectAssignment, Structure
from calendars.models import CalendarToken
from dashboards.models import ExportJob

from .models import AccountErasure, InactivityWarning

logger = logging.getLogger(__name__)

INACTIVITY_LIMIT = timedelta(days=3 * 365)
WARNING_NOTICE = timedelta(days=30)

# Placeholders of an erased account: ".invalid" is a reserved domain (RFC 2606), so no
# message can ever reach it, and the real address is free for a new sign-up.
ERASED_FIRST_NAME = "Compte"
ERASED_LAST_NAME = "supprimé"
ERASED_DOMAIN = "anonyme.invalid"

# Third-party rows that belong to the account only (Wagtail's user profile, drafts,
# subscriptions, API tokens): deleted with it. (app label, model, field to the user)
OWNED_ELSEWHERE = [
    ("wagtailusers", "UserProfile", "user"),
    ("wagtailadmin", "EditingSession", "user"),
    ("wagtailadmin", "FormState", "user"),
    ("wagtailcore", "PageSubscription", "user"),
    ("wagtailcore", "APIToken", "user"),
]


class ErasureRefused(Exception):
    """The account cannot be erased by itself; the message says why, in French."""


def erased_email(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{ERASED_DOMAIN}"


def is_erased(user) -> bool:
    return AccountErasure.objects.filter(user=user).exists()


# --- who may be erased -----------------------------------------------------------------------
# Accounts of agents acting for the administration (ANCT back office, préfets): their
# decisions (validations, committee decisions, opinions) must stay attributable, so these
# accounts are closed by an ANCT administrator and deactivated, never erased, when unused.
AGENT_ROLES = (Role.ANCT_ADMIN, Role.ANCT_EDITOR, Role.PREFET)


def agent_q():
    """Q of agents' accounts: staff, superusers, ANCT administrators and editors, préfets."""
    return (Q(is_staff=True) | Q(is_superuser=True)
            | Q(groups__name__in=[str(role) for role in AGENT_ROLES]))


def is_agent(user) -> bool:
    return get_user_model().objects.filter(agent_q(), pk=user.pk).exists()


def running_contracts(user):
    """Contracts still holding a post (submitted or validated, not ended) of this person's
    advisor record."""
    return Contract.objects.filter(advisor__user=user).holding_posts().select_related(
        "structure")


def deletion_blockers(user) -> list[str]:
    """Why this account may not be deleted by its owner (French messages), or []."""
    blockers = []
    if is_agent(user):
        blockers.append(
            "Votre compte est celui d'un agent de l'ANCT ou de l'État (administration, "
            "préfecture) : les décisions prises avec lui doivent rester attribuées. Sa "
            "fermeture est faite par un administrateur de l'ANCT ; adressez-lui votre "
            "demande.")
    for contract in running_contracts(user):
        blockers.append(
            f"Votre contrat de conseiller numérique avec « {contract.structure.name} » est en "
            "cours : votre compte sert à votre mission (comptes rendus d'activité, lieux). "
            "Demandez à votre structure de déclarer la fin du contrat ; vous pourrez ensuite "
            "supprimer votre compte.")
    return blockers


def personal_emails(user) -> set[str]:
    emails = {user.email.lower()}
    emails |= {e.lower() for e in EmailAddress.objects.filter(user=user)
               .values_list("email", flat=True)}
    advisor = Advisor.objects.filter(user=user).first()
    if advisor is not None:
        emails.add(advisor.email.lower())
    return {e for e in emails if e}


# --- erasure ---------------------------------------------------------------------------------
def erase_account(user, *, reason=AccountErasure.Reason.REQUEST, now=None):
    """Erases the person's data and keeps what the statistics count, anonymised.

    One transaction: either everything below happens or nothing does. Returns the
    ``AccountErasure``; a second call on the same account returns the first one."""
    now = now or timezone.now()
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        existing = AccountErasure.objects.filter(user=user).first()
        if existing is not None:
            return existing
        blockers = deletion_blockers(user)
        if blockers:
            raise ErasureRefused(" ".join(blockers))
        emails = personal_emails(user)

        withdrawn_invitations = _withdraw_upcoming_enrolments(user, now)
        OfficialProfile.objects.filter(user=user).delete()  # and its mandates
        EmailAddress.objects.filter(user=user).delete()
        SocialAccount.objects.filter(user=user).delete()  # and its tokens
        Authenticator.objects.filter(user=user).delete()
        CalendarToken.objects.filter(user=user).delete()
        NoticePreference.objects.filter(user=user).delete()
        SentNotice.objects.filter(user=user).delete()
        for job in ExportJob.objects.filter(requester=user):
            if job.file:
                job.file.delete(save=False)
            job.delete()
        PrefectAssignment.objects.filter(user=user).delete()
        user.managed_structures.clear()
        _delete_owned_elsewhere(user)
        advisor = Advisor.objects.filter(user=user).first()
        _anonymise_structure_contacts(emails)
        _anonymise_advisor(user)
        # The corrections' history keeps no contact detail nor name of the person.
        advisors_history.forget_person(emails, advisor)
        _relabel_log_entries(user)
        _delete_outgoing_emails(emails)
        # After the outbox was cleared of the person's messages, before the address is
        # erased: the CANCEL of each invitation, so their calendar loses the sessions.
        academy_notices.account_deleted(withdrawn_invitations)

        user.email = erased_email("supprime", user.pk)
        user.first_name = ERASED_FIRST_NAME
        user.last_name = ERASED_LAST_NAME
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.last_login = None
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        InactivityWarning.objects.filter(user=user).delete()
        erasure = AccountErasure.objects.create(user=user, reason=reason, erased_at=now)
        delete_sessions({user.pk})
    logger.info("Account %s erased (%s)", user.pk, reason)
    return erasure


def _withdraw_upcoming_enrolments(user, now):
    """Active enrolments in sessions not over yet are cancelled and their seats go to the
    waiting list: an erased account will not attend. Past ones are kept as they are.

    Returns the enrolments that held a seat (their invitation superseded): their CANCEL is
    sent by ``academy.notices.account_deleted``."""
    held = []
    upcoming = (Enrolment.objects.active().filter(user=user, session__end__gt=now)
                .values_list("pk", "session_id"))
    for enrolment_id, session_id in upcoming:
        session = Session.objects.select_for_update().get(pk=session_id)
        enrolment = Enrolment.objects.get(pk=enrolment_id)
        held_seat = enrolment.status == Enrolment.Status.CONFIRMED
        held_offer = enrolment.status == Enrolment.Status.OFFERED  # academy.offers
        enrolment.status = Enrolment.Status.CANCELLED
        enrolment.waitlisted_at = None
        update = ["status", "waitlisted_at", "updated_at"]
        if held_seat:
            enrolment.invitation_sequence += 1
            update.append("invitation_sequence")
        enrolment.save(update_fields=update)
        if held_seat or held_offer:
            fill_from_waitlist(session)
        if held_seat:
            held.append(enrolment)
    return held


def _delete_owned_elsewhere(user):
    for app_label, model_name, field in OWNED_ELSEWHERE:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model.objects.filter(**{field: user}).delete()


def _anonymise_structure_contacts(emails):
    """A structure whose declared contact is this person keeps a placeholder contact that
    its managers (or ANCT) replace: the structure's file stays, the person leaves it."""
    if not emails:
        return
    query = Q()
    for email in emails:
        query |= Q(contact_email__iexact=email)
    for structure in Structure.objects.filter(query):
        structure.contact_first_name = "Contact"
        structure.contact_last_name = "à renseigner"
        structure.contact_email = erased_email("contact", structure.pk)
        structure.contact_phone = ""
        structure.save(update_fields=["contact_first_name", "contact_last_name",
                                      "contact_email", "contact_phone", "updated_at"])


def _anonymise_advisor(user):
    """The advisor record stays (its contracts and activity reports are the structure's
    and the programme's figures) but no longer says who the advisor was."""
    advisor = Advisor.objects.filter(user=user).first()
    if advisor is None:
        return
    advisor.user = None
    advisor.first_name = "Conseiller"
    advisor.last_name = "anonymisé"
    advisor.email = erased_email("conseiller", advisor.pk)
    advisor.phone = ""
    advisor.save(update_fields=["user", "first_name", "last_name", "email", "phone",
                                "updated_at"])
    advisor.service_points.clear()
    advisor.coordinated.clear()
    advisor.coordinators.clear()


def _relabel_log_entries(user):
    """Wagtail's audit log keeps a label of each object it logged: the account's own
    entries no longer name the person."""
    try:
        log_entry = apps.get_model("wagtailcore", "ModelLogEntry")
    except LookupError:
        return
    log_entry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id=str(user.pk),
    ).update(label=f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME}")


def _delete_outgoing_emails(emails):
    """Messages of the email outbox (``accounts.OutgoingEmail``, when present) addressed to
    the person: their text names them."""
    try:
        outgoing = apps.get_model("accounts", "OutgoingEmail")
    except LookupError:
        return
    if not emails:
        return
    query = Q()
    for email in emails:
        query |= Q(to__icontains=email)
    doomed = [row.pk for row in outgoing.objects.filter(query).only("pk", "to")
              if any(parseaddr(str(address))[1].lower() in emails for address in row.to)]
    outgoing.objects.filter(pk__in=doomed).delete()


def delete_sessions(user_ids) -> int:
    """Deletes the database sessions of these accounts (one pass over live sessions)."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore as DatabaseSessions
    from django.contrib.sessions.models import Session as DjangoSession

    engine = import_module(settings.SESSION_ENGINE).SessionStore
    if not user_ids or not issubclass(engine, DatabaseSessions):  # cached_db is one too
        return 0
    wanted = {str(pk) for pk in user_ids}
    doomed = []
    for session in DjangoSession.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) in wanted:
            doomed.append(session.pk)
    DjangoSession.objects.filter(pk__in=doomed).delete()
    return len(doomed)


# --- inactivity ------------------------------------------------------------------------------
def with_last_activity(queryset):
    """Annotates ``last_activity``: the last login, or the sign-up for who never logged in."""
    return queryset.annotate(last_activity=Coalesce("last_login", "date_joined"))


def purgeable_accounts():
    """Accounts the purge may warn and erase: not erased yet, not an agent's (deactivated
    instead, see ``agent_accounts``), no advisor contract running."""
    User = get_user_model()
    running = Contract.objects.holding_posts().filter(advisor__user__isnull=False).values(
        "advisor__user")
    agents = User.objects.filter(agent_q()).values("pk")
    return with_last_activity(
        User.objects.filter(erasure__isnull=True)
        .exclude(pk__in=agents).exclude(pk__in=running)
    )


def agent_accounts():
    """Active agents' accounts: after the warning they are deactivated, not erased."""
    User = get_user_model()
    return with_last_activity(
        User.objects.filter(is_active=True, erasure__isnull=True,
                            pk__in=User.objects.filter(agent_q()).values("pk")))


def warning_due(queryset, now):
    """Inactive long enough to be told: the limit is reached within the notice period."""
    return queryset.filter(last_activity__lte=now - INACTIVITY_LIMIT + WARNING_NOTICE,
                           inactivity_warning__isnull=True)


def expiry_due(queryset, now):
    """Warned at least ``WARNING_NOTICE`` ago and not back since."""
    return queryset.filter(
        last_activity__lte=now - INACTIVITY_LIMIT,
        inactivity_warning__sent_at__lte=now - WARNING_NOTICE,
        last_activity__lt=F("inactivity_warning__sent_at"),
    )


def cancel_stale_warnings() -> int:
    """A login after the warning cancels it; a later inactivity starts a new cycle."""
    stale = InactivityWarning.objects.filter(
        user__last_login__isnull=False, user__last_login__gt=F("sent_at"))
    count, _ = stale.delete()
    return count
