"""Reminders of the programme: who is reminded of what, and when. Each job is a Celery
task of this module (its line in ``config/settings/jobs.py``; ``AdvisorsConfig.ready``
imports the module through ``views.space``, so workers and beat know the tasks) and is
idempotent: a
reminder is recorded (``accounts.models.SentNotice``, kind + key) in the transaction that
queues its email, and its key names what it is about and the threshold reached, or the
week of a digest, so running a job twice, or on the next day, sends each reminder once.

A job that runs late still sends the one threshold reached (a convention found 25 days
before its end gets the 30-day reminder only). Every reminder is optional: a person who
turned its kind off in "Mon espace" (``accounts.notices``) is skipped and nothing is
recorded, so turning it on again brings the next one."""

import datetime

from celery import shared_task
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from accounts import notices as optional
from accounts.roles import Role, is_anct_admin
from calendars import dates

from . import notices
from .models import (
    Advisor,
    Amendment,
    Application,
    Contract,
    Convention,
    PrefectAssignment,
)

PREFECT_DIGEST = "advisors.prefect_digest"
OVERDUE_OPINIONS = "advisors.overdue_opinions"
COMMITTEE_WAITING = "advisors.committee_waiting"
CONVENTION_ENDING = "advisors.convention_ending"
CONTRACT_ENDING = "advisors.contract_ending"
RECRUITMENT_PENDING = "advisors.recruitment_pending"
NO_RECENT_REPORT = "advisors.no_recent_report"

OPINION_OVERDUE_DAYS = 15
COMMITTEE_OVERDUE_DAYS = 30
CONVENTION_THRESHOLDS = (90, 30)  # days before its end
CONTRACT_THRESHOLDS = (60, 15)
RECRUITMENT_PENDING_DAYS = 15
NO_REPORT_DAYS = 30


# --- who may receive each kind ("Mon espace" lists only these) -------------------------------
def _is_prefect(user):
    return Role.PREFET in user.role_names and PrefectAssignment.objects.filter(
        user=user).exists()


def _manages(user):
    manages = getattr(user, "_manages_structures", None)
    if manages is None:
        manages = user._manages_structures = user.managed_structures.exists()
    return manages


def _is_advisor(user):
    return Role.ADVISOR in user.role_names or Advisor.objects.filter(user=user).exists()


OPTIONAL_NOTICES = [
    optional.OptionalNotice(
        PREFECT_DIGEST, "Nouvelles candidatures de mon territoire",
        "Chaque matin, les candidatures déposées depuis la veille.", _is_prefect, 10),
    optional.OptionalNotice(
        OVERDUE_OPINIONS, "Avis en attente depuis plus de 15 jours",
        "Chaque lundi, les candidatures et avenants qui attendent votre avis depuis plus de "
        "15 jours.", _is_prefect, 11),
    optional.OptionalNotice(
        COMMITTEE_WAITING, "Candidatures en attente du comité depuis plus de 30 jours",
        "Chaque lundi, les candidatures dont l'avis du préfet est donné depuis plus de "
        "30 jours sans décision du comité de sélection.", is_anct_admin, 20),
    optional.OptionalNotice(
        CONVENTION_ENDING, "Fin de convention",
        "90 jours puis 30 jours avant la fin de la convention de votre structure, si son "
        "reconventionnement n'est pas engagé.", _manages, 30),
    optional.OptionalNotice(
        CONTRACT_ENDING, "Fin de contrat d'un conseiller",
        "60 jours puis 15 jours avant la fin d'un contrat à durée déterminée.", _manages, 31),
    optional.OptionalNotice(
        RECRUITMENT_PENDING, "Recrutement en attente de validation",
        "Quand un contrat saisi attend la validation de l'ANCT depuis 15 jours.", _manages,
        32),
    optional.OptionalNotice(
        NO_RECENT_REPORT, "Aucun compte rendu d'activité depuis 30 jours",
        "Quand vous n'avez saisi aucun compte rendu depuis 30 jours pendant votre contrat.",
        _is_advisor, 40),
]


def register_optional_notices():
    from .fragments import reader_keys

    for notice in OPTIONAL_NOTICES:
        optional.register(notice)
    optional.depends_on(reader_keys)


# --- helpers ----------------------------------------------------------------------------------
def _url(name, *args):
    return notices._url(name, *args)


def _week(today):
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def _threshold(days_left, thresholds):
    """The smallest threshold reached (30 when 25 days are left), None when none is."""
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


def _in_days(days):
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    return f"dans {days} jours"


def _managers_of(structure, off):
    return [user for user in structure.managers.filter(is_active=True) if user.pk not in off]


# --- préfets: opinions overdue (weekly) -------------------------------------------------------
@shared_task
def remind_prefects_of_overdue_opinions(now=None):
    """Each préfet receives, once a week, the applications and amendments waiting for their
    opinion for more than 15 days (``awaiting_opinion_of``)."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=OPINION_OVERDUE_DAYS)
    week = _week(timezone.localdate(now))
    off = optional.turned_off(OVERDUE_OPINIONS)
    sent = 0
    for assignment in (PrefectAssignment.objects.active().select_related("user")
                       .distinct().order_by("pk")):
        user = assignment.user
        if user.pk in off:
            continue
        applications = list(Application.objects.awaiting_opinion_of(user)
                            .filter(created_at__lte=limit)
                            .select_related("structure").order_by("created_at", "pk"))
        amendments = list(Amendment.objects.awaiting_opinion_of(user)
                          .filter(requested_at__lte=limit)
                          .select_related("convention__structure")
                          .order_by("requested_at", "pk"))
        if not applications and not amendments:
            continue
        items = [(f"Candidature : {a.structure.name}, déposée le {dates.long_date(a.created_at)}",
                  _url("advisors:application", a.pk)) for a in applications]
        items += [(f"Avenant : {a.convention.structure.name} ({a.posts} poste"
                   f"{'s' if a.posts > 1 else ''} de plus), demandé le "
                   f"{dates.long_date(a.requested_at)}", _url("advisors:amendment", a.pk))
                  for a in amendments]
        count = len(items)
        plural = "s" if count > 1 else ""

        def send(user=user, items=items, count=count, plural=plural):
            notices.send(
                f"{count} dossier{plural} en attente de votre avis depuis plus de 15 jours",
                [user.email],
                [f"{count} dossier{plural} de votre territoire attend{'ent' if count > 1 else ''}"
                 f" votre avis depuis plus de {OPINION_OVERDUE_DAYS} jours. Le comité de "
                 "sélection de l'ANCT ne peut décider qu'après votre avis."],
                user=user, items=items, optional=True,
                action=("Donner mon avis", _url("advisors:prefect_applications")))

        sent += optional.send_once(OVERDUE_OPINIONS, f"{week}:user:{user.pk}", user, send)
    return sent


# --- ANCT: applications waiting for the committee (weekly) ------------------------------------
def applications_waiting_for_committee(now=None):
    """Open applications whose préfet's opinion was given more than 30 days ago, and not
    moved since (a move to further examination restarts the wait)."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=COMMITTEE_OVERDUE_DAYS)
    return (Application.objects.open()
            .filter(opinion__isnull=False, opinion__given_at__lte=limit)
            .annotate(last_move=Max("events__at"))
            .filter(Q(last_move__isnull=True) | Q(last_move__lte=limit))
            .select_related("structure", "opinion").order_by("opinion__given_at", "pk"))


@shared_task
def remind_committee_of_waiting_applications(now=None):
    now = now or timezone.now()
    applications = list(applications_waiting_for_committee(now))
    if not applications:
        return 0
    from django.contrib.auth import get_user_model

    week = _week(timezone.localdate(now))
    off = optional.turned_off(COMMITTEE_WAITING)
    admins = (get_user_model().objects.filter(is_active=True)
              .filter(Q(is_superuser=True) | Q(groups__name=Role.ANCT_ADMIN))
              .exclude(pk__in=off).distinct().order_by("pk"))
    items = [(f"{a.structure.name} : avis du préfet du "
              f"{dates.long_date(a.opinion.given_at)}, "
              f"{a.posts_requested} poste{'s' if a.posts_requested > 1 else ''} demandé"
              f"{'s' if a.posts_requested > 1 else ''}",
              _url("advisors_applications:inspect", a.pk))
             for a in applications]
    count = len(items)
    plural = "s" if count > 1 else ""
    sent = 0
    for user in admins:
        def send(user=user):
            notices.send(
                f"{count} candidature{plural} en attente du comité depuis plus de 30 jours",
                [user.email],
                [f"{count} candidature{plural} attend{'ent' if count > 1 else ''} la décision "
                 f"du comité de sélection depuis plus de {COMMITTEE_OVERDUE_DAYS} jours après "
                 "l'avis du préfet."],
                user=user, items=items, optional=True,
                action=("Voir les candidatures", _url("advisors_applications:index")))

        sent += optional.send_once(COMMITTEE_WAITING, f"{week}:user:{user.pk}", user, send)
    return sent


# --- structure managers -----------------------------------------------------------------------
@shared_task
def remind_of_ending_conventions(today=None):
    """90 and 30 days before the end of a validated convention not followed by a renewal."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(CONVENTION_THRESHOLDS))
    off = optional.turned_off(CONVENTION_ENDING)
    sent = 0
    conventions = (Convention.objects.validated().with_renewed()
                   .filter(renewed=False, end__gte=today, end__lte=horizon)
                   .select_related("structure").order_by("end", "pk"))
    for convention in conventions:
        days = (convention.end - today).days
        threshold = _threshold(days, CONVENTION_THRESHOLDS)
        structure = convention.structure
        for user in _managers_of(structure, off):
            def send(user=user, convention=convention, days=days, structure=structure):
                label = ("Le reconventionnement" if convention.kind == "renewal"
                         else "La convention")
                notices.send(
                    f"Fin de convention {_in_days(days)} : {structure.name}", [user.email],
                    [f"{label} de {structure.name} ({convention.posts} poste"
                     f"{'s' if convention.posts > 1 else ''}) se termine le "
                     f"{dates.long_date(convention.end)}, {_in_days(days)}.",
                     "Pour que vos conseillers continuent leur mission, engagez son "
                     "reconventionnement depuis la page de la convention ; si la structure "
                     "ne souhaite pas renouveler, indiquez-le depuis la même page."],
                    user=user, optional=True,
                    action=("Engager le reconventionnement",
                            _url("advisors:renewal_start", convention.pk)))

            key = f"convention:{convention.pk}:{convention.end}:{threshold}:user:{user.pk}"
            sent += optional.send_once(CONVENTION_ENDING, key, user, send)
    return sent


@shared_task
def remind_of_ending_contracts(today=None):
    """60 and 15 days before the end of a running fixed-term contract (no rupture)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(CONTRACT_THRESHOLDS))
    off = optional.turned_off(CONTRACT_ENDING)
    sent = 0
    contracts = (Contract.objects.active(today)
                 .filter(rupture_status=Contract.Rupture.NONE, end__isnull=False,
                         end__lte=horizon)
                 .select_related("structure", "advisor").order_by("end", "pk"))
    for contract in contracts:
        days = (contract.end - today).days
        threshold = _threshold(days, CONTRACT_THRESHOLDS)
        structure = contract.structure
        pending = contract.extensions.pending().first()
        for user in _managers_of(structure, off):
            def send(user=user, contract=contract, days=days, pending=pending,
                     structure=structure):
                paragraphs = [f"Le contrat de {contract.advisor} "
                              f"({contract.get_kind_display()}) chez {structure.name} se "
                              f"termine le {dates.long_date(contract.end)}, {_in_days(days)}."]
                if pending:
                    paragraphs.append(f"Une prolongation jusqu'au "
                                      f"{dates.long_date(pending.new_end)} attend la décision "
                                      "de l'ANCT : vous serez informé par courriel.")
                    action = ("Voir la structure", _url("advisors:structure", structure.pk))
                else:
                    paragraphs.append("Pour que la mission continue, demandez sa "
                                      "prolongation avant cette date.")
                    action = ("Demander une prolongation",
                              _url("advisors:extension_request", contract.pk))
                notices.send(f"Fin de contrat {_in_days(days)} : {contract.advisor}",
                             [user.email], paragraphs, user=user, optional=True,
                             action=action)

            key = f"contract:{contract.pk}:{contract.end}:{threshold}:user:{user.pk}"
            sent += optional.send_once(CONTRACT_ENDING, key, user, send)
    return sent


@shared_task
def remind_of_pending_recruitments(now=None):
    """A contract the structure entered still waits for ANCT's validation 15 days later."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=RECRUITMENT_PENDING_DAYS)
    off = optional.turned_off(RECRUITMENT_PENDING)
    sent = 0
    contracts = (Contract.objects.filter(status=Contract.Status.SUBMITTED,
                                         created_at__lte=limit)
                 .select_related("structure", "advisor").order_by("created_at", "pk"))
    for contract in contracts:
        structure = contract.structure
        for user in _managers_of(structure, off):
            def send(user=user, contract=contract, structure=structure):
                notices.send(
                    f"Recrutement en attente de validation : {contract.advisor}", [user.email],
                    [f"Le contrat de {contract.advisor} ({contract.get_kind_display()}, à "
                     f"partir du {dates.long_date(contract.start)}), saisi le "
                     f"{dates.long_date(contract.created_at)}, attend toujours la validation "
                     "de l'ANCT.",
                     "Vérifiez sur la page de la structure que le contrat est complet et "
                     "exact ; l'ANCT vous écrira dès sa décision."],
                    user=user, optional=True,
                    action=("Voir la structure", _url("advisors:structure", structure.pk)))

            sent += optional.send_once(RECRUITMENT_PENDING,
                                       f"contract:{contract.pk}:user:{user.pk}", user, send)
    return sent


# --- advisors -----------------------------------------------------------------------------------
def advisors_without_recent_report(today=None):
    """Advisors under contract today whose last report (or, without one since, their
    contract's start) is 30 days old or more; ``silent_since`` on each."""
    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=NO_REPORT_DAYS)
    running = Contract.objects.filter(advisor=OuterRef("pk")).active(today).order_by("start")
    advisors = (Advisor.objects.filter(user__is_active=True,
                                       pk__in=Contract.objects.active(today)
                                       .values("advisor_id"))
                .annotate(contract_start=Subquery(running.values("start")[:1]),
                          last_report=Max("activity_reports__date"))
                .select_related("user").order_by("pk"))
    found = []
    for advisor in advisors:
        since = max(filter(None, [advisor.contract_start, advisor.last_report]))
        if since <= limit:
            advisor.silent_since = since
            found.append(advisor)
    return found


@shared_task
def remind_advisors_without_reports(today=None):
    today = today or timezone.localdate()
    off = optional.turned_off(NO_RECENT_REPORT)
    sent = 0
    for advisor in advisors_without_recent_report(today):
        user = advisor.user
        if user.pk in off:
            continue
        reported = (advisor.last_report is not None
                    and advisor.last_report >= advisor.contract_start)

        def send(user=user, advisor=advisor, reported=reported):
            first = (f"Votre dernier compte rendu d'activité date du "
                     f"{dates.long_date(advisor.last_report)}." if reported else
                     f"Vous n'avez saisi aucun compte rendu d'activité depuis le début de "
                     f"votre contrat, le {dates.long_date(advisor.contract_start)}.")
            notices.send(
                "Aucun compte rendu d'activité depuis 30 jours", [user.email],
                [first,
                 "Vos comptes rendus font connaître votre travail et comptent dans le suivi "
                 "du dispositif. Un accompagnement se saisit en quelques secondes ; vous "
                 "pouvez dater un accompagnement passé et corriger vos comptes rendus "
                 "jusqu'à la fin du mois suivant."],
                user=user, optional=True,
                action=("Saisir un accompagnement", _url("advisors:report_create")))

        key = f"advisor:{advisor.pk}:since:{advisor.silent_since}:user:{user.pk}"
        sent += optional.send_once(NO_RECENT_REPORT, key, user, send)
    return sent
