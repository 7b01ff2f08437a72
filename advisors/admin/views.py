"""Actions of ANCT administrators in the back office. Each view is thin: a form, one call to
``advisors.services`` (which checks the right and the rules) through ``perform``, a message.
A refusal (``WorkflowError``) is shown as is, its message being French: next to the field
it names and on top of the page; ``NotAllowed`` is a 403."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from wagtail.admin.widgets import AdminDateInput

from calendars.dates import long_date

from .. import services
from ..bounds import SALARY_CONFIRMATION_ABOVE
from ..forms import TransitionForm
from ..models import (
    Amendment,
    Application,
    Contract,
    ContractExtension,
    Convention,
    PrefectOpinion,
)
from ..models.applications import MAX_POSTS_REQUESTED
from ..models.people import euros
from ..views.calls import Performer
from .policy import is_anct_admin

S = Application.Status


def _require_admin(request):
    if not is_anct_admin(request.user):
        raise PermissionDenied


class AdminPerformer(Performer):
    """``advisors.views.calls.perform`` with the back office's notices: the form's errors
    are shown by the admin's own templates, a refusal's message on top of the page."""

    def invalid(self, request, form):
        pass

    def refused(self, request, error, form):
        messages.error(request, error.message)


perform = AdminPerformer()


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
    more_posts_confirmed = forms.BooleanField(
        label="Je confirme attribuer plus de postes que la structure n'en a demandé",
        required=False,
        help_text="Nécessaire seulement si les postes attribués dépassent la demande ; "
                  "l'historique et le courriel à la structure le mentionnent.")
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
    if perform(request, form,
               lambda data: services.decide(
                   application, request.user, data["outcome"],
                   posts_granted=data["posts_granted"],
                   decision_number=data["decision_number"], decided_on=data["decided_on"],
                   reason=data["reason"], more_posts_confirmed=data["more_posts_confirmed"]),
               lambda _: (f"Décision enregistrée : candidature "
                          f"« {application.get_status_display().lower()} ».")):
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


class SalaryConfirmationForm(forms.Form):
    """Validating a contract whose salary exceeds the bound: ANCT confirms the amount."""

    salary_confirmed = forms.BooleanField(
        label="Je confirme ce salaire brut mensuel", required=False,
        help_text=f"Le salaire dépasse {euros(SALARY_CONFIRMATION_ABOVE)} par mois : "
                  "vérifiez qu'il ne s'agit pas d'un montant annuel ou d'une erreur de saisie.")


# action slug → (label, service call, success message, needs a reason)
CONTRACT_ACTIONS = {
    "valider": ("Valider le recrutement",
                lambda contract, user, data: services.validate_contract(
                    contract, user, salary_confirmed=data.get("salary_confirmed", False)),
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
    if action == "valider" and contract.monthly_gross_salary > SALARY_CONFIRMATION_ABOVE:
        form = SalaryConfirmationForm(request.POST or None)
    if perform(request, form, lambda data: call(contract, request.user, data), success) \
            or (request.method == "POST" and form is None):
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


# --- shared: one action page -----------------------------------------------------------------
def _action_page(request, *, form, label, icon, subject, summary, back_url, back_label,
                 index_url, index_label):
    """The page of an action: what it applies to, its form (or a confirmation), a way
    back."""
    return render(request, "advisors/admin/action.html", {
        "form": form, "label": label, "summary": summary, "back_url": back_url,
        "back_label": back_label, "page_title": label, "header_icon": icon,
        "page_subtitle": str(subject),
        "breadcrumbs_items": [
            {"url": index_url, "label": index_label},
            {"url": back_url, "label": str(subject)},
            {"url": "", "label": label},
        ],
    })


# --- application status: cancelled, duplicate -----------------------------------------------
def transition_application(request, pk):
    """Mark an application cancelled, duplicate or abandoned: the moves
    ``services.allowed_transitions`` offers ANCT, with a reason."""
    _require_admin(request)
    application = get_object_or_404(
        Application.objects.visible_to(request.user).select_related("structure"), pk=pk)
    inspect_url = reverse("advisors_applications:inspect", args=[application.pk])
    allowed = services.allowed_transitions(application, request.user)
    if not allowed:
        messages.error(request, f"Une candidature « {application.get_status_display()} » ne "
                                "peut plus changer de statut.")
        return redirect(inspect_url)
    form = TransitionForm(request.POST or None, allowed=allowed)
    if perform(request, form,
                lambda data: services.transition(application, data["to_status"], request.user,
                                                 data["reason"]),
                "Statut de la candidature modifié."):
        return redirect(inspect_url)
    return _action_page(
        request, form=form, label="Changer le statut de la candidature", icon="form",
        subject=application, back_url=inspect_url, back_label="Revenir à la candidature",
        summary=[f"Statut actuel : {application.get_status_display()}.",
                 f"{application.posts_requested} poste(s) demandé(s)."],
        index_url=reverse("advisors_applications:index"), index_label="Candidatures")


# --- conventions ----------------------------------------------------------------------------
def validate_convention(request, pk):
    """ANCT validates a convention in progress or an initiated renewal."""
    _require_admin(request)
    convention = get_object_or_404(
        Convention.objects.visible_to(request.user).select_related("structure"), pk=pk)
    inspect_url = reverse("advisors_conventions:inspect", args=[convention.pk])
    if request.method == "POST":
        perform(request, None,
                 lambda data: services.validate_convention(convention, request.user),
                 "Convention validée.")
        return redirect(inspect_url)
    return _action_page(
        request, form=None, label="Valider la convention", icon="doc-full",
        subject=convention, back_url=inspect_url, back_label="Revenir à la convention",
        summary=[f"Statut actuel : {convention.get_status_display()}.",
                 f"{convention.posts} poste(s) conventionné(s), du {long_date(convention.start)}"
                 f" au {long_date(convention.end)}."],
        index_url=reverse("advisors_conventions:index"), index_label="Conventions")


class RenewalForm(forms.Form):
    start = forms.DateField(label="Début du reconventionnement", widget=AdminDateInput)
    end = forms.DateField(label="Fin du reconventionnement", widget=AdminDateInput)
    posts = forms.IntegerField(label="Postes conventionnés", required=False, min_value=1,
                               help_text="Les postes attribués à la structure si vide.")


def initiate_renewal(request, pk):
    """ANCT initiates the renewal of a validated convention: the structure then declines it
    ("non intéressée") or ANCT validates it."""
    _require_admin(request)
    convention = get_object_or_404(
        Convention.objects.visible_to(request.user).select_related("structure"), pk=pk)
    inspect_url = reverse("advisors_conventions:inspect", args=[convention.pk])
    form = RenewalForm(request.POST or None, initial={
        "start": convention.end, "posts": convention.posts})
    if perform(request, form,
                lambda data: services.start_renewal(convention, request.user,
                                                    start=data["start"], end=data["end"],
                                                    posts=data["posts"]),
                "Reconventionnement initié : la structure peut le décliner, l'ANCT le "
                "valider."):
        return redirect(inspect_url)
    return _action_page(
        request, form=form, label="Initier le reconventionnement", icon="doc-full",
        subject=convention, back_url=inspect_url, back_label="Revenir à la convention",
        summary=[f"Statut actuel : {convention.get_status_display()}.",
                 f"{convention.posts} poste(s) conventionné(s), du {long_date(convention.start)}"
                 f" au {long_date(convention.end)}."],
        index_url=reverse("advisors_conventions:index"), index_label="Conventions")


# --- amendments -----------------------------------------------------------------------------
class AmendmentDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Décision", widget=forms.RadioSelect,
        choices=[(Amendment.Status.VALIDATED, "Validé"), (Amendment.Status.REFUSED, "Refusé")],
        error_messages={"required": "Choisissez « validé » ou « refusé »."})
    comment = forms.CharField(label="Commentaire", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


def decide_amendment(request, pk):
    """ANCT validates or refuses an amendment (after the préfet's opinion for additions)."""
    _require_admin(request)
    amendment = get_object_or_404(
        Amendment.objects.visible_to(request.user).select_related("convention__structure"),
        pk=pk)
    inspect_url = reverse("advisors_amendments:inspect", args=[amendment.pk])
    form = AmendmentDecisionForm(request.POST or None)
    if perform(request, form,
                lambda data: services.decide_amendment(amendment, request.user,
                                                       data["outcome"], data["comment"]),
                "Décision enregistrée sur l'avenant."):
        return redirect(inspect_url)
    opinion = PrefectOpinion.objects.filter(amendment=amendment).first()
    summary = [f"{amendment.get_kind_display()} : {amendment.posts} poste(s). "
               f"Statut : {amendment.get_status_display()}.",
               f"Motif : {amendment.reason}"]
    if amendment.kind == Amendment.Kind.ADD:
        summary.append(f"Avis du préfet : {opinion.get_verdict_display().lower()} — "
                       f"{opinion.comment}" if opinion
                       else "Le préfet n'a pas encore donné son avis.")
    return _action_page(
        request, form=form, label="Décider de l'avenant", icon="doc-full", subject=amendment,
        back_url=inspect_url, back_label="Revenir à l'avenant", summary=summary,
        index_url=reverse("advisors_amendments:index"), index_label="Avenants")


# --- contract extensions --------------------------------------------------------------------
class ExtensionDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Décision", widget=forms.RadioSelect,
                                choices=[("validated", "Validée"), ("refused", "Refusée")],
                                error_messages={"required": "Choisissez « validée » ou "
                                                            "« refusée »."})


def decide_extension(request, pk):
    """ANCT validates (the contract's end moves) or refuses a requested extension."""
    _require_admin(request)
    extension = get_object_or_404(
        ContractExtension.objects.visible_to(request.user).select_related(
            "contract__advisor", "contract__structure"), pk=pk)
    contract = extension.contract
    inspect_url = reverse("advisors_contracts:inspect", args=[contract.pk])
    form = ExtensionDecisionForm(request.POST or None)
    if perform(request, form,
                lambda data: services.decide_extension(extension, request.user,
                                                       data["outcome"] == "validated"),
                "Décision enregistrée sur la prolongation."):
        return redirect(inspect_url)
    return _action_page(
        request, form=form, label="Décider de la prolongation", icon="doc-full-inverse",
        subject=contract, back_url=inspect_url, back_label="Revenir au contrat",
        summary=[f"Fin actuelle : {long_date(contract.end)}." if contract.end else "CDI.",
                 f"Nouvelle fin demandée : {long_date(extension.new_end)} "
                 f"({extension.get_status_display().lower()})."],
        index_url=reverse("advisors_contracts:index"), index_label="Contrats")


# --- import -------------------------------------------------------------------------------
def import_file(request):
    from .importing import import_view

    _require_admin(request)
    return import_view(request)

