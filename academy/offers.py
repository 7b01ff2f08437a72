"""Waiting-list offers, per session (``Session.waitlist_mode == "offer"``).

When a seat frees up, the first person of the waiting list (queue order, as
``services.fill_from_waitlist``) is not enrolled at once: the seat is offered to them for
``Session.offer_hours`` hours (never past the start). While the offer is open the seat is
held (``Session.HELD_STATUSES``: nobody else gets it). The person accepts (confirmed) or
declines from the emailed link (signed, ``offer_url``) or from "Mon espace"; on decline or
expiry the seat is offered to the next person. The beat job ``expire_offers`` closes the
offers past their deadline, and every read checks the deadline too
(``Enrolment.offer_is_open``): an expired offer is never accepted.

Every change happens with the session row locked (``services._locked_session``), like
the automatic promotion. Each step is emailed once through the outbox (idempotency keys)."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from calendars import dates

from . import notices
from .models import Enrolment, Session
from .services import EnrolmentError, _locked_session, fill_from_waitlist

SALT = "academy.waitlist-offer"

EXPIRED_MESSAGE = ("Le délai pour accepter cette place est dépassé : elle ne vous est plus "
                   "réservée et passe à la personne suivante sur la liste d'attente, s'il y "
                   "en a une.")


# --- links ------------------------------------------------------------------------------------
def offer_token(enrolment):
    return signing.dumps([enrolment.pk, _stamp(enrolment)], salt=SALT)


def offer_path(enrolment):
    return reverse("academy:offer", args=[offer_token(enrolment)])


def offer_url(enrolment):
    return f"{settings.SITE_URL}{offer_path(enrolment)}"


def enrolment_id_from_token(token):
    """The enrolment a link names, or None for a forged or damaged link."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and value and isinstance(value[0], int)):
        return None
    return value[0]


def deadline_label(enrolment):
    """"lundi 7 décembre 2026 à 14 h 30 (heure de Paris)"."""
    return (f"{dates.long_datetime(enrolment.offer_expires_at, weekday=True)} "
            "(heure de Paris)")


# --- messages ---------------------------------------------------------------------------------
def _stamp(enrolment):
    return int(enrolment.offered_at.timestamp()) if enrolment.offered_at else 0


def _tell(enrolment, kind, subject, lines, invitation=None):
    session = enrolment.session
    notices._send(enrolment, f"{subject} : {session.course.title}", lines,
                  invitation=invitation, key=f"offer_{kind}:{enrolment.pk}:{_stamp(enrolment)}")


def _when(enrolment):
    session = enrolment.session
    return f"« {session.course.title} » {dates.session_when(session.start, session.end)}"


def _tell_offered(enrolment, passed_on):
    lines = []
    if passed_on:
        lines.append("La personne qui vous précédait sur la liste d'attente n'a pas pris la "
                     "place : elle vous revient.")
    lines += [
        f"Une place s'est libérée pour la session {_when(enrolment)}.",
        f"Elle vous est réservée jusqu'au {deadline_label(enrolment)}.",
        f"Pour l'accepter ou la décliner : {offer_url(enrolment)} (ou depuis « Mon espace »).",
        "Sans réponse de votre part à cette date, elle sera proposée à la personne suivante "
        "sur la liste d'attente.",
    ]
    _tell(enrolment, "made", "Une place vous est proposée", lines)


def _tell_accepted(enrolment):
    session = enrolment.session
    _tell(enrolment, "accepted", "Inscription confirmée", [
        f"Vous avez accepté la place proposée : votre inscription à la session "
        f"{_when(enrolment)} est confirmée.",
        f"Si vous ne pouvez plus venir, annulez avant le "
        f"{dates.deadline(session.cancellable_until)} depuis « Mon espace » pour laisser la "
        "place.",
        "L'invitation jointe ajoute la session à votre agenda.",
    ], invitation="REQUEST")


def _next_line(enrolment):
    if enrolment.session.enrolments.waitlist().exists():
        return ("Elle est proposée à la personne suivante sur la liste d'attente, que vous "
                "avez quittée.")
    return "Personne d'autre n'attend : elle est de nouveau libre."


def _tell_declined(enrolment):
    _tell(enrolment, "declined", "Place déclinée", [
        f"Vous avez décliné la place proposée pour la session {_when(enrolment)}.",
        _next_line(enrolment),
    ])


def _tell_expired(enrolment):
    _tell(enrolment, "expired", "Proposition expirée", [
        f"La place qui vous était proposée pour la session {_when(enrolment)} n'a pas été "
        f"acceptée avant le {deadline_label(enrolment)}.",
        _next_line(enrolment) + " Vous pouvez vous réinscrire depuis la page de la "
        "formation.",
    ])


def _tell_left(enrolment):
    notices._send(enrolment, f"Liste d'attente quittée : {enrolment.session.course.title}", [
        f"Vous avez quitté la liste d'attente de la session {_when(enrolment)}.",
    ], key=f"waitlist_left:{enrolment.pk}:{enrolment.invitation_sequence}")


# --- rules (the session locked) ---------------------------------------------------------------
def _lapse(session, now):
    """Closes the session's offers past their deadline. Session locked."""
    lapsed = list(session.enrolments.filter(status=Enrolment.Status.OFFERED,
                                            offer_expires_at__lte=now).select_related("user"))
    for enrolment in lapsed:
        enrolment.session = session
        enrolment.status = Enrolment.Status.OFFER_EXPIRED
        enrolment.waitlisted_at = None
        enrolment.save(update_fields=["status", "waitlisted_at", "updated_at"])
        _tell_expired(enrolment)
    return lapsed


def offer_free_seats(session, passed_on=False):
    """Offers each free seat to the next waitlisted person, in queue order. Called by
    ``services.fill_from_waitlist`` for sessions in offer mode; the session locked."""
    from .services import _confirmed_count

    now = timezone.now()
    _lapse(session, now)
    if session.is_cancelled or now >= session.start:
        return []
    free = session.capacity - _confirmed_count(session)
    offered = []
    if free <= 0:
        return offered
    expires = min(now + timezone.timedelta(hours=session.offer_hours), session.start)
    for enrolment in session.enrolments.waitlist().select_related("user")[:free]:
        enrolment.session = session
        enrolment.status = Enrolment.Status.OFFERED
        enrolment.offered_at = now
        enrolment.offer_expires_at = expires
        enrolment.save(update_fields=["status", "offered_at", "offer_expires_at",
                                      "updated_at"])
        _tell_offered(enrolment, passed_on)
        offered.append(enrolment)
    return offered


def _pass_on(session):
    """After a decline or an expiry: the seat goes to the next person."""
    _lapse(session, timezone.now())
    if session.waitlist_mode == Session.WaitlistMode.OFFER:
        return offer_free_seats(session, passed_on=True)
    return fill_from_waitlist(session)  # switched to automatic meanwhile


def _own_offer(enrolment_id, user):
    """The person's enrolment, re-read under the session's lock."""
    enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
    if enrolment is None or enrolment.user_id != user.pk:
        raise PermissionDenied
    session = _locked_session(enrolment.session_id)
    enrolment.refresh_from_db()
    enrolment.session = session
    return session, enrolment


def _closed(enrolment):
    status = enrolment.status
    if status == Enrolment.Status.CONFIRMED:
        return "Vous avez déjà accepté cette place : votre inscription est confirmée."
    if status == Enrolment.Status.OFFER_DECLINED:
        return "Vous avez décliné cette place : elle ne vous est plus réservée."
    if status == Enrolment.Status.OFFER_EXPIRED:
        return EXPIRED_MESSAGE
    return "Cette proposition n'est plus valable."


def _answer(enrolment_id, user, accepting):
    lapsed = False
    with transaction.atomic():
        session, enrolment = _own_offer(enrolment_id, user)
        if enrolment.status != Enrolment.Status.OFFERED:
            raise EnrolmentError(_closed(enrolment))
        if not enrolment.offer_is_open():
            _pass_on(session)  # closes this offer (emailed) and offers the seat on
            lapsed = True
        elif accepting:
            enrolment.status = Enrolment.Status.CONFIRMED
            enrolment.waitlisted_at = None
            enrolment.save(update_fields=["status", "waitlisted_at", "updated_at"])
            _tell_accepted(enrolment)
        else:
            enrolment.status = Enrolment.Status.OFFER_DECLINED
            enrolment.waitlisted_at = None
            enrolment.save(update_fields=["status", "waitlisted_at", "updated_at"])
            _tell_declined(enrolment)
            _pass_on(session)
    if lapsed:  # raised after the commit, so the expiry and the next offer stay
        raise EnrolmentError(EXPIRED_MESSAGE)
    return enrolment


def accept(enrolment_id, user):
    """The person takes the seat offered: confirmed. Refused (French) once expired."""
    return _answer(enrolment_id, user, accepting=True)


def decline(enrolment_id, user):
    """The person declines: they leave the list, the seat goes to the next person."""
    return _answer(enrolment_id, user, accepting=False)


def leave_waitlist(enrolment_id, user):
    """"Quitter la liste d'attente": at any time while on it."""
    with transaction.atomic():
        session, enrolment = _own_offer(enrolment_id, user)
        if enrolment.status != Enrolment.Status.WAITLISTED:
            raise EnrolmentError("Vous ne figurez plus sur la liste d'attente de cette "
                                 "session.")
        enrolment.status = Enrolment.Status.CANCELLED
        enrolment.waitlisted_at = None
        enrolment.invitation_sequence += 1
        enrolment.save(update_fields=["status", "waitlisted_at", "invitation_sequence",
                                      "updated_at"])
        _tell_left(enrolment)
        return enrolment


def expire_offers():
    """Beat job (``academy.tasks.expire_waitlist_offers``): closes the offers past their
    deadline and offers each seat to the next person. Idempotent: a second run finds nothing
    left to close."""
    now = timezone.now()
    session_ids = set(Enrolment.objects.filter(
        status=Enrolment.Status.OFFERED, offer_expires_at__lte=now,
    ).values_list("session_id", flat=True))
    closed = 0
    for session_id in sorted(session_ids):
        with transaction.atomic():
            session = _locked_session(session_id)
            lapsed = _lapse(session, timezone.now())
            if lapsed:
                closed += len(lapsed)
                _pass_on(session)
    return closed
