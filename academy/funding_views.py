"""The DIF élus pages: the programme (public PDF of an eligible course), the quote (PDF, the
enrolled élu's only), the élu's declaration of their request, "Mon espace" section, and
ANCT's back-office list where the decisions are recorded. The rules are ``funding.py``."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import is_anct_admin

from . import funding
from .models import CoursePage, Enrolment, Session
from .models.funding import DifFunding
from .services import EnrolmentError

NOT_ELIGIBLE = "Cette formation n'est pas éligible au DIF des élus."


# --- public programme ------------------------------------------------------------------------

def programme(request, course_id):
    """The programme PDF of a live, eligible course: every upcoming session, or the one
    named by ``?session=`` (as "Mon espace" links it)."""
    course = CoursePage.objects.live().public().filter(pk=course_id).select_related(
        "training_body").first()
    if course is None or funding.dif_training_body(course) is None:
        raise Http404(NOT_ELIGIBLE)
    sessions = (Session.objects.filter(course=course).scheduled()
                .select_related("commune__department").prefetch_related("trainer_accounts")
                .order_by("start"))
    chosen = request.GET.get("session", "")
    if chosen.isascii() and chosen.isdigit() and len(chosen) < 12 \
            and sessions.filter(pk=int(chosen)).exists():
        sessions = sessions.filter(pk=int(chosen))
    else:
        sessions = sessions.upcoming()[:12]
    from .funding_documents import programme_pdf

    response = HttpResponse(programme_pdf(course, list(sessions)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="programme-{course.slug}.pdf"'
    return response


# --- the élu's own documents and declaration -------------------------------------------------

def _own_enrolment(request, enrolment_id):
    return get_object_or_404(
        Enrolment.objects.select_related("session__course__training_body", "user",
                                         "session__commune__department"),
        pk=enrolment_id, user=request.user)


@login_required
def quote(request, enrolment_id):
    enrolment = _own_enrolment(request, enrolment_id)
    if not funding.may_download_quote(enrolment, request.user):
        raise Http404("Pas de devis DIF élus pour cette inscription.")
    from .funding_documents import quote_pdf

    response = HttpResponse(quote_pdf(enrolment), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="devis-{funding.quote_reference(enrolment)}.pdf"')
    response["Cache-Control"] = "private, no-store"
    return response


class RequestForm(forms.Form):
    requested_on = forms.DateField(
        label="Date de votre demande sur Mon compte élu",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de votre demande.",
                        "invalid": "Indiquez une date valide, par exemple 15/03/2026."},
        input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    file_reference = forms.CharField(
        label="Numéro de dossier (facultatif)", required=False, max_length=50,
        help_text="Le numéro donné par Mon compte élu, s'il vous en a donné un.",
        error_messages={"max_length": "Le numéro de dossier compte 50 caractères au plus."})

    def clean_requested_on(self):
        day = self.cleaned_data["requested_on"]
        problem = funding.request_date_error(day)
        if problem:
            raise forms.ValidationError(problem)
        return day


@login_required
def request_funding(request, enrolment_id):
    """"J'ai fait ma demande sur Mon compte élu", or withdraw it (POST ``action=withdraw``)."""
    enrolment = _own_enrolment(request, enrolment_id)
    course = enrolment.session.course
    if funding.dif_training_body(course) is None or not funding.is_elected(request.user):
        raise Http404(NOT_ELIGIBLE)
    current = funding.funding_of(enrolment)
    form = RequestForm(initial={"requested_on": timezone.localdate()})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                funding.withdraw_request(enrolment, request.user)
                messages.success(request, "Votre déclaration de demande est retirée.")
                return redirect(reverse("accounts:home") + "#dif-funding")
            form = RequestForm(request.POST)
            if form.is_valid():
                funding.declare_request(enrolment, request.user,
                                        form.cleaned_data["requested_on"],
                                        form.cleaned_data["file_reference"])
                messages.success(request, "Votre demande de financement est enregistrée. "
                                          "L'équipe de l'Académie indiquera ici la réponse "
                                          "de la Caisse des dépôts.")
                return redirect(reverse("accounts:home") + "#dif-funding")
        except EnrolmentError as error:
            form.add_error(None, str(error))
    return render(request, "academy/dif_request.html", {
        "enrolment": enrolment, "session": enrolment.session, "course": course,
        "funding": current, "status_label": funding.status_label(current), "form": form,
        "may_declare": current.status in (DifFunding.Status.NONE, DifFunding.Status.REFUSED)
        and enrolment.is_active and enrolment.session.start > timezone.now(),
    })


def space_section(request):
    """"Mon espace": the élu's enrolments in courses the DIF élus funds, or nothing."""
    if not request.user.is_authenticated:
        return None
    rows = funding.eligible_enrolments(request.user)
    if not rows:
        return None
    for enrolment in rows:
        enrolment.funding = funding.funding_of(enrolment)
        enrolment.funding_label = funding.status_label(enrolment.funding)
    # "Mon espace" is kept per person: read again when a session ends or, since a body's
    # approval is by the day, at midnight.
    tomorrow = timezone.localdate() + timedelta(days=1)
    midnight = timezone.make_aware(datetime.combine(tomorrow, time.min))
    return {"dif_enrolments": rows,
            "valid_until": min([midnight, *(e.session.end for e in rows)])}


# --- ANCT's back office ----------------------------------------------------------------------

def _anct(request):
    if not is_anct_admin(request.user):
        raise PermissionDenied("Seule l'équipe de l'ANCT enregistre les décisions de "
                               "financement.")


def admin_list(request):
    _anct(request)
    status = request.GET.get("statut", DifFunding.Status.REQUESTED)
    rows = (DifFunding.objects.asked()
            .select_related("enrolment__user", "enrolment__session__course",
                            "enrolment__session__commune__department", "decided_by")
            .order_by("enrolment__session__start", "pk"))
    if status in DifFunding.Status.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    query = request.GET.get("q", "").strip()[:100]
    if query:
        rows = rows.filter(Q(enrolment__user__email__icontains=query)
                           | Q(enrolment__user__last_name__icontains=query)
                           | Q(enrolment__session__course__title__icontains=query))
    counts = {value: DifFunding.objects.filter(status=value).count()
              for value in DifFunding.Status.values if value != DifFunding.Status.NONE}
    return render(request, "academy/admin/dif_fundings.html", {
        "rows": rows[:200], "status": status, "query": query,
        "filters": [(value, label, counts[value]) for value, label
                    in DifFunding.Status.choices if value != DifFunding.Status.NONE],
        "page_title": "Financements DIF élus", "header_icon": "tick-inverse",
        "reason_max": funding.REASON_MAX,
    })


@require_POST
def admin_decide(request, funding_id, action):
    _anct(request)
    if action not in ("accorder", "refuser", "reouvrir"):
        raise Http404("Action inconnue.")
    try:
        if action == "reouvrir":
            funding.reopen(funding_id, request.user)
            messages.success(request, "Demande remise en attente de décision.")
        else:
            done = funding.decide(funding_id, request.user, granted=action == "accorder",
                                  reason=request.POST.get("reason", ""))
            messages.success(request, f"{done.get_status_display()} pour "
                                      f"{done.enrolment.user.get_full_name() or 'l’élu'}.")
    except EnrolmentError as error:
        messages.error(request, str(error))
    back = request.POST.get("next", "")
    if not back.startswith("/admin/") or back.startswith("//"):
        back = reverse("academy_dif_admin:list")
    return redirect(back)

