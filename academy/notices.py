"""Telling people when a session they are enrolled in changes or is withdrawn.

- A change of time, place or videoconference link (``Session.save`` raises the calendar
  SEQUENCE): every pending, confirmed and waitlisted person gets the change in words;
  confirmed people also get the updated invitation (METHOD:REQUEST, the same UIDs as the
  feeds, one per day), and a CANCEL for any day the session no longer has.
- A session cancelled by the organiser: the reason, the course's other sessions, and the
  CANCEL for those who held a seat.
- An account deleted: the CANCEL of each invitation it held, so the person's calendar
  loses the sessions.

Messages go through the outbox (``accounts.emails.queue_email``), sent once the change
commits; each carries an idempotency key, so saving the same change twice tells once."""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.emails import queue_email
from calendars import dates

from .models import Enrolment, Session

logger = logging.getLogger(__name__)

# The fields whose change people are told about (status changes go through cancel_session).
WATCHED_FIELDS = ("start", "end", "address", "commune_id", "remote_url")


def _place(address, commune):
    if commune is None:
        return "à distance (visioconférence)"
    return ", ".join(p for p in [address, f"{commune.name} ({commune.department.code})"] if p)


def _send(enrolment, subject, paragraphs, *, invitation=None, events=None, key=None):
    """Queues one message to the enrolment's person, in the academy's usual layout.

    ``invitation``: "REQUEST" or "CANCEL" attaches the session (or ``events``) as an
    iCalendar invitation."""
    from .calendar import invitation as calendar_invitation

    context = {
        "user": enrolment.user, "paragraphs": paragraphs, "subject": subject,
        "space_url": f"{settings.SITE_URL}/espace/",
        "course_url": f"{settings.SITE_URL}{enrolment.session.course.url or ''}",
    }
    calendar = None
    if invitation:
        calendar = {"method": invitation,
                    "content": calendar_invitation(enrolment, invitation, events=events)}
    return queue_email(
        subject=subject, to=[enrolment.user.email],
        text=render_to_string("academy/emails/message.txt", context),
        html=render_to_string("academy/emails/message.html", context),
        calendar=calendar, key=key,
    )


# --- a change of time, place or link ----------------------------------------------------------
def _snapshot(session):
    return {field: getattr(session, field) for field in WATCHED_FIELDS}


def _remember_before(sender, instance, update_fields=None, raw=False, **kwargs):
    """pre_save: keeps the saved row's watched values on the instance, to compare after."""
    instance._notice_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & {
            "start", "end", "address", "commune", "commune_id", "remote_url"}:
        return
    instance._notice_before = (Session.objects.filter(pk=instance.pk)
                               .values(*WATCHED_FIELDS).first())


def _tell_after_change(sender, instance, created=False, raw=False, **kwargs):
    before = getattr(instance, "_notice_before", None)
    instance._notice_before = None
    if created or raw or before is None:
        return
    if any(before[field] != getattr(instance, field) for field in WATCHED_FIELDS):
        session_changed(instance, before)


def connect():
    pre_save.connect(_remember_before, sender=Session, dispatch_uid="academy-notice-before")
    post_save.connect(_tell_after_change, sender=Session, dispatch_uid="academy-notice-after")


def describe_change(session, before) -> list[str]:
    """The change in words, e.g. "Nouvel horaire : le mardi 1er décembre 2026, de 9 h à
    17 h (au lieu du lundi 30 novembre 2026, de 9 h à 17 h)."."""
    lines = []
    if (before["start"], before["end"]) != (session.start, session.end):
        lines.append(f"Nouvel horaire : {dates.session_when(session.start, session.end)} "
                     f"(au lieu de : {dates.session_when(before['start'], before['end'])}).")
    if (before["address"], before["commune_id"]) != (session.address, session.commune_id):
        from territories.models import Commune

        old_commune = (Commune.objects.select_related("department")
                       .filter(pk=before["commune_id"]).first()
                       if before["commune_id"] else None)
        new_commune = session.commune if session.commune_id else None
        lines.append(f"Nouveau lieu : {_place(session.address, new_commune)} "
                     f"(au lieu de : {_place(before['address'], old_commune)}).")
    return lines


def session_changed(session, before):
    """Tells each active enrolment of a session still to come that its time, place or link
    changed. Runs in the saving transaction; the messages leave once it commits."""
    if session.is_cancelled or session.end < timezone.now():
        return []
    session = (Session.objects.select_related("course", "commune__department")
               .get(pk=session.pk))
    changes = describe_change(session, before)
    link_changed = before["remote_url"] != session.remote_url
    old_days = len(_parts(before["start"], before["end"]))
    new_days = len(_parts(session.start, session.end))
    enrolments = list(session.enrolments.active().select_related("user"))
    when = dates.long_date(before["start"], weekday=True)
    for enrolment in enrolments:
        enrolment.session = session
        confirmed = enrolment.status == Enrolment.Status.CONFIRMED
        lines = [f"La session « {session.course.title} » prévue le {when} a changé :"]
        lines += changes
        if link_changed and not (session.is_hybrid and confirmed and not enrolment.visio_url):
            if not session.remote_url:
                lines.append("La session n'a plus de lien de visioconférence.")
            elif confirmed:
                lines.append(f"Nouveau lien de visioconférence : {enrolment.visio_url}")
            else:
                lines.append("Le lien de visioconférence a changé ; il vous sera donné si "
                             "votre inscription est confirmée.")
        if confirmed:
            lines.append("L'invitation jointe met à jour la session dans votre agenda.")
            lines.append("Si vous ne pouvez plus venir, annulez votre inscription depuis "
                         "« Mon espace » pour laisser la place à une autre personne.")
        elif enrolment.status == Enrolment.Status.WAITLISTED:
            lines.append("Vous restez sur la liste d'attente de cette session.")
        else:
            lines.append("Votre demande d'inscription reste en attente de validation.")
        key = f"session_changed:{enrolment.pk}:{session.calendar_sequence}"
        _send(enrolment, f"Session modifiée : {session.course.title}", lines,
              invitation="REQUEST" if confirmed else None, key=key)
        if confirmed and new_days < old_days:
            dropped = [_cancelled_day(session, enrolment, index)
                       for index in range(new_days + 1, old_days + 1)]
            _send(enrolment, f"Jours retirés : {session.course.title}",
                  [f"La session « {session.course.title} » compte désormais {new_days} "
                   f"jour{'s' if new_days > 1 else ''} au lieu de {old_days}.",
                   "L'annulation jointe retire de votre agenda les jours qui n'ont plus "
                   "lieu."],
                  invitation="CANCEL", events=dropped, key=f"{key}:days")
    return enrolments


def _parts(start, end):
    from calendars.events import daily_parts

    return daily_parts(start, end)


def _cancelled_day(session, enrolment, index):
    """The event of a day the session no longer has: its UID, withdrawn."""
    from calendars.events import Event

    from .calendar import day_uid

    return Event(uid=day_uid(session.pk, index), summary=session.course.title,
                 start=session.start, end=session.end, last_modified=session.updated_at,
                 sequence=session.calendar_sequence + enrolment.invitation_sequence,
                 cancelled=True)


# --- a session cancelled by the organiser -----------------------------------------------------
def other_sessions(session):
    """The course's other sessions still open to enrolment, soonest first."""
    now = timezone.now()
    return list(
        Session.objects.filter(course_id=session.course_id, enrolment_closes__gt=now)
        .scheduled().upcoming().exclude(pk=session.pk)
        .select_related("commune__department")[:5]
    )


def session_cancelled(enrolment, reason="", *, invitation=None):
    """The cancellation message: the reason, the course's other sessions, the CANCEL of
    the invitation for someone who held a seat."""
    session = enrolment.session
    course = session.course
    lines = [f"Nous sommes au regret de vous informer que la session « {course.title} » "
             f"{dates.session_when(session.start, session.end)} est annulée par "
             "l'organisateur."]
    reason = (reason or "").strip()
    if reason:
        lines.append(f"Motif : {reason}")
    lines.append("Votre inscription est annulée."
                 + (" L'annulation jointe retire la session de votre agenda."
                    if invitation == "CANCEL" else ""))
    others = other_sessions(session)
    course_url = f"{settings.SITE_URL}{course.url or ''}"
    if others:
        lines.append("Cette formation a d'autres sessions, auxquelles vous pouvez vous "
                     "inscrire :")
        for other in others:
            place = other.place_label
            lines.append(f"– {dates.session_when(other.start, other.end)} — {place} : "
                         f"{course_url}#session-{other.pk}")
    else:
        lines.append("Aucune autre session de cette formation n'est programmée pour "
                     "l'instant ; le catalogue des formations en propose d'autres : "
                     f"{settings.SITE_URL}/formations/")
    return _send(enrolment, f"Session annulée : {course.title}", lines,
                 invitation=invitation, key=f"session_cancelled:{enrolment.pk}")


# --- an account deleted -----------------------------------------------------------------------
def account_deleted(enrolments):
    """The CANCEL of each invitation the deleted account held (enrolments that held a seat,
    their ``invitation_sequence`` already raised). Called before the account is anonymised,
    so the messages go to the person's address.

    These messages do not go through the outbox: a row there would keep the erased
    person's address. They are handed to ``send_without_trace`` once the erasure commits
    (kept in the broker until delivered, retried on SMTP errors)."""
    from .calendar import invitation as calendar_invitation
    from .tasks import send_without_trace

    for enrolment in enrolments:
        session = enrolment.session
        paragraphs = [
            f"Votre compte a été supprimé : votre inscription à la session « "
            f"{session.course.title} » {dates.session_when(session.start, session.end)} "
            "est annulée.",
            "L'annulation jointe retire la session de votre agenda.",
        ]
        subject = f"Inscription annulée : {session.course.title}"
        context = {"user": enrolment.user, "paragraphs": paragraphs, "subject": subject,
                   "space_url": "",
                   "course_url": f"{settings.SITE_URL}{session.course.url or ''}"}
        message = {
            "subject": subject, "to": [enrolment.user.email],
            "text": render_to_string("academy/emails/message.txt", context),
            "html": render_to_string("academy/emails/message.html", context),
            "calendar": {"method": "CANCEL",
                         "content": calendar_invitation(enrolment, "CANCEL")},
        }
        transaction.on_commit(partial(_hand_over, send_without_trace, message))


def _hand_over(task, message):
    try:
        task.delay(message)
    except Exception as error:  # broker down: nothing is kept, by design
        logger.warning("Erased account's calendar CANCEL not sent: %s: %s",
                       type(error).__name__, error)
