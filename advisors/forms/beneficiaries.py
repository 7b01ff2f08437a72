"""Bénéficiaires: the record (create, edit), the list's filters and the CSV import."""

from django import forms

from territories.text import normalize_name

from ..models import Beneficiary, BirthBand
from ..validators import validate_phone
from .common import BaseForm, CommuneField, add_model_errors

TOO_LONG = "Saisissez au plus %(limit_value)d caractères (actuellement %(show_value)d)."
UNKNOWN_CHOICE = {"invalid_choice": "Choisissez une des valeurs proposées."}


def _text(label, max_length, **kwargs):
    return forms.CharField(label=label, max_length=max_length,
                           error_messages={"max_length": TOO_LONG}, **kwargs)


class StructureChoice:
    """A choice of structure, shown only to an advisor under contract with several."""

    def choose_structure(self, structures):
        self.structures = {structure.pk: structure for structure in structures}
        if len(self.structures) > 1:
            self.fields["structure"].choices = [(pk, s.name) for pk, s in self.structures.items()]
        else:  # one structure (or editing): nothing to choose
            del self.fields["structure"]

    def structure_chosen(self):
        if "structure" in self.fields:
            return self.structures[self.cleaned_data["structure"]]
        return next(iter(self.structures.values()), None)


def _structure_field():
    return forms.TypedChoiceField(label="Structure", coerce=int, error_messages=UNKNOWN_CHOICE)


class BeneficiaryForm(StructureChoice, BaseForm):
    structure = _structure_field()
    first_name = _text("Prénom", 100, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    last_name = _text("Nom ou initiales", 100,
                      help_text="Les initiales suffisent, par exemple « D. ».",
                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
    commune = CommuneField(help_text="La commune où habite la personne, par exemple "
                                     "« Beauvais (60) ».")
    birth_band = forms.ChoiceField(label="Année de naissance", required=False,
                                   choices=[("", "Non renseignée"), *BirthBand.choices],
                                   error_messages=UNKNOWN_CHOICE)
    contact_consent = forms.BooleanField(
        label="La personne accepte d'être recontactée", required=False,
        help_text="Cochez seulement si elle vous l'a dit : sans son accord, ni courriel ni "
                  "téléphone.")
    email = forms.EmailField(label="Courriel", required=False, max_length=254,
                             error_messages={"invalid": "Saisissez une adresse électronique "
                                                        "valide, par exemple nom@exemple.fr.",
                                             "max_length": TOO_LONG})
    phone = _text("Téléphone", 20, required=False, validators=[validate_phone],
                  widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))

    def clean(self):
        data = super().clean()
        probe = Beneficiary(**{name: data.get(name) or "" for name in (
            "first_name", "last_name", "email", "phone")},
            contact_consent=bool(data.get("contact_consent")))
        add_model_errors(self, probe)
        return data


    def data_for_service(self):
        return {name: self.cleaned_data.get(name) for name in (
            "first_name", "last_name", "commune", "birth_band", "contact_consent", "email",
            "phone")}

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_structure(structures)


class BeneficiaryFilterForm(forms.Form):
    """The list's search, read from the query string (GET)."""

    q = _text("Nom ou prénom", 100, required=False,
              help_text="Les accents et les majuscules ne comptent pas.",
              widget=forms.TextInput(attrs={"inputmode": "search", "autocomplete": "off"}))
    birth_band = forms.ChoiceField(label="Année de naissance", required=False,
                                   choices=[("", "Toutes"), *BirthBand.choices],
                                   error_messages=UNKNOWN_CHOICE)
    anonymised = forms.BooleanField(label="Afficher les fiches anonymisées", required=False)

    def filter(self, beneficiaries):
        """A search that is refused filters nothing (its error shows next to the field and
        the page says the search is not valid); a name of punctuation only matches nobody."""
        if self.is_bound and not self.is_valid():
            return beneficiaries.identified()
        data = getattr(self, "cleaned_data", {})  # unbound: no filter
        if not data.get("anonymised"):
            beneficiaries = beneficiaries.identified()
        if data.get("q"):
            if not normalize_name(data["q"]).split():
                return beneficiaries.none()
            beneficiaries = beneficiaries.matching(data["q"])
        if data.get("birth_band"):
            beneficiaries = beneficiaries.filter(birth_band=data["birth_band"])
        return beneficiaries


class BeneficiaryImportForm(StructureChoice, BaseForm):
    structure = _structure_field()
    file = forms.FileField(
        label="Fichier", help_text="CSV (séparateur « ; » ou « , », UTF-8) ou XLSX, 5 Mo au "
                                   "plus ; la première ligne porte les en-têtes.",
        error_messages={"required": "Choisissez le fichier à importer.",
                        "empty": "Ce fichier est vide.",
                        "invalid": "Choisissez un fichier CSV ou XLSX."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_structure(structures)


def add_beneficiary_field(form, beneficiaries):
    """The activity report form's optional "Bénéficiaires suivis": the records the advisor
    may link (``report_beneficiary_choices``); no field when there are none."""
    form.beneficiary_records = {b.pk: b for b in beneficiaries}
    if not form.beneficiary_records:
        return
    form.fields["beneficiaries"] = forms.TypedMultipleChoiceField(
        label="Bénéficiaires suivis", required=False, coerce=int,
        choices=[(b.pk, f"{b.display_name} ({b.commune.name})")
                 for b in form.beneficiary_records.values()],
        help_text="Une personne pour un accompagnement individuel, plusieurs pour un atelier.",
        error_messages={"invalid_choice": "Choisissez parmi les bénéficiaires de votre "
                                          "structure."},
        widget=forms.CheckboxSelectMultiple)


def chosen_beneficiaries(form):
    """The records ticked in the report form."""
    return [form.beneficiary_records[pk] for pk in form.cleaned_data.get("beneficiaries") or ()
            if pk in form.beneficiary_records]
