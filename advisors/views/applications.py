"""Applications: "Candidater" (a structure applies for posts), the préfet's list of the
territory and their opinion, the detail page shared with the structure's managers (status
and history) and the status changes they may make."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from calendars.dates import long_date

from .. import fragments, permissions, services, sirene
from ..forms import ApplicationFilterForm, ApplicationForm, TransitionForm
from ..forms.applications import AppointCoordinatorForm, CoordinatorPostForm
from ..models import Advisor, Amendment, Application, Contract, Structure
from ..validators import normalize_siret, validate_siret
from .calls import perform
from .common import action_page, paginate
from .opinions import opinion_on


@login_required
def apply(request):
    """"Candidater": a new structure (or one the person already manages, same SIRET)
    applies for posts."""
    form = ApplicationForm(request.POST or None)

    def call(data):
        existing = Structure.objects.editable_by(request.user).filter(
            siret=data["siret"]).first()
        return services.apply(existing or form.structure_data(), request.user,
                              posts_requested=data["posts_requested"],
                              motivation=data["motivation"],
                              desired_start=data["desired_start"])

    done = perform(request, form, call, lambda application: (
        f"La candidature de « {application.structure.name} » est déposée. Le préfet de "
        "votre département donnera son avis, puis le comité de sélection de l'ANCT "
        "décidera."))
    if done:
        return redirect("advisors:structure", done.result.structure_id)
    return render(request, "advisors/apply.html", {"form": form})


@login_required
def siret_lookup(request):
    """What the business register says about a SIRET, for prefilling the application form
    (name, address, commune). Never an error page: an unreachable register says so."""
    siret = normalize_siret(request.GET.get("siret", ""))[:14]
    try:
        validate_siret(siret)
    except ValidationError as error:
        return JsonResponse({"status": "invalid", "message": error.messages[0]})
    found = sirene.lookup(siret)
    answer = {"status": found.status}
    if found.found:
        commune = found.commune()
        answer.update(name=found.name, address=found.address, active=found.active,
                      commune=commune.label if commune else "")
        state = "établissement en activité" if found.active else "établissement fermé"
        answer["message"] = f"Répertoire des entreprises : {found.name}, {state}."
    elif found.status == sirene.NOT_FOUND:
        answer["message"] = "Ce SIRET ne figure pas au répertoire des entreprises."
    else:
        answer["message"] = ""
    return JsonResponse(answer)


@login_required
def prefect_applications(request):
    """The applications of the préfet's territory, filtered by status or "sans avis"."""
    fragments.depend(request, "applications")
    scope = permissions.scope_of(request.user)
    if not (scope.is_prefect or scope.is_admin):
        raise PermissionDenied("Cette page est réservée aux préfets.")
    body = fragments.kept("prefect-applications", request.user, ["applications"],
                          sorted(request.GET.lists()),
                          lambda: _prefect_applications_body(request, scope))
    return render(request, "advisors/prefect_applications.html",
                  {"body": mark_safe(body)})  # noqa: S308 (our own template)


def _prefect_applications_body(request, scope):
    """The list, its filters and the amendments awaiting an opinion: rendered once per
    version of the applications, reader and query (``advisors.fragments``)."""
    applications = Application.objects.visible_to(request.user)
    territory = scope.territory("structure__commune")
    if territory is not None:
        applications = applications.filter(territory)
    form = ApplicationFilterForm(request.GET or None)
    applications = form.filter(applications).select_related(
        "structure__commune", "opinion")
    return render_to_string("advisors/includes/prefect_applications_body.html", {
        "form": form,
        "applications": paginate(request, applications),
        "awaiting": Application.objects.awaiting_opinion_of(request.user).count(),
        "amendments": Amendment.objects.awaiting_opinion_of(request.user).select_related(
            "convention__structure__commune"),
        "assignment": permissions.prefect_assignment(request.user),
    }, request=request)


@login_required
def application_detail(request, pk):
    """Status, history and the préfet's opinion; the préfet of the département gives it
    here."""
    application = get_object_or_404(
        Application.objects.visible_to(request.user).select_related(
            "structure__commune__department"), pk=pk)
    form, done, opinion = opinion_on(request, application)
    if done:
        return redirect("advisors:application", application.pk)
    coordinated = (application.coordinated_advisors.order_by("last_name", "first_name")
                   if application.is_coordinator_post else None)
    return render(request, "advisors/application.html", {
        "application": application,
        "coordinated": coordinated,
        "coordinator_contract": (application.coordinator_contract
                                 if application.coordinator_contract_id else None),
        "can_appoint": (application.is_coordinator_post
                        and application.status == Application.Status.VALIDATED
                        and permissions.can_edit(request.user, application)),
        "structure": application.structure,
        "events": paginate(request, application.events.select_related("actor"), "historique",
                           20),
        "opinion": opinion,
        "form": form,
        "can_see_structure": permissions.can_see(request.user, application.structure),
        "transitions": (services.allowed_transitions(application, request.user)
                        if permissions.can_edit(request.user, application) else []),
    })


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
    if perform(request, form,
               lambda data: services.transition(application, data["to_status"], request.user,
                                                data["reason"]),
               "Le statut de la candidature est modifié."):
        return redirect(back)
    return action_page(request, form, title="Changer le statut de la candidature",
                       lead=(f"Candidature de « {application.structure.name} » déposée le "
                             f"{long_date(application.created_at)}, "
                             f"« {application.get_status_display().lower()} »."),
                       submit="Confirmer le changement", back=back)


# --- coordinator posts ---------------------------------------------------------------------
@login_required
def coordinator_post_request(request, pk):
    """A structure's manager asks for a coordinator post and says what it covers."""
    structure = get_object_or_404(Structure.objects.editable_by(request.user), pk=pk)
    advisors = Advisor.objects.filter(
        pk__in=Contract.objects.editable_by(request.user).holding_posts()
        .values("advisor_id"))
    form = CoordinatorPostForm(request.POST or None, advisors=advisors)
    if not advisors.exists():
        form.fields["coordinated_advisors"].help_text = (
            "Vos structures n'ont encore recruté aucun conseiller : choisissez plutôt un "
            "département ou une région.")
    done = perform(request, form, lambda data: services.request_coordinator_post(
        structure, request.user, motivation=data["motivation"],
        desired_start=data["desired_start"], **form.scope_data()),
        "La demande de poste de coordinateur est déposée. Le préfet de votre département "
        "donnera son avis, puis le comité de sélection de l'ANCT décidera.")
    if done:
        return redirect("advisors:application", done.result.pk)
    return render(request, "advisors/coordinator_post_form.html", {
        "form": form, "title": "Demander un poste de coordinateur",
        "lead": (f"Pour « {structure.name} » : un coordinateur suit et accompagne des "
                 "conseillers numériques. Le préfet donne son avis, puis le comité de "
                 "sélection de l'ANCT décide ; une fois le poste accordé et le coordinateur "
                 "recruté, vous le désignez sur la page de la demande."),
        "submit": "Déposer la demande",
        "back": reverse("advisors:structure", args=[structure.pk])})


@login_required
def coordinator_appoint(request, pk):
    """Once the post is granted, the structure names the coordinator it recruited."""
    application = get_object_or_404(
        Application.objects.editable_by(request.user).coordinator_posts()
        .select_related("structure"), pk=pk)
    back = reverse("advisors:application", args=[application.pk])
    if application.status != Application.Status.VALIDATED:
        messages.error(request, "Le coordinateur se désigne une fois le poste accordé par le "
                                "comité de sélection.")
        return redirect(back)
    contracts = services.appointable_contracts(application)
    form = AppointCoordinatorForm(request.POST or None, contracts=contracts)
    if perform(request, form, lambda data: services.appoint_coordinator(
            application, request.user, data["contract"]),
            lambda result: (f"{result.coordinator_contract.advisor.full_name} est désigné "
                            "coordinateur : son espace montre les conseillers du périmètre.")):
        return redirect(back)
    lead = (f"Poste de coordinateur de « {application.structure.name} » — "
            f"{application.coordination_label()}.")
    if not contracts.exists():
        lead += (" Aucun contrat en cours ne peut être choisi : déclarez d'abord le "
                 "recrutement du coordinateur.")
    return action_page(request, form, title="Désigner le coordinateur", lead=lead,
                       submit="Désigner", back=back)
