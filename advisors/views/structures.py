"""Structure managers: apply for posts, follow the structure, record contracts, ruptures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from .. import permissions, services, sirene
from ..forms import ApplicationForm, ContractForm, RuptureForm, add_workflow_error
from ..models import Advisor, Contract, Convention, Structure
from ..models.people import euros, minimum_monthly_salary
from ..validators import normalize_siret, validate_siret
from .common import form_errors, paginate
from .conventions import renewal_due


@login_required
def apply(request):
    """"Candidater": a new structure (or one the person already manages, same SIRET)
    applies for posts."""
    form = ApplicationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            existing = Structure.objects.editable_by(request.user).filter(
                siret=data["siret"]).first()
            try:
                application = services.apply(
                    existing or form.structure_data(), request.user,
                    posts_requested=data["posts_requested"], motivation=data["motivation"],
                    desired_start=data["desired_start"])
            except services.NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except services.WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(
                    request,
                    f"La candidature de « {application.structure.name} » est déposée. Le préfet "
                    "de votre département donnera son avis, puis le comité de sélection de "
                    "l'ANCT décidera.")
                return redirect("advisors:structure", application.structure_id)
        form_errors(request)
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
def my_structures(request):
    """"Ma structure": the one structure the person manages, or the list of them."""
    structures = Structure.objects.editable_by(request.user).select_related("commune")
    if request.GET.get("page") is None and structures.count() == 1:
        return redirect("advisors:structure", structures.get().pk)
    return render(request, "advisors/my_structures.html",
                  {"structures": paginate(request, structures)})


@login_required
def structure_detail(request, pk):
    structure = get_object_or_404(
        Structure.objects.visible_to(request.user).with_posts().select_related(
            "commune__department"), pk=pk)
    contracts = (Contract.objects.visible_to(request.user).filter(structure=structure)
                 .select_related("advisor").prefetch_related("extensions"))
    can_edit = permissions.can_edit(request.user, structure)
    conventions = paginate(request, structure.conventions.annotate(
        renewed=Exists(Convention.objects.filter(previous=OuterRef("pk")))).order_by(
        "-start", "-pk"), "conventions", 10)
    for convention in conventions:
        convention.renewal_due = (convention.status == Convention.Status.VALIDATED
                                  and not convention.renewed and renewal_due(convention))
    validated = structure.applications.validated().exists()
    return render(request, "advisors/structure.html", {
        "structure": structure,
        # granted = in post (validated contracts) + awaiting validation + vacant, never < 0
        "in_post": structure.occupied_posts - structure.pending_posts,
        "vacant": max(structure.vacant_posts, 0),
        "can_edit": can_edit,
        "applications": paginate(request, structure.applications.select_related("opinion"),
                                 "candidatures", 10),
        "conventions": conventions,
        "can_start_convention": (can_edit and validated and not structure.conventions.filter(
            kind=Convention.Kind.INITIAL).exists()),
        "contracts": paginate(request, contracts, "contrats", 20),
        "advisors": paginate(request, Advisor.objects.employed_by(structure), "conseillers",
                             20),
        "can_recruit": validated,
    })


@login_required
def contract_create(request, pk):
    """"Déclarer un recrutement": the advisor's identity and the contract."""
    structure = get_object_or_404(
        Structure.objects.editable_by(request.user).with_posts(), pk=pk)
    form = ContractForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                contract = services.submit_contract(structure, form.advisor_data(),
                                                    request.user, **form.contract_data())
            except services.NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except services.WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(
                    request,
                    f"Le contrat de {contract.advisor.full_name} est enregistré : il attend la "
                    "validation de l'ANCT.")
                return redirect("advisors:structure", structure.pk)
        form_errors(request)
    return render(request, "advisors/contract_form.html", {
        "structure": structure, "form": form,
        "minimum_salary": euros(minimum_monthly_salary()),
    })


@login_required
def rupture(request, pk):
    """Ask ANCT to end a validated contract early."""
    contract = get_object_or_404(
        Contract.objects.editable_by(request.user).select_related("advisor", "structure"),
        pk=pk)
    form = RuptureForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.request_rupture(contract, request.user,
                                         reason=form.cleaned_data["reason"],
                                         date=form.cleaned_data["date"])
            except services.NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except services.WorkflowError as error:
                add_workflow_error(form, error, {"rupture_date": "date",
                                                 "rupture_reason": "reason"})
            else:
                messages.success(request, f"La demande de rupture du contrat de "
                                          f"{contract.advisor.full_name} est transmise à l'ANCT.")
                return redirect("advisors:structure", contract.structure_id)
        form_errors(request)
    return render(request, "advisors/rupture_form.html", {"contract": contract, "form": form})
