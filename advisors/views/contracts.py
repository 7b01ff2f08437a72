"""Structure managers: "Déclarer un recrutement" (the advisor and the contract), ask for a
rupture or an extension; ANCT decides in the back office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from calendars.dates import long_date

from .. import services
from ..forms import ContractForm, ExtensionForm, RuptureForm
from ..models import Contract, Structure
from ..models.people import euros, minimum_monthly_salary
from .calls import perform
from .common import action_page


def _editable_contract(request, pk):
    return get_object_or_404(
        Contract.objects.editable_by(request.user).select_related("advisor", "structure"),
        pk=pk)


def _not_open(request, contract, message):
    """An ended (or already ruptured) contract: back to the structure's contracts."""
    messages.info(request, message)
    return redirect(reverse("advisors:structure", args=[contract.structure_id]) + "#contrats")


@login_required
def contract_create(request, pk):
    """"Déclarer un recrutement": the advisor's identity and the contract."""
    structure = get_object_or_404(
        Structure.objects.editable_by(request.user).with_posts(), pk=pk)
    form = ContractForm(request.POST or None)
    if perform(request, form,
               lambda data: services.submit_contract(structure, form.advisor_data(),
                                                     request.user, **form.contract_data()),
               lambda contract: (f"Le contrat de {contract.advisor.full_name} est "
                                 "enregistré : il attend la validation de l'ANCT.")):
        return redirect("advisors:structure", structure.pk)
    return render(request, "advisors/contract_form.html", {
        "structure": structure, "form": form,
        "salary_hint": f"Minimum légal : {euros(minimum_monthly_salary())} brut par mois.",
    })


@login_required
def rupture(request, pk):
    """Ask ANCT to end a validated contract early."""
    contract = _editable_contract(request, pk)
    if not contract.may_be_broken_off():
        return _not_open(request, contract, "Ce contrat ne peut plus faire l'objet d'une "
                                            "demande de rupture.")
    form = RuptureForm(request.POST or None)
    if perform(request, form,
               lambda data: services.request_rupture(contract, request.user,
                                                     reason=data["reason"], date=data["date"]),
               f"La demande de rupture du contrat de {contract.advisor.full_name} est "
               "transmise à l'ANCT.",
               renamed={"rupture_date": "date", "rupture_reason": "reason"}):
        return redirect("advisors:structure", contract.structure_id)
    return render(request, "advisors/rupture_form.html", {"contract": contract, "form": form})


@login_required
def extension_request(request, pk):
    """"Demander une prolongation" of a validated fixed-term contract."""
    contract = _editable_contract(request, pk)
    if contract.end is None and contract.may_be_broken_off():
        # A running CDI: a GET goes back with the reason; a POST gets the service's
        # refusal ("Un CDI n'a pas de date de fin à prolonger.") on the page.
        if request.method != "POST":
            return _not_open(request, contract, "Un CDI n'a pas de date de fin à prolonger.")
    elif not contract.may_be_extended():
        return _not_open(request, contract, "Ce contrat ne peut plus faire l'objet d'une "
                                            "demande de prolongation.")
    form = ExtensionForm(request.POST or None)
    back = reverse("advisors:structure", args=[contract.structure_id]) + "#contrats"
    if perform(request, form,
               lambda data: services.request_extension(contract, request.user,
                                                       data["new_end"]),
               f"La demande de prolongation du contrat de {contract.advisor.full_name} est "
               "transmise à l'ANCT."):
        return redirect(back)
    end = f" au {long_date(contract.end)}" if contract.end else ""
    return action_page(request, form, title="Demander une prolongation de contrat",
                       lead=(f"{contract.get_kind_display()} de {contract.advisor.full_name}"
                             f" — {contract.structure.name}, du {long_date(contract.start)}"
                             f"{end}."),
                       submit="Demander la prolongation", back=back)
