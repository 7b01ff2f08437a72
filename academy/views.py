from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import services
from .catalog import attach_next_sessions, search_courses
from .forms import CatalogFilterForm, EnrolmentForm
from .models import (
    MANDATE_LEVELS,
    Audience,
    CatalogPage,
    Enrolment,
    Mandate,
    OfficialProfile,
    Session,
)
from .profile_forms import MandateFormSet, OfficialProfileForm

PAGE_SIZE = 12
# Catalogue filters that the public sessions feed understands (see calendar.feed_filters);
# "places disponibles" is not one: seats change after one subscribes, and a session leaving
# the calendar once full would look cancelled (the page says so next to the buttons).
FEED_FILTERS = ("q", "theme", "department", "region", "format", "audience", "date_from",
                "date_to")


@CatalogPage.serves
def catalog(request, page):
    """The catalogue page (live and previewed): the filter form, the courses that match,
    each with its next session, by pages of PAGE_SIZE."""
    form = CatalogFilterForm(request.GET or None)
    courses, sessions = search_courses(form.filters)
    paginated = Paginator(courses.prefetch_related("themes", "illustrations__image__renditions"),
                          PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    attach_next_sessions(paginated.object_list, sessions)
    query = request.GET.copy()
    query.pop("page", None)
    feed_query = urlencode({k: v for k, v in form.filters.items() if k in FEED_FILTERS})
    feed_url = reverse("academy_calendar:sessions") + (f"?{feed_query}" if feed_query else "")
    return TemplateResponse(request, "academy/catalog_page.html", {
        "feed_url": feed_url,
        "feed_ignores_available": bool(form.filters.get("available")),
        "webcal_url": "webcal://" + request.get_host() + feed_url,
        "page": page,
        "self": page,
        "form": form,
        "courses": paginated,
        "total": paginated.paginator.count,
        "query_string": query.urlencode(),
    })


@require_http_methods(["GET", "POST"])
def enrol(request, session_id):
    """"S'inscrire" on a course page. Anonymous people log in first; élus without a
    mandate are sent to their profile first, and come back to the course. Only sessions of
    a published course take enrolments: a draft's session answers 404, as everywhere else.

    When there is something to choose (on site or remote for a hybrid session, the mandate
    for an élu with several) or to know first (another session of the course, a session at
    the same time), the button leads to a page that asks it; "Confirmer mon inscription"
    there posts with ``confirm``. Otherwise the button enrols at once."""
    if request.method == "POST" and "confirm" not in request.POST:
        # The common case, in two reads (an élu with one mandate, nothing to choose nor to
        # know first); anything else takes the way below, which says why.
        enrolment = services.enrol_at_once(session_id, request.user)
        if enrolment is not None:
            messages.success(request, ENROLMENT_MESSAGES[enrolment.status](enrolment))
            return redirect("accounts:home")
    session = get_object_or_404(
        Session.objects.select_related("course", "commune__department")
        .filter(course__live=True), pk=session_id)
    course_url = session.course.url or "/"
    if not request.user.is_authenticated:
        return redirect_to_login(course_url)
    mandates = list(Mandate.objects.filter(profile__user=request.user).select_related(
        "commune__department", "epci", "department", "region"))
    refusal = services.audience_refusal(session.course, request.user, mandates)
    if refusal and session.course.audience == Audience.ELECTED_OFFICIALS:
        messages.info(request, "Avant de vous inscrire, indiquez vos mandats d'élu.")
        return redirect(f"{reverse('official_profile')}?{urlencode({'next': course_url})}")
    confirming = request.method == "POST" and "confirm" in request.POST
    form = EnrolmentForm(session, mandates, request.POST if confirming else None)
    warnings = services.enrolment_warnings(session, request.user)
    if request.method == "POST" and not confirming and not form.fields and not warnings:
        return _enrol(request, session, course_url, mandates)
    if confirming and form.is_valid():
        return _enrol(request, session, course_url, mandates, **form.cleaned_data)
    if request.method == "POST" and not confirming:
        return redirect("academy:enrol", session.pk)  # the questions, as a page of its own
    if Enrolment.objects.active().filter(session=session, user=request.user).exists():
        messages.info(request, "Vous êtes déjà inscrit à cette session.")
        return redirect("accounts:home")
    if not session.enrolment_is_open:
        messages.error(request, "Les inscriptions à cette session ne sont pas ouvertes.")
        return redirect(f"{course_url}#session-{session.pk}")
    if confirming:
        messages.error(request, "Le formulaire contient des erreurs : corrigez les champs "
                                "signalés ci-dessous.")
    return render(request, "academy/enrol.html", {
        "session": session, "form": form, "warnings": warnings, "course_url": course_url,
    })


def _enrol(request, session, course_url, mandates, **choices):
    try:
        # The session and mandates as read above: the service does not read them again.
        enrolment = services.enrol(session, request.user, mandates=mandates, **choices)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(f"{course_url}#session-{session.pk}")
    messages.success(request, ENROLMENT_MESSAGES[enrolment.status](enrolment))
    return redirect("accounts:home")


ENROLMENT_MESSAGES = {
    Enrolment.Status.CONFIRMED: lambda e: (
        f"Votre inscription à « {e.session.course.title} » est confirmée. Un courriel de "
        "confirmation vous a été envoyé."),
    Enrolment.Status.WAITLISTED: lambda e: (
        "La session est complète : vous êtes en position "
        f"{getattr(e, 'position_when_enrolled', None) or e.waitlist_position()} sur la liste "
        "d'attente. Vous serez prévenu si une place se libère."),
    Enrolment.Status.PENDING: lambda e: (
        "Votre demande d'inscription est enregistrée : l'équipe de l'Académie vous répondra "
        "par courriel."),
}


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, enrolment_id):
    """"Annuler mon inscription" leads to this page, which asks for confirmation; its button
    posts here and cancels."""
    enrolment = get_object_or_404(Enrolment.objects.for_user(request.user), pk=enrolment_id)
    if request.method == "GET":
        if not enrolment.is_active:
            messages.info(request, "Cette inscription est déjà annulée.")
            return redirect("accounts:home")
        return render(request, "academy/cancel.html", {
            "enrolment": enrolment, "session": enrolment.session,
            "can_cancel": enrolment.can_self_cancel(),
        })
    try:
        enrolment = services.cancel(enrolment_id, request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Votre inscription à « {enrolment.session.course.title} » est annulée.")
    return redirect("accounts:home")


@login_required
def attestation(request, enrolment_id):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("session__course", "user"),
        pk=enrolment_id, user=request.user,
    )
    if enrolment.session.end > timezone.now() or not enrolment.hours_attended():
        raise Http404("Pas d'attestation pour cette inscription.")
    from .attestations import current_attestation, verification_url
    from .documents import attestation_pdf

    issued = current_attestation(enrolment)  # the same reference until attendance changes
    pdf = attestation_pdf(enrolment, issued, verification_url(issued, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-{enrolment.session.start:%Y-%m-%d}.pdf"'
    )
    return response


@login_required
def profile(request):
    """Onboarding after sign-up, and later edits: mandates and employment status."""
    official, _ = OfficialProfile.objects.get_or_create(user=request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: anything else ("2026-01-01", a view name…) would be taken
    # by redirect() for a URL name to reverse, and fail.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
            next_url, {request.get_host()}):
        next_url = ""
    form = OfficialProfileForm(request.POST or None, instance=official)
    formset = MandateFormSet(request.POST or None, instance=official, prefix="mandates")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            form.save()
            formset.save()
        messages.success(request, "Votre profil d'élu est enregistré.")
        return redirect(next_url or "accounts:home")
    if request.method == "POST":
        messages.error(request, "Le formulaire contient des erreurs : corrigez les champs "
                                "signalés ci-dessous.")
    return render(request, "academy/profile.html", {
        "form": form, "formset": formset, "next": next_url,
        "welcome": "bienvenue" in request.GET,
        "levels": {role: level for role, level in MANDATE_LEVELS.items()},
    })
