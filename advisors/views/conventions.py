"""Structure managers: start the convention, its renewal (or decline it), amendments adding
or withdrawing posts. Préfets: the opinion on an amendment adding posts. Each page fetches
its object through ``editable_by`` or ``visible_to`` (another party's object answers 404),
then one call to ``advisors.services`` through ``perform``; a refusal is shown on the form,
nothing typed is lost."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from .. import permissions, services
from ..forms import AmendmentForm, ConventionForm, ReasonForm
from ..models import Amendment, Convention, Structure
from .calls import perform
from .common import action_page
from .opinions import opinion_on


def _period(request, form, back, start, success, **page):
    """The page of a convention's period (initial or renewal): ``start`` is the service."""
    if perform(request, form, lambda data: start(
            request.user, start=data["start"], end=data["end"], posts=data["posts"]), success):
        return redirect(back)
    return action_page(request, form, back=back, **page)


@login_required
def convention_start(request, pk):
    """"Engager la convention": the initial convention, in progress until ANCT validates."""
    structure = get_object_or_404(Structure.objects.editable_by(request.user), pk=pk)
    return _period(
        request, ConventionForm(request.POST or None),
        reverse("advisors:structure", args=[structure.pk]) + "#conventions",
        lambda actor, **period: services.start_convention(structure, actor, **period),
        "La convention est engagée (en cours) : l'ANCT la validera.",
        title="Engager la convention", lead=f"Convention initiale de « {structure.name} ».",
        submit="Engager la convention")


@login_required
def convention_detail(request, pk):
    """A convention: status, its renewal and amendments, and what the manager may do."""
    convention = get_object_or_404(
        Convention.objects.visible_to(request.user).select_related("structure", "previous"),
        pk=pk)
    can_edit = permissions.can_edit(request.user, convention)
    renewal = Convention.objects.filter(previous=convention).first()
    convention.renewed = renewal is not None
    return render(request, "advisors/convention.html", {
        "ended": convention.has_ended,
        "convention": convention, "structure": convention.structure, "renewal": renewal,
        "amendments": convention.amendments.select_related("opinion"), "can_edit": can_edit,
        "can_renew": can_edit and convention.may_be_renewed,
        "can_decline": can_edit and convention.may_be_declined,
        "can_decline_renewal": can_edit and renewal is not None and renewal.may_be_declined,
        "can_amend": can_edit and convention.may_be_amended(),
    })


@login_required
def renewal_start(request, pk):
    """"Engager le reconventionnement" of a validated convention."""
    convention = get_object_or_404(Convention.objects.editable_by(request.user), pk=pk)
    return _period(
        request, ConventionForm(request.POST or None, initial={
            "start": convention.end + datetime.timedelta(days=1), "posts": convention.posts}),
        reverse("advisors:convention", args=[convention.pk]),
        lambda actor, **period: services.start_renewal(convention, actor, **period),
        "Le reconventionnement est initié : l'ANCT le validera.",
        title="Engager le reconventionnement",
        lead=f"{convention} — la nouvelle convention prend sa suite.",
        submit="Engager le reconventionnement")


@login_required
def renewal_decline(request, pk):
    """The structure is not interested in the renewal it was offered (with its reason)."""
    renewal = get_object_or_404(Convention.objects.editable_by(request.user), pk=pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "Pourquoi la structure ne renouvelle-t-elle pas ?"
    back = reverse("advisors:convention", args=[renewal.pk])
    if perform(request, form,
               lambda data: services.renewal_not_interested(renewal, request.user,
                                                            data["reason"]),
               "Votre réponse est enregistrée : la structure ne renouvelle pas sa "
               "convention."):
        return redirect(back)
    return action_page(request, form, title="Ne pas renouveler la convention",
                       lead=str(renewal), submit="Confirmer : non intéressée", back=back)


@login_required
def amendment_request(request, pk):
    """"Demander un avenant": add posts (préfet's opinion, then ANCT) or withdraw posts."""
    convention = get_object_or_404(
        Convention.objects.editable_by(request.user).select_related("structure"), pk=pk)
    form = AmendmentForm(request.POST or None)
    back = reverse("advisors:convention", args=[convention.pk])
    if perform(request, form,
               lambda data: services.request_amendment(
                   convention, request.user, kind=data["kind"], posts=data["posts"],
                   reason=data["reason"]),
               "L'avenant est demandé : un ajout de postes attend l'avis du préfet, puis la "
               "décision de l'ANCT ; un retrait, la décision de l'ANCT."):
        return redirect(back)
    return action_page(request, form, title="Demander un avenant", lead=str(convention),
                       submit="Demander l'avenant", back=back)


@login_required
def amendment_detail(request, pk):
    """An amendment: status, the préfet's opinion (given here, as for an application) and
    ANCT's decision."""
    amendment = get_object_or_404(
        Amendment.objects.visible_to(request.user).select_related(
            "convention__structure__commune__department"), pk=pk)
    form, done, opinion = opinion_on(request, amendment)
    if done:
        return redirect("advisors:amendment", amendment.pk)
    return render(request, "advisors/amendment.html", {
        "amendment": amendment, "convention": amendment.convention,
        "structure": amendment.structure, "opinion": opinion, "form": form,
        "can_see_convention": permissions.can_see(request.user, amendment.convention),
    })
