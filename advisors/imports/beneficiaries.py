"""Bénéficiaires of one structure, imported by one of its advisors from the page "Importer des
bénéficiaires" (``advisors.views.beneficiaries``), not from the back office: the records
belong to the structure, and only its advisors under contract see them.

A row is one person, identified within the structure by its name (accents, case and
punctuation ignored) and commune: a second import of the same file updates, never duplicates;
two rows of the same person in one file are refused."""

from django.core.exceptions import ValidationError

from territories import authorities
from territories.models import Commune
from territories.text import normalize_name

from ..models import Beneficiary, BirthBand
from .base import Importer
from .columns import BooleanColumn, EmailColumn, ImportColumn, TextColumn, text_of


class NameColumn(TextColumn):
    """Kept as typed; compared without accents, case or punctuation."""

    def normalize(self, value):
        return normalize_name(text_of(value))

    def clean(self, value, previous_values):
        text = text_of(value)
        if len(text) > 100:
            raise ValidationError(f"au plus 100 caractères ({len(text)} reçus).")
        return text


class FirstName(NameColumn):
    identifier = "prenom"
    label = "Prénom."
    required = True
    field = "first_name"


class LastName(NameColumn):
    identifier = "nom"
    label = "Nom, ou ses initiales (« D. »)."
    required = True
    field = "last_name"


class CommuneColumn(ImportColumn):
    """The INSEE code (60057), or the name as the forms show it (« Beauvais (60) »)."""

    identifier = "commune"
    label = ("Commune où habite la personne : code INSEE (ex. 60057) ou nom suivi du "
             "département (« Beauvais (60) »).")
    required = True
    field = "commune"

    def normalize(self, value):
        text = text_of(value)
        return text.zfill(5) if text.isdigit() else normalize_name(text)

    def prepare(self, values):
        codes = {text_of(v).zfill(5) for v in values if text_of(v).isdigit()}
        self.by_code = Commune.objects.in_bulk(codes, field_name="insee_code")

    def clean(self, value, previous_values):
        text = text_of(value)
        if text.isdigit():
            commune = self.by_code.get(text.zfill(5))
            if commune is None:
                raise ValidationError(f"code INSEE inconnu « {text} » (le code INSEE, pas le "
                                      "code postal).")
            return commune
        if len(text) > 200:
            raise ValidationError("nom de commune trop long.")
        return authorities.resolve("commune", text)


class BirthYear(ImportColumn):
    identifier = "annee_naissance"
    label = "Année de naissance (ex. 1957), ou tranche (« 1945 à 1959 ») ; facultatif."
    field = "birth_band"
    empty = ""

    def clean(self, value, previous_values):
        text = text_of(value)
        if not text:
            return ""
        if text.isdigit() and len(text) == 4:
            return BirthBand.of_year(int(text))
        wanted = normalize_name(text)
        for code, label in BirthBand.choices:
            if wanted in (normalize_name(code), normalize_name(label)):
                return code
        raise ValidationError(f"année de naissance illisible « {text} » (une année sur quatre "
                              "chiffres, par exemple 1957).")


class Consent(BooleanColumn):
    identifier = "consentement"
    label = ("« oui » si la personne accepte d'être recontactée ; sans lui, les colonnes "
             "courriel et telephone restent vides.")
    field = "contact_consent"


class Email(EmailColumn):
    identifier = "courriel"
    label = "Courriel, avec le consentement seulement ; facultatif."
    field = "email"


class Phone(TextColumn):
    identifier = "telephone"
    label = "Téléphone, avec le consentement seulement ; facultatif."
    field = "phone"


class BeneficiaryImporter(Importer):
    kind = "beneficiaires"
    label = "Bénéficiaires"
    key_label = "même nom et même commune"
    model = Beneficiary
    columns = (FirstName, LastName, CommuneColumn, BirthYear, Consent, Email, Phone)
    lookup = ("prenom", "nom", "commune")

    def __init__(self, structure, actor):
        super().__init__()
        self.structure, self.actor = structure, actor

    def new_record(self):
        return Beneficiary(structure=self.structure, created_by=self.actor)

    def find(self, values):
        first, last = values["prenom"], values["nom"]
        commune = values["commune"]
        if commune is None:
            return None
        return Beneficiary.objects.identified().filter(
            structure=self.structure, commune=commune,
            search_name=normalize_name(f"{first} {last}")).first()
