"""Structure managers: start the convention, its renewal (or decline it), amendments adding
or withdrawing posts, contract extensions, abandoning an application. Préfets: the opinion
on an amendment adding posts. Each page fetches its object through ``editable_by`` or
``visible_to`` (another party's object answers 404), then one call to ``advisors.services``;
a refusal is shown on the form, nothing typed is lost."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from calendars.dates import long_date

from .. import permissions, services
from ..forms import (
    AmendmentForm,
    ConventionForm,
    ExtensionForm,
    OpinionForm,
    ReasonForm,
    TransitionForm,
    add_workflow_error,
)
from ..models import Amendment, Application, Contract, Convention, PrefectOpinion, Structure
from ..services.applications import gives_opinions_on
from .common import form_errors

# A validated convention "nears its end" (renewal offered first) within this many days.
RENEWAL_NOTICE_DAYS = 180


def renewal_due(convention, today=None):
    today = today or timezone.localdate()
    return convention.end - today <= datetime.timedelta(days=RENEWAL_NOTICE_DAYS)


def _run(request, form, call, success, *, renamed=None):
    """Validates ``form`` and runs ``call(data)``; returns True once done (message shown),
    False when the form or the service refused (errors on the form)."""
    if not form.is_valid():
        form_errors(request)
        return False
    try:
        call(form.cleaned_data)
    except services.NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except services.WorkflowError as error:
        add_workflow_error(form, error, renamed)
        form_errors(request)
        return False
    messages.success(request, success)
    return True


def _page(request, form, *, title, lead, submit, back, **extra):
    return render(request, "advisors/action_form.html", {
        "form": form, "title": title, "lead": lead, "submit": submit, "back": back, **extra})


@login_required
def convention_start(request, pk):
    """"Engager la convention": the initial convention, in progress until ANCT validates."""
    structure = get_object_or_404(Structure.objects.editable_by(request.user), pk=pk)
    form = ConventionForm(request.POST or None)
    back = reverse("advisors:structure", args=[structure.pk]) + "#conventions"
    if request.method == "POST" and _run(
        request, form,
        lambda data: services.start_convention(structure, request.user, start=data["start"],
                                               end=data["end"], posts=data["posts"]),
        "La convention est engagée (en cours) : l'ANCT la validera.",
    ):
        return redirect(back)
    return _page(request, form, title="Engager la convention",
                 lead=f"Convention initiale de « {structure.name} ».",
                 submit="Engager la convention", back=back)


@login_required
def convention_detail(request, pk):
    """A convention: status, its renewal and amendments, and what the manager may do."""
    convention = get_object_or_404(
        Convention.objects.visible_to(request.user).select_related("structure", "previous"),
        pk=pk)
    can_edit = permissions.can_edit(request.user, convention)
    renewal = Convention.objects.filter(previous=convention).first()
    validated = convention.status == Convention.Status.VALIDATED
    amendments = convention.amendments.select_related("opinion")
    ended = convention.end < timezone.localdate()
    return render(request, "advisors/convention.html", {
        "ended": ended,
        "convention": convention, "structure": convention.structure, "renewal": renewal,
        "amendments": amendments, "can_edit": can_edit,
        "can_renew": can_edit and validated and renewal is None,
        "renewal_due": validated and renewal is None and renewal_due(convention),
        "can_decline": (can_edit and convention.kind == Convention.Kind.RENEWAL
                        and convention.status == Convention.Status.INITIATED),
        "can_decline_renewal": (can_edit and renewal is not None
                                and renewal.status == Convention.Status.INITIATED),
        "can_amend": (can_edit and validated and not ended and not amendments.filter(
            status__in=Amendment.PENDING_STATUSES).exists()),
    })


@login_required
def renewal_start(request, pk):
    """"Engager le reconventionnement" of a validated convention."""
    convention = get_object_or_404(Convention.objects.editable_by(request.user), pk=pk)
    form = ConventionForm(request.POST or None, initial={
        "start": convention.end + datetime.timedelta(days=1), "posts": convention.posts})
    back = reverse("advisors:convention", args=[convention.pk])
    if request.method == "POST" and _run(
        request, form,
        lambda data: services.start_renewal(convention, request.user, start=data["start"],
                                            end=data["end"], posts=data["posts"]),
        "Le reconventionnement est initié : l'ANCT le validera.",
    ):
        return redirect(back)
    return _page(request, form, title="Engager le reconventionnement",
                 lead=f"{convention} — la nouvelle convention prend sa suite.",
                 submit="Engager le reconventionnement", back=back)


@login_required
def renewal_decline(request, pk):
    """The structure is not interested in the renewal it was offered (with its reason)."""
    renewal = get_object_or_404(Convention.objects.editable_by(request.user), pk=pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "Pourquoi la structure ne renouvelle-t-elle pas ?"
    back = reverse("advisors:convention", args=[renewal.pk])
    if request.method == "POST" and _run(
        request, form,
        lambda data: services.renewal_not_interested(renewal, request.user, data["reason"]),
        "Votre réponse est enregistrée : la structure ne renouvelle pas sa convention.",
    ):
        return redirect(back)
    return _page(request, form, title="Ne pas renouveler la convention", lead=str(renewal),
                 submit="Confirmer : non intéressée", back=back)


@login_required
def amendment_request(request, pk):
    """"Demander un avenant": add posts (préfet's opinion, then ANCT) or withdraw posts."""
    convention = get_object_or_404(
        Convention.objects.editable_by(request.user).select_related("structure"), pk=pk)
    form = AmendmentForm(request.POST or None)
    back = reverse("advisors:convention", args=[convention.pk])
    if request.method == "POST" and _run(
        request, form,
        lambda data: services.request_amendment(convention, request.user, kind=data["kind"],
                                                posts=data["posts"], reason=data["reason"]),
        "L'avenant est demandé : un ajout de postes attend l'avis du préfet, puis la "
        "décision de l'ANCT ; un retrait, la décision de l'ANCT.",
    ):
        return redirect(back)
    return _page(request, form, title="Demander un avenant", lead=str(convention),
                 submit="Demander l'avenant", back=back)


def _can_give_opinion(user, amendment):
    return (amendment.status == Amendment.Status.PENDING_OPINION
            and gives_opinions_on(permissions.prefect_assignment(user), amendment.structure)
            and not PrefectOpinion.objects.filter(amendment=amendment).exists())


@login_required
def amendment_detail(request, pk):
    """An amendment: status, the préfet's opinion (given here, as for an application) and
    ANCT's decision."""
    amendment = get_object_or_404(
        Amendment.objects.visible_to(request.user).select_related(
            "convention__structure__commune__department"), pk=pk)
    can_give = _can_give_opinion(request.user, amendment)
    form = OpinionForm(request.POST or None) if can_give else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Vous ne pouvez pas donner d'avis sur cet avenant.")
        if _run(request, form,
                lambda data: services.give_opinion(amendment, request.user, data["verdict"],
                                                   data["comment"]),
                f"Votre avis sur l'avenant de « {amendment.structure.name} » est "
                "enregistré."):
            return redirect("advisors:amendment", amendment.pk)
    opinion = PrefectOpinion.objects.visible_to(request.user).filter(
        amendment=amendment).select_related("author").first()
    return render(request, "advisors/amendment.html", {
        "amendment": amendment, "convention": amendment.convention,
        "structure": amendment.structure, "opinion": opinion, "form": form,
        "can_see_convention": permissions.can_see(request.user, amendment.convention),
    })


@login_required
def extension_request(request, pk):
    """"Demander une prolongation" of a validated fixed-term contract."""
    contract = get_object_or_404(
        Contract.objects.editable_by(request.user).select_related("advisor", "structure"),
        pk=pk)
    form = ExtensionForm(request.POST or None)
    back = reverse("advisors:structure", args=[contract.structure_id]) + "#contrats"
    if request.method == "POST" and _run(
        request, form,
        lambda data: services.request_extension(contract, request.user, data["new_end"]),
        f"La demande de prolongation du contrat de {contract.advisor.full_name} est "
        "transmise à l'ANCT.", renamed={"new_end": "new_end"},
    ):
        return redirect(back)
    end = f" au {long_date(contract.end)}" if contract.end else ""
    return _page(request, form, title="Demander une prolongation de contrat",
                 lead=(f"{contract.get_kind_display()} de {contract.advisor.full_name} — "
                       f"{contract.structure.name}, du {long_date(contract.start)}{end}."),
                 submit="Demander la prolongation", back=back)


@login_required
def application_status(request, pk):
    """Abandon (or, for ANCT, cancel) an application: only the moves
    ``services.allowed_transitions`` offers this person, with a reason."""
    application = get_object_or_404(
        Application.objects.editable_by(request.user).select_related("structure"), pk=pk)
    allowed = services.allowed_transitions(application, request.user)
    back = reverse("advisors:application", args=[application.pk])
    if not allowed:
        messages.error(request, f"Cette candidature « {application.get_status_display()} » "
                                "ne peut plus changer de statut.")
        return redirect(back)
    form = TransitionForm(request.POST or None, allowed=allowed,
                          initial={"to_status": allowed[0]} if len(allowed) == 1 else None)
    if request.method == "POST" and _run(
        request, form,
        lambda data: services.transition(application, data["to_status"], request.user,
                                         data["reason"]),
        "Le statut de la candidature est modifié.",
    ):
        return redirect(back)
    return _page(request, form, title="Changer le statut de la candidature",
                 lead=(f"Candidature de « {application.structure.name} » déposée le "
                       f"{long_date(application.created_at)}, "
                       f"« {application.get_status_display().lower()} »."),
                 submit="Confirmer le changement", back=back)


def amendments_awaiting_opinion_of(user):
    """Amendments adding posts that wait for this préfet's opinion (the service's rule:
    the département's structures, régions excepted; the regional préfet for a région)."""
    scope = permissions.scope_of(user)
    pending = Amendment.objects.visible_to(user).filter(
        status=Amendment.Status.PENDING_OPINION, opinion__isnull=True)
    region = Structure.Kind.REGION
    if scope.department_id:
        return pending.filter(
            convention__structure__commune__department_id=scope.department_id,
        ).exclude(convention__structure__kind=region)
    if scope.region_id:
        return pending.filter(
            convention__structure__kind=region,
            convention__structure__commune__department__region_id=scope.region_id)
    return pending.none()
