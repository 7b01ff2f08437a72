"""The élu's training right (DIF élus, "Mon compte élu" at the Caisse des dépôts): which
courses it funds, the funding request of an enrolment as the élu declares it and ANCT
records the decision, and the two documents the request needs (programme and quote, PDFs).

Transitions of ``DifFunding.status``:
- the élu: none or refused → requested ("J'ai fait ma demande sur Mon compte élu", with the
  day of the request, before the session starts); requested → none (withdrawn);
- ANCT: requested → granted or refused (a reason); granted or refused → requested (a
  decision recorded by mistake).
Anything else is refused with a French message (``EnrolmentError``, the app's error)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.roles import is_anct_admin
from calendars import dates

from .models import Enrolment, Mandate
from .models.funding import DifFunding, dif_body
from .services import EnrolmentError

Status = DifFunding.Status
REQUEST_AGE_LIMIT = datetime.timedelta(days=365)
REASON_MAX = 500
VAT_STATEMENT = ("Exonération de TVA : formation professionnelle continue, article 261, 4, 4° a "
                 "du code général des impôts.")


def dif_training_body(course, day=None):
    """The approved body under which the course is funded by the DIF élus on ``day`` (today),
    or None when the course is not eligible or the approval has lapsed."""
    return dif_body(course, day)


def is_elected(user):
    """The DIF élus is the right of local élus: a person with a mandate in their profile."""
    return user.is_authenticated and Mandate.objects.filter(profile__user=user).exists()


def funding_of(enrolment):
    """The enrolment's funding row, or an unsaved one "Aucune demande"."""
    try:
        return enrolment.dif_funding
    except DifFunding.DoesNotExist:
        return DifFunding(enrolment=enrolment)


def _locked(enrolment):
    funding, _created = DifFunding.objects.select_for_update().get_or_create(
        enrolment=enrolment)
    return funding


# --- the élu ---------------------------------------------------------------------------------

def declare_request(enrolment, user, requested_on, file_reference=""):
    """The élu says they asked for the funding on Mon compte élu on ``requested_on``."""
    if enrolment.user_id != user.pk:
        raise PermissionDenied("Cette inscription n'est pas la vôtre.")
    session = enrolment.session
    if dif_training_body(session.course) is None:
        raise EnrolmentError("Cette formation n'est pas éligible au DIF des élus.")
    if not is_elected(user):
        raise EnrolmentError("Le DIF est le droit des élus locaux : renseignez votre mandat "
                             "dans votre profil d'élu.")
    if not enrolment.is_active:
        raise EnrolmentError("Votre inscription n'est plus active : il n'y a pas de "
                             "financement à demander.")
    if session.start <= timezone.now():
        raise EnrolmentError("La formation a commencé : une demande de financement se fait "
                             "avant son début.")
    problem = request_date_error(requested_on)
    if problem:
        raise EnrolmentError(problem)
    file_reference = (file_reference or "").strip()
    if len(file_reference) > 50:
        raise EnrolmentError("Le numéro de dossier compte 50 caractères au plus.")
    with transaction.atomic():
        funding = _locked(enrolment)
        if funding.status == Status.REQUESTED:
            raise EnrolmentError("Vous avez déjà déclaré votre demande de financement.")
        if funding.status == Status.GRANTED:
            raise EnrolmentError("Le financement de cette formation est déjà accordé.")
        funding.status = Status.REQUESTED
        funding.requested_on = requested_on
        funding.file_reference = file_reference
        funding.declared_at = timezone.now()
        funding.decided_at = None
        funding.decided_by = None
        funding.refusal_reason = ""
        funding.save()
    return funding


def request_date_error(requested_on, today=None):
    """Why the day the élu gives for their request is not credible, or None."""
    today = today or timezone.localdate()
    if requested_on > today:
        return "La date de la demande ne peut pas être dans le futur."
    if requested_on < today - REQUEST_AGE_LIMIT:
        return "La date de la demande remonte à plus d'un an : vérifiez-la."
    return None


def withdraw_request(enrolment, user):
    """The élu withdraws a declaration made by mistake (before any decision)."""
    if enrolment.user_id != user.pk:
        raise PermissionDenied("Cette inscription n'est pas la vôtre.")
    with transaction.atomic():
        funding = _locked(enrolment)
        if funding.is_decided:
            raise EnrolmentError("La décision de financement est déjà enregistrée : "
                                 "écrivez à l'équipe de l'Académie pour la corriger.")
        if funding.status != Status.REQUESTED:
            raise EnrolmentError("Aucune demande de financement n'est déclarée.")
        funding.status = Status.NONE
        funding.requested_on = None
        funding.file_reference = ""
        funding.declared_at = None
        funding.save()
    return funding


# --- ANCT ------------------------------------------------------------------------------------

def decide(funding_id, actor, granted, reason=""):
    """ANCT records the Caisse des dépôts' answer: granted, or refused with its reason."""
    if not is_anct_admin(actor):
        raise PermissionDenied("Seule l'équipe de l'ANCT enregistre les décisions de "
                               "financement.")
    reason = (reason or "").strip()
    if not granted and not reason:
        raise EnrolmentError("Indiquez le motif du refus.")
    if len(reason) > REASON_MAX:
        raise EnrolmentError(f"Le motif compte {REASON_MAX} caractères au plus.")
    with transaction.atomic():
        funding = DifFunding.objects.select_for_update().filter(pk=funding_id).first()
        if funding is None:
            raise EnrolmentError("Cette demande de financement n'existe pas.")
        if funding.status == Status.NONE:
            raise EnrolmentError("L'élu n'a pas déclaré de demande : il n'y a rien à "
                                 "accorder ni à refuser.")
        if funding.status == Status.GRANTED:
            raise EnrolmentError("Le financement est déjà accordé : remettez la demande en "
                                 "attente pour changer la décision.")
        if funding.status == Status.REFUSED:
            raise EnrolmentError("Le financement est déjà refusé : remettez la demande en "
                                 "attente pour changer la décision.")
        funding.status = Status.GRANTED if granted else Status.REFUSED
        funding.refusal_reason = "" if granted else reason
        funding.decided_at = timezone.now()
        funding.decided_by = actor
        funding.save()
    return funding


def reopen(funding_id, actor):
    """ANCT puts back in "Demande faite" a decision recorded by mistake."""
    if not is_anct_admin(actor):
        raise PermissionDenied("Seule l'équipe de l'ANCT enregistre les décisions de "
                               "financement.")
    with transaction.atomic():
        funding = DifFunding.objects.select_for_update().filter(pk=funding_id).first()
        if funding is None:
            raise EnrolmentError("Cette demande de financement n'existe pas.")
        if not funding.is_decided:
            raise EnrolmentError("Aucune décision n'est enregistrée pour cette demande.")
        funding.status = Status.REQUESTED
        funding.decided_at = None
        funding.decided_by = None
        funding.refusal_reason = ""
        funding.save()
    return funding


# --- what "Mon espace" and the pages show ----------------------------------------------------

def status_label(funding):
    """E.g. "Demande faite le 3 mars 2026", "Financement accordé le 12 mars 2026"."""
    if funding.status == Status.REQUESTED:
        return f"Demande faite le {dates.long_date(funding.requested_on)}"
    if funding.is_decided:
        return (f"{funding.get_status_display()} le "
                f"{dates.long_date(timezone.localtime(funding.decided_at))}")
    return funding.get_status_display()


def eligible_enrolments(user):
    """The élu's active enrolments in courses the DIF élus funds, soonest first."""
    if not is_elected(user):
        return []
    rows = (Enrolment.objects.filter(user=user, status__in=Enrolment.ACTIVE_STATUSES,
                                     session__course__dif_eligible=True,
                                     session__course__training_body__isnull=False,
                                     session__end__gte=timezone.now())
            .select_related("session__course__training_body", "session__commune__department",
                            "dif_funding")
            .order_by("session__start"))
    return [e for e in rows if dif_training_body(e.session.course)]


def may_download_quote(enrolment, user):
    return (user.is_authenticated and enrolment.user_id == user.pk and enrolment.is_active
            and dif_training_body(enrolment.session.course) is not None and is_elected(user))


# --- the documents ---------------------------------------------------------------------------

def course_price(course):
    """The course's own price, else ``DIF_DEFAULT_PRICE`` (euros, per participant)."""
    if course.price:
        return course.price
    try:
        return Decimal(str(getattr(settings, "DIF_DEFAULT_PRICE", "400"))).quantize(
            Decimal("0.01"))
    except InvalidOperation:
        return Decimal("400.00")


def euros(amount):
    """Decimal("1234.5") → "1 234,50 €" (narrow no-break spaces between thousands)."""
    whole, cents = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{chr(0x202F).join(groups)},{cents}\u00a0€"


def hours_label(value):
    text = f"{float(value):.1f}".removesuffix(".0").replace(".", ",")
    return f"{text} heure{'s' if value >= 2 else ''}"


def quote_reference(enrolment):
    return f"DIF-{timezone.localtime(enrolment.created_at):%Y}-{enrolment.pk:06d}"


def quote_validity(enrolment, today=None):
    """Valid ``DIF_QUOTE_VALIDITY_DAYS`` days, and never past the session's first day."""
    today = today or timezone.localdate()
    days = int(getattr(settings, "DIF_QUOTE_VALIDITY_DAYS", 30))
    return min(today + datetime.timedelta(days=days),
               timezone.localtime(enrolment.session.start).date())
