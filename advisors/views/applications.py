"""Applications as the préfet sees them (list of the territory, opinion), and the detail
page shared with the structure's managers (status and history)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from .. import permissions, services
from ..forms import ApplicationFilterForm, OpinionForm, add_workflow_error
from ..models import Application, PrefectOpinion
from .common import form_errors, paginate
from .conventions import amendments_awaiting_opinion_of


def _can_give_opinion(user, application):
    """The préfet of the structure's département (the regional préfet for a région), on an
    open application without opinion: the service's own rule decides who."""
    from ..services.applications import gives_opinions_on

    return (application.is_open
            and gives_opinions_on(permissions.prefect_assignment(user), application.structure)
            and not PrefectOpinion.objects.filter(application=application).exists())


@login_required
def prefect_applications(request):
    """The applications of the préfet's territory, filtered by status or "sans avis"."""
    scope = permissions.scope_of(request.user)
    if not (scope.is_prefect or scope.is_admin):
        raise PermissionDenied("Cette page est réservée aux préfets.")
    applications = Application.objects.visible_to(request.user)
    territory = scope.territory("structure__commune")
    if territory is not None:
        applications = applications.filter(territory)
    form = ApplicationFilterForm(request.GET or None)
    applications = form.filter(applications).select_related(
        "structure__commune", "opinion")
    return render(request, "advisors/prefect_applications.html", {
        "form": form,
        "applications": paginate(request, applications),
        "awaiting": Application.objects.awaiting_opinion_of(request.user).count(),
        "amendments": amendments_awaiting_opinion_of(request.user).select_related(
            "convention__structure__commune"),
        "assignment": permissions.prefect_assignment(request.user),
    })


@login_required
def application_detail(request, pk):
    """Status, history and the préfet's opinion; the préfet of the département gives it
    here."""
    application = get_object_or_404(
        Application.objects.visible_to(request.user).select_related(
            "structure__commune__department"), pk=pk)
    can_give = _can_give_opinion(request.user, application)
    form = OpinionForm(request.POST or None) if can_give else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Vous ne pouvez pas donner d'avis sur cette candidature.")
        if form.is_valid():
            try:
                services.give_opinion(application, request.user, form.cleaned_data["verdict"],
                                      form.cleaned_data["comment"])
            except services.NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except services.WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(request, f"Votre avis sur la candidature de "
                                          f"« {application.structure.name} » est enregistré.")
                return redirect("advisors:application", application.pk)
        form_errors(request)
    opinion = PrefectOpinion.objects.visible_to(request.user).filter(
        application=application).select_related("author").first()
    return render(request, "advisors/application.html", {
        "application": application,
        "structure": application.structure,
        "events": paginate(request, application.events.select_related("actor"), "historique",
                           20),
        "opinion": opinion,
        "form": form,
        "can_see_structure": permissions.can_see(request.user, application.structure),
        "transitions": (services.allowed_transitions(application, request.user)
                        if permissions.can_edit(request.user, application) else []),
    })
