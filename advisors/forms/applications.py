"""Applications: "Candidater" (structure managers), the préfet's list and opinion, and the
status changes a person may make (front end and back office alike)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from calendars.dates import long_date
from territories.models import Department, Region

from .. import bounds, sirene
from ..models import Advisor, Application, Contract, PrefectOpinion, Structure
from ..models.applications import (
    MAX_COORDINATED_ADVISORS,
    MAX_POSTS_REQUESTED,
    MOTIVATION_MAX_LENGTH,
    OPINION_COMMENT_MAX_LENGTH,
    OPINION_COMMENT_MIN_LENGTH,
)
from ..validators import normalize_phone, normalize_siret, validate_phone, validate_siret
from .common import DATE, REQUIRED, BaseForm, CommuneField


def motivation_field(rows):
    """The motivation of a request for posts (advisors or coordinator), with its counter."""
    return forms.CharField(
        label="Motivation", max_length=MOTIVATION_MAX_LENGTH,
        help_text=f"{MOTIVATION_MAX_LENGTH:,} caractères au maximum.".replace(",", " "),
        error_messages={"max_length": (
            f"La motivation doit comporter au plus {MOTIVATION_MAX_LENGTH:,} caractères "
            "(actuellement %(show_value)d).").replace(",", " ")},
        widget=forms.Textarea(attrs={"rows": rows, "data-counter": ""}))


class ApplicationForm(BaseForm):
    name = forms.CharField(label="Nom de la structure", max_length=255)
    siret = forms.CharField(label="SIRET", max_length=20,
                            help_text="14 chiffres, espaces acceptés.",
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "off"}))
    kind = forms.ChoiceField(label="Type de structure",
                             choices=[("", "Choisir un type")] + list(Structure.Kind.choices))
    address = forms.CharField(label="Adresse", max_length=255,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    commune = CommuneField()
    contact_first_name = forms.CharField(label="Prénom du contact", max_length=150,
                                         widget=forms.TextInput(
                                             attrs={"autocomplete": "given-name"}))
    contact_last_name = forms.CharField(label="Nom du contact", max_length=150,
                                        widget=forms.TextInput(
                                            attrs={"autocomplete": "family-name"}))
    contact_email = forms.EmailField(label="Courriel du contact",
                                     error_messages={"invalid": "Saisissez une adresse "
                                                     "électronique valide."},
                                     widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    contact_phone = forms.CharField(label="Téléphone du contact", max_length=20, required=False,
                                    validators=[validate_phone],
                                    widget=forms.TextInput(attrs={"type": "tel",
                                                                  "autocomplete": "tel"}))
    posts_requested = forms.IntegerField(
        label="Nombre de postes demandés", min_value=1, max_value=MAX_POSTS_REQUESTED,
        error_messages={
            "min_value": "Demandez au moins un poste.",
            "max_value": f"Vous pouvez demander au plus {MAX_POSTS_REQUESTED} postes.",
            "invalid": "Saisissez un nombre entier.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    motivation = motivation_field(rows=8)
    desired_start = forms.DateField(label="Date de démarrage souhaitée", widget=DATE)

    FIELDSETS = {
        "contact": ("contact_first_name", "contact_last_name", "contact_email",
                    "contact_phone"),
        "request": ("posts_requested", "motivation", "desired_start"),
    }
    # Filled from the business register when left empty (the SIRET says them).
    PREFILLED = ("name", "address", "commune")
    register = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.PREFILLED:
            self.fields[name].required = False
        self.fields["siret"].help_text = (
            "14 chiffres, espaces acceptés. Laissés vides, le nom et les coordonnées de la "
            "structure sont repris du répertoire des entreprises.")

    def clean_siret(self):
        siret = normalize_siret(self.cleaned_data["siret"])
        validate_siret(siret)
        # The register, when reachable, must know an active establishment; unreachable, the
        # form goes on (the Luhn key was checked above).
        self.register = sirene.lookup(siret)
        if self.register.status == sirene.NOT_FOUND:
            raise ValidationError(
                "Ce SIRET ne figure pas au répertoire des entreprises : vérifiez les chiffres "
                "saisis (avis de situation SIRENE de la structure).", code="siret_unknown")
        if self.register.found and not self.register.active:
            raise ValidationError(
                "Cet établissement est fermé d'après le répertoire des entreprises : indiquez "
                "le SIRET d'un établissement en activité.", code="siret_closed")
        return siret

    def clean(self):
        data = super().clean()
        found = self.register if self.register is not None and self.register.found else None
        if found is not None:
            prefill = {"name": found.name, "address": found.address,
                       "commune": found.commune()}
            for name, value in prefill.items():
                if not data.get(name) and name not in self.errors and value:
                    data[name] = value
        for name in self.PREFILLED:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, REQUIRED)
        return data

    def clean_contact_phone(self):
        return normalize_phone(self.cleaned_data["contact_phone"])

    def clean_desired_start(self):
        value = self.cleaned_data["desired_start"]
        if value < timezone.localdate():
            raise ValidationError("La date de démarrage souhaitée ne peut pas être passée.")
        return value

    STRUCTURE_FIELDS = ("name", "siret", "kind", "address", "commune", "contact_first_name",
                        "contact_last_name", "contact_email", "contact_phone")

    def structure_data(self):
        return {name: self.cleaned_data[name] for name in self.STRUCTURE_FIELDS}



class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label="Statut", required=False,
                               choices=[("", "Tous les statuts")]
                               + list(Application.Status.choices))
    without_opinion = forms.BooleanField(label="Sans avis uniquement", required=False)
    q = forms.CharField(label="Structure ou SIRET", required=False, max_length=100)

    def filter(self, applications):
        if not self.is_valid():
            return applications
        data = self.cleaned_data
        if data["status"]:
            applications = applications.filter(status=data["status"])
        if data["without_opinion"]:
            applications = applications.filter(opinion__isnull=True)
        if data["q"]:
            text = data["q"].strip()
            digits = normalize_siret(text)
            if digits.isdigit():
                applications = applications.filter(structure__siret__startswith=digits)
            else:
                applications = applications.filter(structure__name__icontains=text)
        return applications


class OpinionForm(BaseForm):
    verdict = forms.ChoiceField(label="Avis", choices=PrefectOpinion.Verdict.choices,
                                widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Commentaire", min_length=OPINION_COMMENT_MIN_LENGTH,
        max_length=OPINION_COMMENT_MAX_LENGTH,
        help_text=(f"Entre {OPINION_COMMENT_MIN_LENGTH} et {OPINION_COMMENT_MAX_LENGTH:,} "
                   "caractères.").replace(",", " "),
        error_messages={
            "min_length": (f"Le commentaire doit comporter au moins "
                           f"{OPINION_COMMENT_MIN_LENGTH} caractères (actuellement "
                           "%(show_value)d)."),
            "max_length": (f"Le commentaire doit comporter au plus "
                           f"{OPINION_COMMENT_MAX_LENGTH:,} caractères (actuellement "
                           "%(show_value)d).").replace(",", " "),
        },
        widget=forms.Textarea(attrs={"rows": 5, "data-counter": ""}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verdict"].error_messages["required"] = "Choisissez un avis favorable ou " \
                                                            "défavorable."



class TransitionForm(BaseForm):
    """The status changes the person may make (``services.allowed_transitions``)."""

    to_status = forms.ChoiceField(label="Nouveau statut", widget=forms.RadioSelect)
    reason = forms.CharField(label="Motif", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(status, Application.Status(status).label)
                                            for status in allowed]


# --- coordinator posts ---------------------------------------------------------------------
class CoordinationScopeFields(BaseForm):
    """What a coordinator post covers: a list of advisors, a département or a région."""

    SCOPE = Application.CoordinationScope
    coordination_scope = forms.ChoiceField(
        label="Le coordinateur suivra", widget=forms.RadioSelect,
        choices=Application.CoordinationScope.choices,
        help_text="Le coordinateur verra, dans son espace, exactement les conseillers de ce "
                  "périmètre.")
    coordinated_department = forms.ModelChoiceField(
        label="Département coordonné", required=False,
        queryset=Department.objects.order_by("code"), empty_label="Choisir un département",
        help_text="Pour un périmètre départemental : les conseillers en contrat avec une "
                  "structure de ce département.",
        error_messages={"invalid_choice": "Choisissez un département de la liste."})
    coordinated_region = forms.ModelChoiceField(
        label="Région coordonnée", required=False, queryset=Region.objects.order_by("name"),
        empty_label="Choisir une région",
        help_text="Pour un périmètre régional : les conseillers en contrat avec une structure "
                  "de cette région.",
        error_messages={"invalid_choice": "Choisissez une région de la liste."})

    def clean(self):
        data = super().clean()
        scope = data.get("coordination_scope")
        if scope == self.SCOPE.DEPARTMENT and not data.get("coordinated_department") \
                and "coordinated_department" not in self.errors:
            self.add_error("coordinated_department", "Choisissez le département coordonné.")
        if scope == self.SCOPE.REGION and not data.get("coordinated_region") \
                and "coordinated_region" not in self.errors:
            self.add_error("coordinated_region", "Choisissez la région coordonnée.")
        if scope == self.SCOPE.ADVISORS and not self.chosen_advisors() \
                and self.advisors_field not in self.errors:
            self.add_error(self.advisors_field, "Choisissez au moins un conseiller à coordonner.")
        return data

    advisors_field = "coordinated_advisors"

    def chosen_advisors(self):
        return list(self.cleaned_data.get(self.advisors_field) or [])

    def scope_data(self):
        """The keyword arguments of ``services.request_coordinator_post`` and
        ``services.set_coordination_scope``."""
        data = self.cleaned_data
        return {"coordination_scope": data["coordination_scope"],
                "department": data.get("coordinated_department"),
                "region": data.get("coordinated_region"),
                "advisors": self.chosen_advisors()}


class AdvisorChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})"


class CoordinatorPostForm(CoordinationScopeFields):
    """A structure asks for a coordinator post; its list of advisors is taken among those
    of its structures (``advisors``)."""

    motivation = motivation_field(rows=6)
    desired_start = forms.DateField(label="Date de démarrage souhaitée", widget=DATE)
    coordinated_advisors = AdvisorChoices(
        label="Conseillers coordonnés", required=False, queryset=Advisor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Pour une liste : {MAX_COORDINATED_ADVISORS} conseillers au plus, parmi "
                  "ceux de vos structures.",
        error_messages={"invalid_choice": "Choisissez des conseillers de la liste.",
                        "invalid_pk_value": "Choisissez des conseillers de la liste."})

    field_order = ["motivation", "desired_start", "coordination_scope",
                   "coordinated_department", "coordinated_region", "coordinated_advisors"]

    def __init__(self, *args, advisors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinated_advisors"].queryset = (
            advisors if advisors is not None else Advisor.objects.none())
        latest = bounds.latest_date()
        self.fields["desired_start"].widget.attrs.update(
            {"min": timezone.localdate().isoformat(), "max": latest.isoformat()})
        self.fields["desired_start"].help_text = (
            f"À partir d'aujourd'hui, jusqu'au {long_date(latest)} au plus tard.")

    def clean_desired_start(self):
        value = self.cleaned_data["desired_start"]
        if value < timezone.localdate():
            raise ValidationError("La date de démarrage souhaitée ne peut pas être passée.")
        if value > bounds.latest_date():
            raise ValidationError(
                f"La date de démarrage souhaitée ne peut pas dépasser le "
                f"{long_date(bounds.latest_date())} : vérifiez l'année saisie.")
        return value

    def clean_coordinated_advisors(self):
        advisors = self.cleaned_data["coordinated_advisors"]
        if len(advisors) > MAX_COORDINATED_ADVISORS:
            raise ValidationError(
                f"Choisissez au plus {MAX_COORDINATED_ADVISORS} conseillers, ou un "
                "département ou une région.")
        return advisors


class CoordinationScopeForm(CoordinationScopeFields):
    """ANCT changes a coordinator post's scope; advisors are named by their professional
    email, one a line, since ANCT may choose any of them."""

    advisor_emails = forms.CharField(
        label="Conseillers coordonnés", required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"Pour une liste : les courriels professionnels des conseillers, un par "
                  f"ligne ({MAX_COORDINATED_ADVISORS} au plus).")
    advisors_field = "advisor_emails"

    def clean_advisor_emails(self):
        emails = list(dict.fromkeys(
            line.strip().lower() for line in self.cleaned_data["advisor_emails"].splitlines()
            if line.strip()))
        if len(emails) > MAX_COORDINATED_ADVISORS:
            raise ValidationError(
                f"Indiquez au plus {MAX_COORDINATED_ADVISORS} conseillers, ou choisissez un "
                "département ou une région.")
        found = {a.email: a for a in Advisor.objects.filter(email__in=emails)}
        unknown = [email for email in emails if email not in found]
        if unknown:
            shown = ", ".join(unknown[:5]) + ("…" if len(unknown) > 5 else "")
            raise ValidationError(f"Aucun conseiller n'a ce courriel professionnel : {shown}.")
        return [found[email] for email in emails]


class AppointCoordinatorForm(BaseForm):
    """The structure names the coordinator it recruited under a granted post."""

    contract = forms.ModelChoiceField(
        label="Coordinateur recruté", queryset=Contract.objects.none(),
        widget=forms.RadioSelect,
        help_text="Le conseiller d'un contrat en cours ou en attente de validation de la "
                  "structure.",
        error_messages={"invalid_choice": "Choisissez un contrat de la liste."})

    def __init__(self, *args, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        field.queryset = contracts if contracts is not None else Contract.objects.none()
        field.label_from_instance = lambda contract: (
            f"{contract.advisor.full_name} — {contract.get_kind_display()} depuis le "
            f"{long_date(contract.start)} ({contract.get_status_display().lower()})")
