"""Correcting one's records on the front end: a structure's address and contacts (its
managers), an advisor's training declaration (checked by ANCT). The model's rules and the
bounds show next to the fields; ``advisors.services.records`` saves and keeps the history."""

from django import forms

from ..formats import french_phone
from ..models import Structure, TrainingRecord
from ..models.training import (
    EARLIEST_TRAINING_DATE,
    MAX_TRAINING_HOURS,
    TRAINING_FIELDS,
    TRAINING_HOURS_MESSAGE,
    training_errors,
)
from ..services.records import STRUCTURE_MANAGER_FIELDS
from ..validators import normalize_phone
from .common import DATE, INVALID_DATE, REQUIRED, add_bound_errors


class FrenchModelForm(forms.ModelForm):
    """The advisors forms' French messages on a ModelForm."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = INVALID_DATE
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = "Saisissez un nombre entier."


class StructureContactsForm(FrenchModelForm):
    class Meta:
        model = Structure
        fields = STRUCTURE_MANAGER_FIELDS
        labels = {"address": "Adresse", "contact_first_name": "Prénom du contact",
                  "contact_last_name": "Nom du contact",
                  "contact_email": "Courriel du contact",
                  "contact_phone": "Téléphone du contact"}
        help_texts = {"address": "Numéro et rue, par exemple « 1 rue Desgroux ». La commune "
                                 "ne change pas ici : écrivez à l'ANCT pour un déménagement.",
                      "contact_email": "Par exemple prenom.nom@mairie.fr.",
                      "contact_phone": "Par exemple 03 44 79 40 00."}
        error_messages = {"contact_email": {
            "invalid": "Saisissez une adresse électronique valide, par exemple "
                       "prenom.nom@mairie.fr."}}
        widgets = {"contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
                   "contact_phone": forms.TextInput(attrs={"type": "tel",
                                                           "autocomplete": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.contact_phone:  # "03 44 79 40 00", as people write it
            self.initial["contact_phone"] = french_phone(self.instance.contact_phone)

    def clean_contact_phone(self):
        return normalize_phone(self.cleaned_data["contact_phone"])


class TrainingRecordForm(FrenchModelForm):
    class Meta:
        model = TrainingRecord
        fields = TRAINING_FIELDS
        labels = {"training_start": "Début de la formation initiale",
                  "training_end": "Fin de la formation initiale",
                  "training_hours": "Heures de formation suivies",
                  "pix_level": "Niveau Pix",
                  "ccp1_obtained": "J'ai obtenu le CCP1 du titre professionnel REMN",
                  "ccp1_obtained_on": "Date d'obtention du CCP1"}
        help_texts = {"training_end": "Laissez vide si la formation est en cours.",
                      "training_hours": f"Entre 1 et {MAX_TRAINING_HOURS} heures.",
                      "pix_level": "De 0 à 8, tel qu'indiqué sur votre certificat Pix.",
                      "ccp1_obtained_on": "Seulement si vous avez obtenu le CCP1."}
        widgets = {"training_start": DATE, "training_end": DATE, "ccp1_obtained_on": DATE,
                   "training_hours": forms.NumberInput(attrs={"min": 1,
                                                              "max": MAX_TRAINING_HOURS}),
                   "pix_level": forms.NumberInput(attrs={"min": 0, "max": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("training_start", "training_end", "ccp1_obtained_on"):
            self.fields[name].widget.attrs["min"] = EARLIEST_TRAINING_DATE.isoformat()
        # −5 hours: the hint's range, not Django's "supérieure ou égale à 0".
        self.fields["training_hours"].error_messages.update({
            "min_value": TRAINING_HOURS_MESSAGE, "max_value": TRAINING_HOURS_MESSAGE})
        self.fields["pix_level"].error_messages.update({
            "min_value": "Le niveau Pix est compris entre 0 et 8.",
            "max_value": "Le niveau Pix est compris entre 0 et 8."})

    def clean(self):
        data = super().clean()
        add_bound_errors(self, training_errors(**{name: data.get(name)
                                                  for name in TRAINING_FIELDS}))
        return data
