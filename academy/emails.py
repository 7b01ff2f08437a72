"""The messages sent to participants (French, text + HTML), queued after commit."""

from django.conf import settings
from django.template.loader import render_to_string

from accounts.emails import queue_composed, queue_email
from calendars import dates

# kind: (subject, lines). Lines are formatted with the context below.
MESSAGES = {
    "confirmed": ("Inscription confirmée : {course}", [
        "Votre inscription à la session du {when} est confirmée.",
        "Lieu : {place}.",
        "Vous pouvez annuler jusqu'au {deadline} depuis « Mon espace ».",
    ]),
    "waitlisted": ("Liste d'attente : {course}", [
        "La session du {when} est complète : vous êtes en position {position} sur la liste "
        "d'attente.",
        "Si une place se libère, vous serez inscrit automatiquement et prévenu par courriel.",
    ]),
    "promoted": ("Une place s'est libérée : {course}", [
        "Bonne nouvelle : une place s'est libérée pour la session du {when}. Votre "
        "inscription est confirmée.",
        "Lieu : {place}.",
        "Si vous ne pouvez plus venir, annulez avant le {deadline} depuis « Mon espace » pour "
        "laisser la place.",
    ]),
    "pending": ("Demande d'inscription reçue : {course}", [
        "Votre demande d'inscription à la session du {when} est bien reçue.",
        "Les places de cette session sont attribuées par l'équipe de l'Académie : vous "
        "recevrez sa réponse par courriel.",
    ]),
    "accepted": ("Demande acceptée : {course}", [
        "Votre demande d'inscription à la session du {when} est acceptée.",
        "Lieu : {place}.",
    ]),
    "refused": ("Demande d'inscription : {course}", [
        "Nous ne pouvons malheureusement pas retenir votre demande pour la session du {when}.",
        "D'autres sessions sont proposées dans le catalogue des formations.",
    ]),
    "cancelled": ("Annulation enregistrée : {course}", [
        "Votre inscription à la session du {when} est annulée.",
    ]),
    # Reminders say the real delay ("demain", "dans 5 jours"), whenever the job runs.
    "reminder_7": ("Rappel : {course} {delay}", [
        "Votre session commence {delay}, le {when}.", "Lieu : {place}.",
        "L'invitation jointe met à jour votre agenda.",
    ]),
    "reminder_1": ("Rappel : {course} {delay}", [
        "Votre session commence {delay}, le {when}.", "Lieu : {place}.",
        "L'invitation jointe met à jour votre agenda.",
    ]),
    "survey": ("Votre avis sur la formation : {course}", [
        "Merci d'avoir participé à la session du {when}.",
        "Quelques minutes pour nous dire ce que vous en avez pensé : {survey_url}",
    ]),
    # The built-in questionnaire (academy/surveys.py): the reminder once, the follow-up once.
    "survey_reminder": ("Rappel : votre avis sur la formation {course}", [
        "Vous avez participé à la session du {when} : votre avis nous manque encore.",
        "Le questionnaire prend quelques minutes et vos réponses sont anonymes : "
        "{survey_url}",
        "Vous le retrouvez aussi dans « Mon espace ».",
    ]),
    "survey_follow_up": ("Trois mois après : {course}", [
        "Vous avez suivi la session du {when}. Trois mois plus tard, qu'en avez-vous mis "
        "en pratique ?",
        "Quelques questions, des réponses anonymes : {survey_url}",
    ]),
}


def _context(enrolment):
    session = enrolment.session
    if enrolment.attends_remotely:  # remote sessions, and hybrid ones chosen "À distance"
        place = (f"à distance, par visioconférence ({session.remote_url} ; le bouton "
                 "« Rejoindre la visio » apparaît aussi dans « Mon espace » 30 minutes avant "
                 "le début)")
    else:
        place = ", ".join(p for p in [session.address, session.place_label] if p)
    return {
        "course": session.course.title,
        "when": dates.long_datetime(session.start, weekday=True),
        "delay": dates.delay_in_words(session.start),
        "place": place,
        "deadline": dates.deadline(session.cancellable_until),
        # The rank given when the person enrolled (the page says the same), else counted.
        "position": (getattr(enrolment, "position_when_enrolled", None)
                     or enrolment.waitlist_position() or ""),
        "survey_url": session.survey_url,
    }


# Messages that give a seat, and reminders, carry the session as a calendar invitation.
INVITING_KINDS = {"confirmed", "promoted", "accepted", "reminder_7", "reminder_1"}


def notify(enrolment, kind, invitation=None, key=None, **values):
    """Queues the message of that kind for the enrolment's person (after commit).

    ``invitation`` ("REQUEST" or "CANCEL") attaches the session as an iCalendar
    invitation; kinds that give a seat send a REQUEST by default. ``key``: the outbox's
    idempotency key, for messages that must leave once (reminders, surveys). ``values``
    override the context's (the built-in survey's personal link)."""
    written = write(enrolment, kind, invitation, **values)
    queue_email(subject=written["subject"], to=[enrolment.user.email], text=written["text"],
                html=written["html"], calendar=written["calendar"], key=key)


def write(enrolment, kind, invitation=None, **values):
    """The message of that kind: {"subject", "text", "html", "calendar"}."""
    from .calendar import invitation as calendar_invitation

    if invitation is None and kind in INVITING_KINDS:
        invitation = "REQUEST"
    subject, lines = MESSAGES[kind]
    values = {**_context(enrolment), **values}
    paragraphs = [line.format(**values) for line in lines]
    context = {
        "user": enrolment.user, "paragraphs": paragraphs, "subject": subject.format(**values),
        "space_url": f"{settings.SITE_URL}/espace/",
        "course_url": f"{settings.SITE_URL}{enrolment.session.course.url or ''}",
    }
    return {
        "subject": context["subject"],
        "text": render_to_string("academy/emails/message.txt", context),
        "html": render_to_string("academy/emails/message.html", context),
        "calendar": ({"method": invitation, "content": calendar_invitation(enrolment, invitation)}
                     if invitation else None),
    }


# The messages of a new enrolment are written by the worker that sends them: the request
# that enrols only saves the outbox row, in the enrolment's own transaction (and, on
# PostgreSQL, in the same statement as the enrolment: academy/services.py).
COMPOSER = "academy.enrolment"


def composer_arguments(enrolment_id, kind, position=None):
    return {"enrolment": enrolment_id, "kind": kind, "position": position}


def notify_later(enrolment, kind):
    """Queues the message of that kind, written when it is sent (``compose``)."""
    queue_composed(composer=COMPOSER, to=[enrolment.user.email], arguments=composer_arguments(
        enrolment.pk, kind, getattr(enrolment, "position_when_enrolled", None)))


def compose(enrolment, kind, position=None):
    """The outbox's composer (registered in academy/apps.py): the message of ``kind`` for
    the enrolment as it is now; ``position``: the waiting-list rank it was given."""
    from accounts.outbox import CannotCompose

    from .models import Enrolment

    found = (Enrolment.objects.select_related("session__course", "session__commune", "user")
             .filter(pk=enrolment).first())
    if found is None:
        raise CannotCompose(f"l'inscription {enrolment} n'existe plus")
    if position:
        found.position_when_enrolled = position
    return write(found, kind)
