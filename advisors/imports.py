"""Imports of structures, advisors and contracts from a CSV or XLSX file (one kind per file).

``read_rows`` turns an uploaded file into numbered rows (line 1 is the header) or refuses the
file (``FileRefused``: wrong type, over 5 MB, unreadable, missing columns). ``run`` imports
the rows in one transaction, each row in its own savepoint, and keeps the result only when
asked to (``commit``) and the whole file is valid, or when ``valid_only`` says to keep the
valid rows. A dry run is the same work rolled back, so its counts and errors are exactly
those a real import would give (quota of posts across rows included).

Keys: structures by SIRET, advisors by email, contracts by (advisor's email, structure's
SIRET, start date): a second import of the same file updates, never duplicates. Contracts go
through ``advisors.services`` (submission, then validation when asked), like a manager's."""

import csv
import datetime
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from territories.models import Commune

from . import services
from .models import Advisor, Contract, Structure
from .validators import normalize_siret

MAX_FILE_SIZE = 5 * 1024 * 1024
# An XLSX is a zip: what it expands to is bounded too, so that a small file cannot make the
# server unpack gigabytes (a "zip bomb").
MAX_XLSX_EXPANDED_SIZE = 50 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")


class FileRefused(Exception):
    """The file cannot be read as an import of this kind; the message is French."""


class RowInvalid(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str


@dataclass
class Report:
    kind: str
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # [(line, [messages])]
    written: bool = False

    @property
    def rejected(self):
        return len(self.errors)

    @property
    def valid(self):
        return self.created + self.updated

    @property
    def total(self):
        return self.valid + self.rejected


# --- reading the file ---------------------------------------------------------------------
def normalize_header(value) -> str:
    """"Code INSEE" → "code_insee", "Prénom" → "prenom"."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return "_".join(text.strip().lower().replace("-", " ").replace("'", " ").split())


def _cell(value):
    """Cells as text, except dates kept as dates; 12.0 from a spreadsheet is "12"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes):
    if b"\x00" in data[:4096]:
        raise FileRefused("Ce fichier n'est pas un fichier CSV lisible.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused("Ce fichier n'est pas un fichier CSV lisible : enregistrez-le en "
                          "texte UTF-8 depuis votre tableur.")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count) if first_line else ";"
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    unreadable = FileRefused("Ce fichier XLSX est illisible : enregistrez-le à nouveau depuis "
                             "votre tableur, au format Excel (.xlsx).")
    if not data.startswith(b"PK\x03\x04"):  # every XLSX is a zip archive
        raise unreadable
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise unreadable from error
    if expanded > MAX_XLSX_EXPANDED_SIZE:
        raise FileRefused("Ce classeur est trop volumineux une fois décompressé : découpez-le "
                          "en plusieurs fichiers.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileRefused("Ce fichier XLSX est illisible : enregistrez-le à nouveau depuis "
                          "votre tableur, au format Excel (.xlsx).") from error
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_rows(uploaded, columns):
    """[(line number, {column: value})] of the non-empty rows of the first sheet."""
    name = (getattr(uploaded, "name", "") or "").lower()
    if not name.endswith(EXTENSIONS):
        raise FileRefused("Format de fichier non pris en charge : envoyez un fichier CSV "
                          "(séparateur point-virgule ou virgule) ou XLSX.")
    if uploaded.size > MAX_FILE_SIZE:
        size = f"{uploaded.size / 1024 / 1024:.1f}".replace(".", ",")
        raise FileRefused(f"Le fichier pèse {size} Mo : la taille maximale est de 5 Mo. "
                          "Découpez-le en plusieurs fichiers.")
    data = uploaded.read()
    table = _xlsx_rows(data) if name.endswith(".xlsx") else _csv_rows(data)
    table = [[_cell(value) for value in row] for row in table]
    if not table:
        raise FileRefused("Le fichier est vide.")
    headers = [normalize_header(value) for value in table[0]]
    missing = [column.name for column in columns
               if column.required and column.name not in headers]
    if missing:
        raise FileRefused(
            f"Colonnes manquantes : {', '.join(missing)}. La première ligne doit porter les "
            f"en-têtes : {';'.join(column.name for column in columns)}.")
    rows = []
    for line, values in enumerate(table[1:], start=2):
        if not any(value not in ("", None) for value in values):
            continue
        row = {header: values[i] if i < len(values) else ""
               for i, header in enumerate(headers) if header}
        rows.append((line, row))
    if not rows:
        raise FileRefused("Le fichier ne contient aucune ligne de données sous les en-têtes.")
    return rows


# --- reading values -----------------------------------------------------------------------
def _text(row, name):
    value = row.get(name, "")
    return value.isoformat() if isinstance(value, datetime.date) else str(value).strip()


def _date(row, name, errors):
    value = row.get(name, "")
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(f"{name} : date invalide « {text} » (attendu JJ/MM/AAAA).")
    return None


def _decimal(row, name, errors):
    text = _text(row, name).replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    text = text.replace("€", "").replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        errors.append(f"{name} : montant invalide « {_text(row, name)} ».")
        return None


def _integer(row, name, errors):
    text = _text(row, name)
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors.append(f"{name} : nombre entier attendu, « {text} » reçu.")
        return None


YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
NO = {"non", "n", "no", "faux", "false", "0", ""}


def _boolean(row, name, errors):
    text = _text(row, name).lower()
    if text in YES:
        return True
    if text not in NO:
        errors.append(f"{name} : « oui » ou « non » attendu, « {text} » reçu.")
    return False


def _choice(choices, row, name, errors, aliases=None):
    """A choice given by its code or its French label (case and accents ignored)."""
    text = _text(row, name)
    wanted = normalize_header(text)
    known = dict(aliases or {})
    for value, label in choices.choices:
        known[normalize_header(value)] = value
        known[normalize_header(label)] = value
        known[normalize_header(str(label).split(" (")[0])] = value
    if wanted in known:
        return known[wanted]
    if text:
        errors.append(f"{name} : valeur inconnue « {text} » (valeurs possibles : "
                      f"{', '.join(choices.values)}).")
    return None


def _require(row, columns, errors):
    for column in columns:
        if column.required and not _text(row, column.name):
            errors.append(f"{column.name} : champ obligatoire manquant.")


def _validation_messages(error, field_columns):
    """"column : message" for each message of a model's ValidationError."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    found = []
    for field_name, messages in error.message_dict.items():
        column = field_columns.get(field_name)
        found += [f"{column} : {message}" if column else message for message in messages]
    return found


def _full_clean(instance, field_columns, errors, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        errors += _validation_messages(error, field_columns)


# --- the three kinds ----------------------------------------------------------------------
class Importer:
    kind = ""
    label = ""
    columns: list[Column] = []
    key_label = ""

    def key(self, row):
        raise NotImplementedError

    def import_row(self, row, actor) -> bool:
        """Writes one row; True when it created a record, False when it updated one."""
        raise NotImplementedError

    def prepare(self, rows):
        """Loads what the rows refer to in a few queries."""


class StructureImporter(Importer):
    kind = "structures"
    label = "Structures d'accueil"
    key_label = "même SIRET"
    columns = [
        Column("siret", True, "SIRET de l'établissement, 14 chiffres (espaces acceptés)."),
        Column("nom", True, "Raison sociale ou nom usuel."),
        Column("type", True, "commune, epci, departement, region, other_public, association "
                             "ou company (ou leur libellé : « Association », « EPCI »…)."),
        Column("code_insee", True, "Code INSEE de la commune du siège (5 caractères, "
                                   "ex. 60057), pas le code postal."),
        Column("adresse", True, "Numéro et voie."),
        Column("contact_prenom", True, "Prénom du contact."),
        Column("contact_nom", True, "Nom du contact."),
        Column("contact_email", True, "Courriel du contact."),
        Column("contact_telephone", False, "Téléphone (01 23 45 67 89 ou +33…)."),
    ]
    FIELDS = {"siret": "siret", "name": "nom", "kind": "type", "commune": "code_insee",
              "address": "adresse", "contact_first_name": "contact_prenom",
              "contact_last_name": "contact_nom", "contact_email": "contact_email",
              "contact_phone": "contact_telephone"}
    KIND_ALIASES = {"departement": Structure.Kind.DEPARTMENT, "region": Structure.Kind.REGION,
                    "entreprise": Structure.Kind.COMPANY,
                    "autre_structure_publique": Structure.Kind.OTHER_PUBLIC,
                    "intercommunalite": Structure.Kind.EPCI}

    def key(self, row):
        return normalize_siret(_text(row, "siret")) or None

    def prepare(self, rows):
        codes = {_text(row, "code_insee").zfill(5) for _, row in rows}
        self.communes = Commune.objects.in_bulk(codes, field_name="insee_code")

    def import_row(self, row, actor):
        errors = []
        _require(row, self.columns, errors)
        if errors:
            raise RowInvalid(errors)
        siret = normalize_siret(_text(row, "siret"))
        code = _text(row, "code_insee").zfill(5)
        commune = self.communes.get(code)
        if commune is None:
            errors.append(f"code_insee : commune inconnue « {_text(row, 'code_insee')} » "
                          "(indiquez le code INSEE, pas le code postal).")
        kind = _choice(Structure.Kind, row, "type", errors, self.KIND_ALIASES)
        existing = Structure.objects.filter(siret=siret).first()
        structure = existing or Structure()
        structure.siret = siret
        structure.name = _text(row, "nom")
        structure.kind = kind or ""
        structure.address = _text(row, "adresse")
        structure.commune = commune
        structure.contact_first_name = _text(row, "contact_prenom")
        structure.contact_last_name = _text(row, "contact_nom")
        structure.contact_email = _text(row, "contact_email")
        structure.contact_phone = _text(row, "contact_telephone")
        exclude = [name for name, bad in (("commune", commune is None), ("kind", not kind))
                   if bad]
        _full_clean(structure, self.FIELDS, errors, exclude=exclude)
        if errors:
            raise RowInvalid(errors)
        structure.save()
        return existing is None


class AdvisorImporter(Importer):
    kind = "conseillers"
    label = "Conseillers numériques"
    key_label = "même courriel"
    columns = [
        Column("email", True, "Courriel professionnel (identifie le conseiller)."),
        Column("prenom", True, "Prénom."),
        Column("nom", True, "Nom."),
        Column("telephone", False, "Téléphone professionnel."),
        Column("coordinateur", False, "« oui » pour un coordinateur, sinon « non » ou vide."),
        Column("debut_formation", False, "Début de la formation initiale (JJ/MM/AAAA)."),
        Column("fin_formation", False, "Fin de la formation initiale (JJ/MM/AAAA)."),
        Column("heures_formation", False, "Nombre d'heures de formation."),
        Column("niveau_pix", False, "Niveau Pix, de 0 à 8."),
        Column("ccp1", False, "« oui » si le CCP1 du titre REMN est obtenu."),
        Column("date_ccp1", False, "Date d'obtention du CCP1 (JJ/MM/AAAA)."),
    ]
    FIELDS = {"email": "email", "first_name": "prenom", "last_name": "nom",
              "phone": "telephone", "is_coordinator": "coordinateur",
              "training_start": "debut_formation", "training_end": "fin_formation",
              "training_hours": "heures_formation", "pix_level": "niveau_pix",
              "ccp1_obtained": "ccp1", "ccp1_obtained_on": "date_ccp1"}

    def key(self, row):
        return _text(row, "email").lower() or None

    def import_row(self, row, actor):
        errors = []
        _require(row, self.columns, errors)
        if errors:
            raise RowInvalid(errors)
        email = _text(row, "email").lower()
        existing = Advisor.objects.filter(email=email).first()
        advisor = existing or Advisor(email=email)
        advisor.first_name = _text(row, "prenom")
        advisor.last_name = _text(row, "nom")
        advisor.phone = _text(row, "telephone")
        advisor.is_coordinator = _boolean(row, "coordinateur", errors)
        advisor.training_start = _date(row, "debut_formation", errors)
        advisor.training_end = _date(row, "fin_formation", errors)
        advisor.training_hours = _integer(row, "heures_formation", errors)
        advisor.pix_level = _integer(row, "niveau_pix", errors)
        advisor.ccp1_obtained = _boolean(row, "ccp1", errors)
        advisor.ccp1_obtained_on = _date(row, "date_ccp1", errors)
        _full_clean(advisor, self.FIELDS, errors)
        if errors:
            raise RowInvalid(errors)
        advisor.save()
        return existing is None


class ContractImporter(Importer):
    kind = "contrats"
    label = "Contrats"
    key_label = "même conseiller, même structure, même début"
    columns = [
        Column("email_conseiller", True, "Courriel du conseiller, déjà importé ou inscrit."),
        Column("siret", True, "SIRET de la structure employeuse, dont la candidature est "
                              "validée."),
        Column("type", True, "cdi, cdd, pec ou contrat_projet_public (ou « CDI », « CDD »…)."),
        Column("debut", True, "Premier jour du contrat (JJ/MM/AAAA)."),
        Column("fin", False, "Dernier jour du contrat ; vide pour un CDI seulement."),
        Column("salaire_brut_mensuel", True, "En euros, au moins le minimum légal "
                                             "(ex. 1 950,00)."),
        Column("statut", False, "« validé » pour valider le contrat à l'import ; sinon il "
                                "attend la validation de l'ANCT."),
    ]
    FIELDS = {"advisor": "email_conseiller", "structure": "siret", "kind": "type",
              "start": "debut", "end": "fin", "monthly_gross_salary": "salaire_brut_mensuel"}
    KIND_ALIASES = {"contrat_de_projet": Contract.Kind.PUBLIC_PROJECT,
                    "parcours_emploi_competences": Contract.Kind.PEC}
    STATUSES = {"": False, "en_attente": False, "soumis": False, "a_valider": False,
                "valide": True, "validee": True}

    def key(self, row):
        start = _date(row, "debut", [])
        email = _text(row, "email_conseiller").lower()
        siret = normalize_siret(_text(row, "siret"))
        return (email, siret, start) if email and siret and start else None

    def prepare(self, rows):
        emails = {_text(row, "email_conseiller").lower() for _, row in rows}
        sirets = {normalize_siret(_text(row, "siret")) for _, row in rows}
        self.advisors = Advisor.objects.in_bulk(emails, field_name="email")
        self.structures = Structure.objects.in_bulk(sirets, field_name="siret")

    def import_row(self, row, actor):
        errors = []
        _require(row, self.columns, errors)
        if errors:
            raise RowInvalid(errors)
        email = _text(row, "email_conseiller").lower()
        siret = normalize_siret(_text(row, "siret"))
        advisor = self.advisors.get(email)
        if advisor is None:
            errors.append(f"email_conseiller : aucun conseiller « {email} » : importez "
                          "d'abord les conseillers.")
        structure = self.structures.get(siret)
        if structure is None:
            errors.append(f"siret : aucune structure avec le SIRET « {_text(row, 'siret')} »"
                          " : importez d'abord les structures.")
        kind = _choice(Contract.Kind, row, "type", errors, self.KIND_ALIASES)
        start = _date(row, "debut", errors)
        end = _date(row, "fin", errors)
        salary = _decimal(row, "salaire_brut_mensuel", errors)
        status = normalize_header(_text(row, "statut"))
        if status not in self.STATUSES:
            errors.append(f"statut : « validé » ou vide attendu, « {_text(row, 'statut')} » "
                          "reçu.")
        validate = self.STATUSES.get(status, False)
        if errors:
            raise RowInvalid(errors)
        existing = Contract.objects.filter(advisor=advisor, structure=structure,
                                           start=start).first()
        try:
            if existing is None:
                contract = services.submit_contract(
                    structure, advisor, actor, kind=kind, start=start, end=end,
                    monthly_gross_salary=salary)
            else:
                contract = self._update(existing, kind, end, salary)
            if validate and contract.status == Contract.Status.SUBMITTED:
                services.validate_contract(contract, actor)
        except services.WorkflowError as error:
            raise RowInvalid(_workflow_messages(error, self.FIELDS)) from error
        return existing is None

    def _update(self, contract, kind, end, salary):
        """A contract already known: its terms may change while it awaits validation."""
        changed = (contract.kind, contract.end, contract.monthly_gross_salary) != (
            kind, end, salary)
        if not changed:
            return contract
        if contract.status != Contract.Status.SUBMITTED:
            raise services.WorkflowError(
                f"Ce contrat est déjà « {contract.get_status_display().lower()} » : ses "
                "conditions ne peuvent plus être modifiées par import.")
        contract.kind, contract.end, contract.monthly_gross_salary = kind, end, salary
        services.check_contract_bounds(contract.start, end, salary)
        try:
            contract.full_clean()
        except ValidationError as error:
            raise services.WorkflowError(
                " ".join(_validation_messages(error, self.FIELDS))) from error
        overlapping = (Contract.objects.filter(advisor=contract.advisor)
                       .overlapping(contract.start, end).exclude(pk=contract.pk))
        if overlapping.exists():
            raise services.WorkflowError("Ce conseiller a déjà un contrat en cours ou en "
                                         "attente de validation sur cette période.")
        contract.save()
        return contract


def _workflow_messages(error, field_columns):
    if error.errors:
        messages = []
        for field_name, field_messages in error.errors.items():
            column = field_columns.get(field_name)
            messages += [f"{column} : {m}" if column else m for m in field_messages]
        return messages
    return [error.message]


IMPORTERS = {importer.kind: importer for importer in
             (StructureImporter, AdvisorImporter, ContractImporter)}


# --- running ------------------------------------------------------------------------------
def run(kind, uploaded, actor, *, commit=False, valid_only=False) -> Report:
    """Reads and imports the file. Raises FileRefused for a file that cannot be read."""
    importer = IMPORTERS[kind]()
    rows = read_rows(uploaded, importer.columns)
    report = Report(kind=kind)
    first_line_of = {}
    with transaction.atomic():
        importer.prepare(rows)
        for line, row in rows:
            key = importer.key(row)
            if key is not None and key in first_line_of:
                report.errors.append((line, [f"Doublon de la ligne {first_line_of[key]} "
                                             f"({importer.key_label}) : ligne ignorée."]))
                continue
            if key is not None:
                first_line_of[key] = line
            try:
                with transaction.atomic():
                    created = importer.import_row(row, actor)
            except RowInvalid as error:
                report.errors.append((line, error.messages))
            else:
                report.created += created
                report.updated += not created
        report.written = bool(commit and report.valid and (valid_only or not report.errors))
        if not report.written:
            transaction.set_rollback(True)
    return report
