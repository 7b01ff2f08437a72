"""Contracts: "Déclarer un recrutement", a rupture, an extension; the contract's own rules
(``Contract.clean``) are shown next to the fields."""

from django import forms

from .. import bounds
from ..models import Contract
from ..models.people import euros as models_euros
from ..validators import normalize_phone, validate_phone
from .common import DATE, BaseForm, add_bound_errors, add_model_errors, bounded_dates


class ContractForm(BaseForm):
    first_name = forms.CharField(label="Prénom du conseiller", max_length=150)
    last_name = forms.CharField(label="Nom du conseiller", max_length=150)
    email = forms.EmailField(
        label="Courriel professionnel du conseiller",
        help_text="Si le conseiller est déjà connu (même courriel), son dossier est repris.",
        error_messages={"invalid": "Saisissez une adresse électronique valide."})
    phone = forms.CharField(label="Téléphone professionnel", max_length=20, required=False,
                            validators=[validate_phone],
                            widget=forms.TextInput(attrs={"type": "tel"}))
    kind = forms.ChoiceField(label="Type de contrat",
                             choices=[("", "Choisir un type")] + list(Contract.Kind.choices))
    start = forms.DateField(label="Début du contrat", widget=DATE)
    end = forms.DateField(label="Fin du contrat", required=False, widget=DATE,
                          help_text="Dernier jour du contrat ; laissez vide pour un CDI.")
    monthly_gross_salary = forms.DecimalField(
        label="Salaire brut mensuel (€)", max_digits=8, decimal_places=2, min_value=0,
        error_messages={"invalid": "Saisissez un montant, par exemple 2100,00.",
                        "min_value": "Le salaire doit être positif."},
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))

    FIELDSETS = {"advisor": ("first_name", "last_name", "email", "phone"),
                 "contract": ("kind", "start", "end", "monthly_gross_salary")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded_dates(self, "start", "end")
        self.fields["monthly_gross_salary"].help_text = (
            f"Montant mensuel, pas annuel. Au-delà de "
            f"{models_euros(bounds.SALARY_CONFIRMATION_ABOVE)}, seule l'ANCT peut l'accepter.")

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        add_bound_errors(self, {**bounds.contract_errors(data.get("start"), data.get("end")),
                                **bounds.salary_errors(data.get("monthly_gross_salary"))})
        add_model_errors(self, Contract(**{name: data.get(name)
                                           for name in self.FIELDSETS["contract"]}))
        return data

    def advisor_data(self):
        return {name: self.cleaned_data[name] for name in self.FIELDSETS["advisor"]}

    def contract_data(self):
        return {name: self.cleaned_data[name] for name in self.FIELDSETS["contract"]}


class RuptureForm(BaseForm):
    reason = forms.ChoiceField(label="Motif de la rupture",
                               choices=[("", "Choisir un motif")]
                               + list(Contract.RuptureReason.choices))
    date = forms.DateField(label="Date d'effet", widget=DATE,
                           help_text="Premier jour où le contrat ne court plus.")



class ExtensionForm(BaseForm):
    new_end = forms.DateField(label="Nouvelle date de fin", widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded_dates(self, "new_end")

    def clean(self):
        data = super().clean()
        add_bound_errors(self, bounds.extension_errors(data.get("new_end")))
        return data
