"""Back-office pages for one session: enrolments, decisions, exports, attendance, cancel.

Reached from the Sessions listing and from a course's edit page; mounted by
wagtail_hooks.register_admin_urls (so Wagtail's admin access check applies)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Role
from core.exports import content_disposition, export_response

from . import services
from .exports import SessionEnrolmentsExport
from .models import Attendance, Enrolment, Session

SORTS = {"priority": ("-priority", "created_at"), "date": ("created_at",),
         "name": ("user__last_name", "user__first_name")}


def _session_for(request, session_id):
    if not request.user.has_perm("academy.change_session"):
        raise PermissionDenied
    return get_object_or_404(Session.objects.select_related("course", "commune__department"),
                             pk=session_id)


def may_administer_sessions(user) -> bool:
    """Cancelling a session (it writes to every participant) and exporting the participants'
    personal data are for ANCT administrators; editors organise sessions and enrolments."""
    return user.is_superuser or user.has_role(Role.ANCT_ADMIN)


def _session_for_admin(request, session_id):
    session = _session_for(request, session_id)
    if not may_administer_sessions(request.user):
        raise PermissionDenied
    return session


def _manage_url(session):
    return reverse("academy_admin:enrolments", args=[session.pk])


def _breadcrumbs(session, label=None):
    items = [{"url": reverse("wagtailsnippets_academy_session:list"), "label": "Sessions"},
             {"url": _manage_url(session), "label": str(session)}]
    if label:
        items.append({"url": "", "label": label})
    return items


def _modes(session):
    """A hybrid session: how many confirmed people come to the room, how many follow it
    remotely, and how many (added by staff) did not say."""
    if not session.is_hybrid:
        return None
    counts = dict(session.enrolments.holding_seats().values_list("attendance_mode")
                  .annotate(n=Count("pk")))
    return {"on_site": counts.get("on_site", 0), "remote": counts.get("remote", 0),
            "unknown": counts.get("", 0)}


def enrolments(request, session_id):
    session = _session_for(request, session_id)
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "priority")
    listed = session.enrolments.select_related("user").order_by(*SORTS.get(sort,
                                                                            SORTS["priority"]))
    if status in Enrolment.Status.values:
        listed = listed.filter(status=status)
    counts = dict(session.enrolments.values_list("status").annotate(n=Count("pk")))
    waitlist = {e.pk: n for n, e in enumerate(session.enrolments.waitlist(), start=1)}
    rows = list(listed)
    for enrolment in rows:
        enrolment.position = waitlist.get(enrolment.pk)
    return render(request, "academy/admin/enrolments.html", {
        "session": session, "rows": rows, "status": status, "sort": sort,
        "counts": [(value, label, counts.get(value, 0))
                   for value, label in Enrolment.Status.choices],
        "confirmed": counts.get(Enrolment.Status.CONFIRMED, 0),
        "modes": _modes(session),
        "may_administer": may_administer_sessions(request.user),
        "page_title": f"Inscriptions — {session}", "header_icon": "group",
        "breadcrumbs_items": _breadcrumbs(session),
    })


@require_POST
def add_participant(request, session_id):
    session = _session_for(request, session_id)
    email = request.POST.get("email", "").strip()
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    if user is None:
        messages.error(request, f"Aucun compte n'existe avec l'adresse « {email} » : la "
                                "personne doit d'abord créer son compte.")
        return redirect(_manage_url(session))
    try:
        enrolment = services.enrol(session.pk, user, by_staff=request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{user.get_full_name() or user.email} : "
                                  f"{enrolment.get_status_display().lower()}.")
    return redirect(_manage_url(session))


ACTIONS = {
    "accept": (services.accept, "Demande acceptée."),
    "refuse": (services.refuse, "Demande refusée."),
    "move_up": (services.move_up, "Personne inscrite depuis la liste d'attente."),
}


@require_POST
def decide(request, session_id, enrolment_id, action):
    session = _session_for(request, session_id)
    if action not in ACTIONS:
        raise PermissionDenied
    get_object_or_404(Enrolment, pk=enrolment_id, session=session)
    function, success = ACTIONS[action]
    try:
        function(enrolment_id)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(request.POST.get("next") or _manage_url(session))


def cancel_session(request, session_id):
    session = _session_for_admin(request, session_id)
    reason, reason_error = "", ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            reason_error = ("Indiquez le motif de l'annulation : il est écrit aux personnes "
                            "inscrites.")
        else:
            try:
                affected = services.cancel_session(session.pk, reason)
            except services.EnrolmentError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"Session annulée ; {len(affected)} personne(s) "
                                          "prévenue(s) par courriel.")
            return redirect(_manage_url(session))
    return render(request, "academy/admin/cancel_session.html", {
        "session": session, "affected": session.enrolments.active().count(),
        "reason": reason, "reason_error": reason_error,
        "page_title": "Annuler la session", "header_icon": "warning",
        "breadcrumbs_items": _breadcrumbs(session, "Annuler"),
    })


def export(request, session_id, fmt):
    session = _session_for_admin(request, session_id)
    return export_response(request, SessionEnrolmentsExport, fmt, session=session)


def attendance(request, session_id):
    """Grid of confirmed participants × half-days: présent / absent / excusé."""
    session = _session_for(request, session_id)
    slots = session.half_days()
    participants = list(session.enrolments.holding_seats().select_related("user")
                        .order_by("user__last_name", "user__first_name"))
    if request.method == "POST":
        marks = {}
        for enrolment in participants:
            for day, period in slots:
                value = request.POST.get(f"a-{enrolment.pk}-{day:%Y%m%d}-{period}", "")
                if value in Attendance.Status.values or value == "":
                    marks[(enrolment.pk, day, period)] = value
        services.record_attendance(session, marks, by=request.user)
        messages.success(request, "Présences enregistrées.")
        return redirect(reverse("academy_admin:attendance", args=[session.pk]))
    recorded = {(a.enrolment_id, a.day, a.period): a.status
                for a in Attendance.objects.filter(enrolment__session=session)}
    grid = [
        (enrolment, [(f"a-{enrolment.pk}-{day:%Y%m%d}-{period}",
                      recorded.get((enrolment.pk, day, period), "")) for day, period in slots])
        for enrolment in participants
    ]
    return render(request, "academy/admin/attendance.html", {
        "session": session, "slots": slots, "grid": grid,
        "choices": Attendance.Status.choices, "started": session.start <= timezone.now(),
        "page_title": "Présences", "header_icon": "tick",
        "breadcrumbs_items": _breadcrumbs(session, "Présences"),
    })


def attendance_sheet(request, session_id):
    session = _session_for(request, session_id)
    from .documents import attendance_sheet_pdf

    response = HttpResponse(attendance_sheet_pdf(session), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"emargement-session-{session.pk}-{timezone.localtime(session.start):%Y%m%d}.pdf")
    return response

