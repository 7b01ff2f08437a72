"""Structures d'accueil, identified by SIRET."""

from territories.models import Commune

from ..models import Structure
from ..validators import normalize_siret
from .base import Importer
from .columns import ChoiceColumn, RecordColumn, TextColumn, text_of


class SiretColumn(TextColumn):
    """Digits only: "732 829 320 00074" → "73282932000074" (the model checks the key)."""

    def normalize(self, value):
        return normalize_siret(text_of(value))


class StructureSiret(SiretColumn):
    identifier = "siret"
    label = "SIRET de l'établissement, 14 chiffres (espaces acceptés)."
    required = True
    field = "siret"


class StructureName(TextColumn):
    identifier = "nom"
    label = "Raison sociale ou nom usuel."
    required = True
    field = "name"


class StructureKind(ChoiceColumn):
    identifier = "type"
    label = ("commune, epci, departement, region, other_public, association ou company (ou "
             "leur libellé : « Association », « EPCI »…).")
    required = True
    field = "kind"
    choices = Structure.Kind
    aliases = {"departement": Structure.Kind.DEPARTMENT, "region": Structure.Kind.REGION,
               "entreprise": Structure.Kind.COMPANY,
               "autre_structure_publique": Structure.Kind.OTHER_PUBLIC,
               "intercommunalite": Structure.Kind.EPCI}


class StructureCommune(RecordColumn):
    identifier = "code_insee"
    label = "Code INSEE de la commune du siège (5 caractères, ex. 60057), pas le code postal."
    required = True
    field = "commune"
    model, lookup_field = Commune, "insee_code"
    unknown = "commune inconnue « {text} » (indiquez le code INSEE, pas le code postal)."

    def normalize(self, value):
        return text_of(value).zfill(5)


class StructureAddress(TextColumn):
    identifier = "adresse"
    label = "Numéro et voie."
    required = True
    field = "address"


class ContactFirstName(TextColumn):
    identifier = "contact_prenom"
    label = "Prénom du contact."
    required = True
    field = "contact_first_name"


class ContactLastName(TextColumn):
    identifier = "contact_nom"
    label = "Nom du contact."
    required = True
    field = "contact_last_name"


class ContactEmail(TextColumn):  # kept as typed: it identifies no one
    identifier = "contact_email"
    label = "Courriel du contact."
    required = True
    field = "contact_email"


class ContactPhone(TextColumn):
    identifier = "contact_telephone"
    label = "Téléphone (01 23 45 67 89 ou +33…)."
    field = "contact_phone"


class StructureImporter(Importer):
    kind = "structures"
    label = "Structures d'accueil"
    key_label = "même SIRET"
    model = Structure
    columns = (StructureSiret, StructureName, StructureKind, StructureCommune,
               StructureAddress, ContactFirstName, ContactLastName, ContactEmail, ContactPhone)
    lookup = ("siret",)

