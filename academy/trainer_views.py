"""The trainers' space (/formateur/): their sessions, each with its participants, the QR
code of the half-day, the list to tick and the attendance sheet; and the participant's scan
(/emargement/<token>/). A trainer reaches only the sessions they are linked to
(``Session.trainer_accounts``); any other session is a 404."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.roles import Role
from core.exports import content_disposition

from . import attendance
from .models import Attendance, Session
from .services import EnrolmentError

PENDING_SCAN = "academy_pending_scan"
PENDING_SCAN_SECONDS = 15 * 60


def _is_trainer(user):
    return user.is_authenticated and (Role.TRAINER in user.role_names
                                      or user.trained_sessions.exists())


def _session(request, session_id):
    """The session, if this person trains it (or is on the ANCT team); else 404."""
    session = (Session.objects.select_related("course", "commune__department")
               .filter(pk=session_id).first())
    if session is None or not attendance.trainer_may_manage(request.user, session):
        raise Http404("Aucune session de ce numéro ne vous est confiée.")
    return session


def _slot(session, day, period):
    slot = attendance.parse_slot(session, day, period)
    if slot is None:
        raise Http404("Cette demi-journée ne fait pas partie de la session.")
    return slot


def _slots(session, now):
    return [{"day": day, "period": period, "code": f"{day:%Y%m%d}",
             "label": attendance.slot_label(day, period),
             "window": attendance.window_label(session, day, period),
             "open": attendance.slot_is_open(session, day, period, now)}
            for day, period in session.half_days()]


@login_required
def home(request):
    if not _is_trainer(request.user):
        raise PermissionDenied("Cet espace est réservé aux formateurs de l'Académie.")
    now = timezone.now()
    sessions = list(request.user.trained_sessions.select_related("course", "commune__department")
                    .order_by("start"))
    return render(request, "academy/trainer/home.html", {
        "upcoming": [s for s in sessions if s.end >= now],
        "past": [s for s in reversed(sessions) if s.end < now],
    })


@login_required
def session_detail(request, session_id):
    session = _session(request, session_id)
    now = timezone.now()
    slots = _slots(session, now)
    participants = list(session.enrolments.holding_seats().select_related("user")
                        .prefetch_related("attendances")
                        .order_by("user__last_name", "user__first_name"))
    for enrolment in participants:
        marks = {(a.day, a.period): a for a in enrolment.attendances.all()}
        enrolment.marks = []
        for slot in slots:
            mark = marks.get((slot["day"], slot["period"]))
            enrolment.marks.append((mark, attendance.mode_label(mark) if mark else ""))
    return render(request, "academy/trainer/session.html", {
        "session": session, "slots": slots, "participants": participants,
        "current": attendance.current_slot(session, now),
    })


def _qr_payload(session, day, period, now):
    url = attendance.token_url(session, day, period, now)
    from .documents import qr_code_data_uri

    present = Attendance.objects.filter(enrolment__session=session, day=day, period=period,
                                        status=Attendance.Status.PRESENT).count()
    return {"url": url, "image": qr_code_data_uri(url),
            "seconds_left": attendance.seconds_left(now), "present": present,
            "confirmed": session.enrolments.holding_seats().count()}


@never_cache
@login_required
def qr_screen(request, session_id, day, period):
    session = _session(request, session_id)
    day, period = _slot(session, day, period)
    now = timezone.now()
    is_open = attendance.slot_is_open(session, day, period, now) and not session.is_cancelled
    return render(request, "academy/trainer/qr.html", {
        "session": session, "day": day, "period": period, "code": f"{day:%Y%m%d}",
        "label": attendance.slot_label(day, period),
        "window": attendance.window_label(session, day, period), "is_open": is_open,
        "qr": _qr_payload(session, day, period, now) if is_open else None,
        "step_seconds": attendance.STEP_SECONDS,
    })


@never_cache
@login_required
def qr_code(request, session_id, day, period):
    """The current code, read by the QR screen's script every few seconds."""
    session = _session(request, session_id)
    day, period = _slot(session, day, period)
    now = timezone.now()
    if session.is_cancelled or not attendance.slot_is_open(session, day, period, now):
        return JsonResponse({"open": False})
    return JsonResponse({"open": True, **_qr_payload(session, day, period, now)})


def _parse_time(text):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.time.fromisoformat(text).replace(second=0, microsecond=0)
    except ValueError:
        raise ValueError("Indiquez une heure au format 09:30.") from None


@login_required
def attendance_list(request, session_id, day, period):
    """The trainer ticks present / absent / excused, with late arrivals and early departures."""
    session = _session(request, session_id)
    day, period = _slot(session, day, period)
    participants = list(session.enrolments.holding_seats().select_related("user")
                        .order_by("user__last_name", "user__first_name"))
    recorded = {a.enrolment_id: a for a in Attendance.objects.filter(
        enrolment__session=session, day=day, period=period).select_related("recorded_by")}
    errors, posted = {}, {}
    if request.method == "POST":
        marks = {}
        for enrolment in participants:
            key = enrolment.pk
            status = request.POST.get(f"status-{key}", "")
            if status not in Attendance.Status.values:
                status = ""
            posted[key] = {"status": status,
                           "arrived": request.POST.get(f"arrived-{key}", "")[:10],
                           "left": request.POST.get(f"left-{key}", "")[:10]}
            times = {}
            for field in ("arrived", "left"):
                try:
                    times[field] = _parse_time(posted[key][field])
                except ValueError as error:
                    errors[f"{field}-{key}"] = str(error)
            if (times.get("arrived") or times.get("left")) and status != "present":
                errors[f"status-{key}"] = ("Une heure d'arrivée ou de départ ne s'indique que "
                                           "pour une personne présente.")
            if (times.get("arrived") and times.get("left")
                    and times["left"] <= times["arrived"]):
                errors[f"left-{key}"] = "Le départ doit suivre l'arrivée."
            marks[key] = (status, times.get("arrived"), times.get("left"))
        if not errors:
            try:
                changed = attendance.record_by_trainer(session, day, period, marks,
                                                       by=request.user)
            except EnrolmentError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"Présences enregistrées ({changed} "
                                          f"modification{'s' if changed > 1 else ''}).")
                return redirect(reverse("trainer:attendance",
                                        args=[session.pk, f"{day:%Y%m%d}", period]))
    rows = []
    for enrolment in participants:
        mark = recorded.get(enrolment.pk)
        values = posted.get(enrolment.pk) or {
            "status": mark.status if mark else "",
            "arrived": f"{mark.arrived_at:%H:%M}" if mark and mark.arrived_at else "",
            "left": f"{mark.left_at:%H:%M}" if mark and mark.left_at else ""}
        rows.append({"enrolment": enrolment, "mark": mark, "values": values,
                     "how": attendance.mode_label(mark) if mark else "",
                     "errors": {field: errors.get(f"{field}-{enrolment.pk}")
                                for field in ("status", "arrived", "left")}})
    return render(request, "academy/trainer/attendance.html", {
        "session": session, "day": day, "period": period, "code": f"{day:%Y%m%d}",
        "label": attendance.slot_label(day, period), "rows": rows, "has_errors": bool(errors),
        "choices": Attendance.Status.choices,
    }, status=200)


@login_required
def sheet(request, session_id):
    session = _session(request, session_id)
    from .documents import attendance_sheet_pdf

    response = HttpResponse(attendance_sheet_pdf(session), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"emargement-session-{session.pk}-{timezone.localtime(session.start):%Y%m%d}.pdf")
    return response


@never_cache
def scan(request, token):
    """What the QR code opens on the participant's phone. Not signed in: the code is checked
    now, kept in the session, and honoured after the login even if it changed meanwhile."""
    now = timezone.now()
    if not request.user.is_authenticated:
        try:
            attendance.check_token(token, now)
        except EnrolmentError as error:
            return _scan_result(request, str(error), refused=True)
        request.session[PENDING_SCAN] = {"token": token, "at": now.timestamp()}
        return redirect_to_login(request.get_full_path())
    pending = request.session.get(PENDING_SCAN)
    # A code checked before the login counts for the PENDING_SCAN_SECONDS the login takes.
    fresh = not (isinstance(pending, dict) and pending.get("token") == token
                 and 0 <= now.timestamp() - float(pending.get("at") or 0)
                 <= PENDING_SCAN_SECONDS)
    try:
        mark, created = attendance.record_scan(request.user, token, now, fresh=fresh)
    except EnrolmentError as error:
        return _scan_result(request, str(error), refused=True)
    finally:
        request.session.pop(PENDING_SCAN, None)
    session = mark.enrolment.session
    text = ("Votre présence est enregistrée" if created else
            "Votre présence est déjà enregistrée")
    return _scan_result(request, f"{text} : {session.course.title}, "
                                 f"{attendance.slot_label(mark.day, mark.period)}.",
                        already=not created)


def _scan_result(request, message, refused=False, already=False):
    return render(request, "academy/trainer/scan.html", {
        "message": message, "refused": refused, "already": already,
    }, status=403 if refused else 200)


def space_section(request):
    """The trainers' block of "Mon espace" (None for everyone else)."""
    if not _is_trainer(request.user):
        return None
    now = timezone.now()
    upcoming = request.user.trained_sessions.filter(end__gte=now).aggregate(
        count=Count("pk"), first_end=Min("end"))
    # "Mon espace" is kept per person: counted again when the first of them ends.
    return {"trainer_upcoming": upcoming["count"], "valid_until": upcoming["first_end"]}
