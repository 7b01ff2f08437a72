"""Attendance per half-day ("émargement"): the QR code the trainer shows, the participant's
scan, the trainer's list and the ANCT's corrections, each mark saying how it was recorded.

The QR code encodes a URL of the site whose token names the session, the half-day and a
30-second time step, signed with an HMAC of SECRET_KEY: it changes every 30 seconds, the
current and the previous step are accepted (a scan at the turn of a step works), and only
inside the half-day's window (``ATTENDANCE_QR_MARGIN_MINUTES`` before and after). Refusals
raise the app's one error type, ``services.EnrolmentError``, with the French sentence shown.
"""

import datetime
import time

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from calendars import dates

from .models import Attendance, Enrolment, Session
from .services import EnrolmentError

STEP_SECONDS = 30
# The morning ends and the afternoon begins at this time (a half-day's window).
MIDDAY = datetime.time(13)
_SALT = "academy.attendance.qr"

EXPIRED = ("Ce code a expiré : scannez le code affiché en ce moment sur l'écran du "
           "formateur (il change toutes les 30 secondes).")
INVALID = "Ce code d'émargement n'est pas valide : scannez le code affiché par le formateur."
ALREADY = "Votre présence est déjà enregistrée pour cette demi-journée."


# --- half-days and their windows ----------------------------------------------------------------
def slot_bounds(session, day, period):
    """(start, end) of a half-day, aware datetimes: each day runs from the session's daily
    starting time to its daily ending time, split at 13 h."""
    tz = timezone.get_current_timezone()
    local_start, local_end = timezone.localtime(session.start), timezone.localtime(session.end)
    opens = datetime.datetime.combine(day, local_start.time(), tz)
    closes = datetime.datetime.combine(day, local_end.time(), tz)
    if closes <= opens:  # an irregular schedule: the whole calendar day
        opens = datetime.datetime.combine(day, datetime.time(0), tz)
        closes = datetime.datetime.combine(day, datetime.time(23, 59), tz)
    midday = datetime.datetime.combine(day, MIDDAY, tz)
    if period == Attendance.Period.MORNING:
        return opens, min(closes, midday)
    return max(opens, midday), closes


def margin():
    return datetime.timedelta(minutes=settings.ATTENDANCE_QR_MARGIN_MINUTES)


def slot_window(session, day, period):
    """When the half-day's QR code is accepted: its bounds widened by the margin."""
    opens, closes = slot_bounds(session, day, period)
    return opens - margin(), closes + margin()


def slot_is_open(session, day, period, now=None):
    opens, closes = slot_window(session, day, period)
    return opens <= (now or timezone.now()) <= closes


def current_slot(session, now=None):
    """The half-day whose QR window contains ``now``, or None."""
    now = now or timezone.now()
    for day, period in session.half_days():
        if slot_is_open(session, day, period, now):
            return day, period
    return None


def window_label(session, day, period):
    """E.g. "de 8 h 30 à 13 h 30"."""
    opens, closes = slot_window(session, day, period)
    return f"de {dates.clock(opens)} à {dates.clock(closes)}"


def slot_label(day, period):
    """E.g. "lundi 7 décembre 2026, matin"."""
    return f"{dates.long_date(day, weekday=True)}, {'matin' if period == 'am' else 'après-midi'}"


def parse_slot(session, day_text, period):
    """A half-day of the session from the URL's "20261207" and "am"/"pm", or None."""
    try:
        day = datetime.datetime.strptime(day_text, "%Y%m%d").date()
    except (TypeError, ValueError):
        return None
    return (day, period) if (day, period) in session.half_days() else None


# --- the token ----------------------------------------------------------------------------------
def time_step(now=None):
    moment = now.timestamp() if now is not None else time.time()
    return int(moment // STEP_SECONDS)


def _mac(payload):
    return salted_hmac(_SALT, payload, algorithm="sha256").hexdigest()[:24]


def make_token(session, day, period, step):
    payload = f"{session.pk}-{day:%Y%m%d}-{period}-{step}"
    return f"{payload}-{_mac(payload)}"


def token_url(session, day, period, now=None):
    """The absolute URL the QR code encodes for this moment."""
    token = make_token(session, day, period, time_step(now))
    return settings.SITE_URL.rstrip("/") + reverse("attendance_scan", args=[token])


def seconds_left(now=None):
    moment = (now or timezone.now()).timestamp()
    return STEP_SECONDS - int(moment % STEP_SECONDS)


def read_token(token):
    """(session_id, day, period, step) of a well-signed token, else EnrolmentError."""
    parts = str(token).split("-")
    if len(parts) != 5:
        raise EnrolmentError(INVALID)
    session_id, day_text, period, step, mac = parts
    if not constant_time_compare(mac, _mac("-".join(parts[:4]))):
        raise EnrolmentError(INVALID)
    try:
        day = datetime.datetime.strptime(day_text, "%Y%m%d").date()
        return int(session_id), day, period, int(step)
    except ValueError as error:
        raise EnrolmentError(INVALID) from error


def check_token(token, now=None, fresh=True):
    """The (session, day, period) a token opens now, else EnrolmentError: a bad signature,
    an expired step (only the current and previous are accepted, unless ``fresh`` is False:
    a scan already checked before the person signed in), a half-day outside its window."""
    session_id, day, period, step = read_token(token)
    session = Session.objects.select_related("course").filter(pk=session_id).first()
    if session is None or (day, period) not in session.half_days():
        raise EnrolmentError(INVALID)
    now = now or timezone.now()
    if fresh and time_step(now) - step not in (0, 1):
        raise EnrolmentError(EXPIRED)
    if session.is_cancelled:
        raise EnrolmentError("Cette session a été annulée : il n'y a pas d'émargement.")
    if not slot_is_open(session, day, period, now):
        raise EnrolmentError(
            f"L'émargement du {slot_label(day, period)} est ouvert "
            f"{window_label(session, day, period)} : ce code ne peut pas être utilisé "
            "maintenant.")
    return session, day, period


def step_of(token):
    try:
        return read_token(token)[3]
    except EnrolmentError:
        return None


# --- recording marks -----------------------------------------------------------------------------
def record_scan(user, token, now=None, fresh=True):
    """The participant's own scan: marks them present for the token's half-day. Returns
    (attendance, created); a second scan changes nothing."""
    now = now or timezone.now()
    session, day, period = check_token(token, now, fresh=fresh)
    enrolment = session.enrolments.filter(user=user).first()
    if enrolment is None or enrolment.status != Enrolment.Status.CONFIRMED:
        raise EnrolmentError(
            "Vous n'êtes pas inscrit à cette session (ou votre inscription n'est pas "
            "confirmée) : l'émargement est réservé aux participants confirmés. Adressez-vous "
            "au formateur.")
    with transaction.atomic():
        existing = (Attendance.objects.select_for_update()
                    .filter(enrolment=enrolment, day=day, period=period).first())
        if existing is not None and existing.status == Attendance.Status.PRESENT:
            return existing, False
        values = {"status": Attendance.Status.PRESENT, "mode": Attendance.Mode.QR,
                  "recorded_by": user, "recorded_at": now}
        if existing is None:
            return Attendance.objects.create(enrolment=enrolment, day=day, period=period,
                                             **values), True
        for field, value in values.items():
            setattr(existing, field, value)
        existing.save()
        return existing, True


def trainer_may_manage(user, session):
    """Trainers linked to the session, and the ANCT team (academy.change_session)."""
    if not user.is_authenticated:
        return False
    if user.has_perm("academy.change_session"):
        return True
    return session.trainer_accounts.filter(pk=user.pk).exists()


def record_by_trainer(session, day, period, marks, by, now=None):
    """The trainer's list for one half-day. ``marks``: {enrolment_id: (status or "",
    arrived_at or None, left_at or None)}. A mark the trainer did not change keeps how it
    was recorded (a QR scan stays a QR scan); a new or changed one is the trainer's. Returns
    how many marks changed."""
    if (day, period) not in session.half_days():
        raise EnrolmentError("Cette demi-journée ne fait pas partie de la session.")
    now = now or timezone.now()
    confirmed = set(session.enrolments.holding_seats().values_list("pk", flat=True))
    changed = 0
    with transaction.atomic():
        existing = {a.enrolment_id: a for a in Attendance.objects.select_for_update().filter(
            enrolment__session=session, day=day, period=period)}
        for enrolment_id, (status, arrived, left) in marks.items():
            if enrolment_id not in confirmed:
                continue
            if status != Attendance.Status.PRESENT:
                arrived = left = None
            current = existing.get(enrolment_id)
            if not status:
                if current is not None:
                    current.delete()
                    changed += 1
                continue
            if current is not None and (current.status, current.arrived_at,
                                        current.left_at) == (status, arrived, left):
                continue
            values = {"status": status, "arrived_at": arrived, "left_at": left,
                      "mode": Attendance.Mode.TRAINER, "recorded_by": by, "recorded_at": now}
            if current is None:
                Attendance.objects.create(enrolment_id=enrolment_id, day=day, period=period,
                                          **values)
            else:
                for field, value in values.items():
                    setattr(current, field, value)
                current.save()
            changed += 1
    return changed


def mode_label(attendance):
    """How a mark was recorded, as the sheet says it: "QR code 9 h 02", "formateur",
    "correction ANCT"."""
    if attendance.mode == Attendance.Mode.QR:
        when = f" {dates.clock(attendance.recorded_at)}" if attendance.recorded_at else ""
        return f"QR code{when}"
    if attendance.mode == Attendance.Mode.TRAINER:
        return "formateur"
    if attendance.mode == Attendance.Mode.ANCT:
        return "correction ANCT"
    return ""


def times_label(attendance):
    """E.g. "arrivée 9 h 40, départ 11 h 30"."""
    parts = []
    if attendance.arrived_at:
        parts.append(f"arrivée {dates.clock(attendance.arrived_at)}")
    if attendance.left_at:
        parts.append(f"départ {dates.clock(attendance.left_at)}")
    return ", ".join(parts)
