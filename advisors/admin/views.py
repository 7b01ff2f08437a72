"""Actions of ANCT administrators in the back office. Each view is thin: a form, one call to
``advisors.services`` (which checks the right and the rules), a message. A refusal
(``WorkflowError``) is shown as is: its message is French."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from wagtail.admin.widgets import AdminDateInput

from .. import services
from ..models import Application, Contract
from ..models.applications import MAX_POSTS_REQUESTED
from .policy import is_anct_admin

S = Application.Status


def _require_admin(request):
    if not is_anct_admin(request.user):
        raise PermissionDenied


def _show_refusal(request, error, form=None):
    """Puts the service's field errors on the form and its message on top of the page."""
    if form is not None:
        for field, field_messages in error.errors.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
    messages.error(request, error.message)


# --- committee decision -------------------------------------------------------------------
class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Décision du comité de sélection", widget=forms.RadioSelect,
        choices=[(S.VALIDATED, "Validée"), (S.REFUSED, "Refusée"),
                 (S.EXAMINATION, "En examen complémentaire")])
    posts_granted = forms.IntegerField(
        label="Postes attribués", required=False, min_value=1, max_value=MAX_POSTS_REQUESTED,
        help_text="Obligatoire pour une candidature validée ; peut différer de la demande.")
    decision_number = forms.CharField(label="Numéro de décision", max_length=50,
                                      required=False,
                                      help_text="Obligatoire pour une validation ou un refus.")
    decided_on = forms.DateField(label="Date de décision", required=False,
                                 widget=AdminDateInput, help_text="Aujourd'hui si vide.")
    reason = forms.CharField(label="Motif ou commentaire", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Transmis à la structure avec la décision.")


def decide_application(request, pk):
    _require_admin(request)
    application = get_object_or_404(
        Application.objects.visible_to(request.user).select_related("structure"), pk=pk)
    inspect_url = reverse("advisors_applications:inspect", args=[application.pk])
    form = DecisionForm(request.POST or None,
                        initial={"posts_granted": application.posts_requested})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide(application, request.user, data["outcome"],
                            posts_granted=data["posts_granted"],
                            decision_number=data["decision_number"],
                            decided_on=data["decided_on"], reason=data["reason"])
        except services.WorkflowError as error:
            _show_refusal(request, error, form)
        else:
            messages.success(request, f"Décision enregistrée : candidature "
                                      f"« {application.get_status_display().lower()} ».")
            return redirect(inspect_url)
    return render(request, "advisors/admin/decide_application.html", {
        "application": application, "form": form,
        "opinion": getattr(application, "opinion", None), "inspect_url": inspect_url,
        "page_title": "Décision du comité de sélection", "header_icon": "tick",
        "page_subtitle": str(application.structure),
        "breadcrumbs_items": [
            {"url": reverse("advisors_applications:index"), "label": "Candidatures"},
            {"url": inspect_url, "label": str(application)},
            {"url": "", "label": "Décision du comité"},
        ],
    })


# --- contracts ----------------------------------------------------------------------------
class RefusalForm(forms.Form):
    reason = forms.CharField(label="Motif du refus", widget=forms.Textarea(attrs={"rows": 3}))


# action slug → (label, service call, success message, needs a reason)
CONTRACT_ACTIONS = {
    "valider": ("Valider le recrutement",
                lambda contract, user, data: services.validate_contract(contract, user),
                "Recrutement validé.", False),
    "refuser": ("Refuser le recrutement",
                lambda contract, user, data: services.refuse_contract(contract, user,
                                                                      data["reason"]),
                "Recrutement refusé.", True),
    "valider-rupture": ("Valider la rupture",
                        lambda contract, user, data: services.validate_rupture(contract, user),
                        "Rupture validée : le poste est vacant à sa date d'effet.", False),
    "refuser-rupture": ("Refuser la rupture",
                        lambda contract, user, data: services.refuse_rupture(contract, user),
                        "Rupture refusée : le contrat continue.", False),
}


def contract_actions(contract, user):
    """The actions that apply to the contract now, as (slug, label, url, needs a reason)."""
    if not is_anct_admin(user):
        return []
    if contract.status == Contract.Status.SUBMITTED:
        slugs = ["valider", "refuser"]
    elif contract.rupture_status == Contract.Rupture.REQUESTED:
        slugs = ["valider-rupture", "refuser-rupture"]
    else:
        slugs = []
    return [(slug, CONTRACT_ACTIONS[slug][0],
             reverse("advisors_contracts:action", args=[contract.pk, slug]),
             CONTRACT_ACTIONS[slug][3]) for slug in slugs]


def contract_action(request, pk, action):
    _require_admin(request)
    if action not in CONTRACT_ACTIONS:
        raise PermissionDenied
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related("advisor", "structure"), pk=pk)
    label, call, success, needs_reason = CONTRACT_ACTIONS[action]
    inspect_url = reverse("advisors_contracts:inspect", args=[contract.pk])
    form = RefusalForm(request.POST or None) if needs_reason else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            call(contract, request.user, form.cleaned_data if form else {})
        except services.WorkflowError as error:
            _show_refusal(request, error, form)
            if form is None:
                return redirect(inspect_url)
        else:
            messages.success(request, success)
            return redirect(inspect_url)
    return render(request, "advisors/admin/contract_action.html", {
        "contract": contract, "form": form, "label": label, "inspect_url": inspect_url,
        "page_title": label, "header_icon": "doc-full-inverse",
        "page_subtitle": str(contract),
        "breadcrumbs_items": [
            {"url": reverse("advisors_contracts:index"), "label": "Contrats"},
            {"url": inspect_url, "label": str(contract)},
            {"url": "", "label": label},
        ],
    })


# --- import -------------------------------------------------------------------------------
def import_file(request):
    from .importing import import_view

    _require_admin(request)
    return import_view(request)

