"""Imports of structures, advisors and contracts from CSV or XLSX files in the back office:
a dry run that writes nothing, line-numbered French errors, all-or-nothing unless the
administrator keeps only the valid rows, updates by key instead of duplicates."""

import io
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from advisors import imports
from advisors.models import Advisor, Contract, Structure
from tests import factories as base

from . import factories as make

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "structures.csv"
URL = "/admin/advisors_import/"


@pytest.fixture
def anct(client, communes):
    client.force_login(base.staff_user(Role.ANCT_ADMIN))
    return client


def sample():
    return SimpleUploadedFile("structures.csv", SAMPLE.read_bytes(), content_type="text/csv")


def csv_file(lines, name="fichier.csv"):
    return SimpleUploadedFile(name, "\n".join(lines).encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, name="fichier.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def post(client, upload, kind="structures", *, commit=False, valid_only=False):
    data = {"kind": kind, "file": upload, "importer" if commit else "verifier": "1"}
    if valid_only:
        data["valid_only"] = "on"
    return client.post(URL, data)


def errors_by_line(response):
    return {line: " ".join(messages) for line, messages in response.context["report"].errors}


# --- structures ---------------------------------------------------------------------------
def test_the_page_documents_the_expected_columns(anct):
    page = anct.get(URL).content.decode()
    assert ("siret;nom;type;code_insee;adresse;contact_prenom;contact_nom;contact_email;"
            "contact_telephone") in page
    assert "email_conseiller;siret;type;debut;fin;salaire_brut_mensuel;statut" in page
    assert "Code INSEE de la commune du siège (5 caractères, ex. 60057)" in page
    assert "Importer uniquement les lignes valides" in page


def test_a_dry_run_of_a_mixed_file_counts_and_numbers_the_errors_and_writes_nothing(anct):
    response = post(anct, sample())

    report = response.context["report"]
    assert (report.created, report.updated, report.rejected) == (2, 0, 4)
    assert not report.written
    errors = errors_by_line(response)
    assert set(errors) == {4, 5, 6, 7}
    assert "SIRET n'est pas valide" in errors[4]
    assert "commune inconnue « 99999 »" in errors[5]
    assert "nom : champ obligatoire manquant" in errors[6]
    assert "Doublon de la ligne 3 (même SIRET)" in errors[7]
    page = response.content.decode()
    assert "rien n&#x27;a été enregistré" in page
    assert not Structure.objects.exists()


def test_importing_a_file_with_errors_writes_nothing_without_the_box(anct):
    response = post(anct, sample(), commit=True)
    assert not response.context["report"].written
    assert "rien n&#x27;a été importé" in response.content.decode()
    assert not Structure.objects.exists()


def test_importing_only_the_valid_rows(anct, communes):
    response = post(anct, sample(), commit=True, valid_only=True)

    assert response.context["report"].written
    assert sorted(Structure.objects.values_list("siret", "name")) == [
        ("98000901309016", "Mairie de Beauvais"),
        ("98000902109027", "Association Lille Numérique")]
    beauvais = Structure.objects.get(siret="98000901309016")
    assert beauvais.commune == communes["Beauvais"]
    assert beauvais.kind == Structure.Kind.COMMUNE
    assert beauvais.contact_phone == "0344794000"
    assert "Import terminé" in response.content.decode()


def test_a_valid_file_is_imported_and_a_second_import_updates_instead_of_duplicating(anct):
    header = "siret;nom;type;code_insee;adresse;contact_prenom;contact_nom;contact_email"
    first = [header, "98000901309016;Mairie de Beauvais;commune;60057;1 rue Desgroux;Claire;"
                     "Dupont;claire@beauvais.example.fr"]
    response = post(anct, csv_file(first), commit=True)
    assert response.context["report"].created == 1
    assert Structure.objects.count() == 1

    second = [header, "98000901309016;Ville de Beauvais;commune;60057;1 rue Desgroux;Claire;"
                      "Dupont;accueil@beauvais.example.fr",
              "98000902109027;CCAS de Lille;other_public;59350;2 rue Royale;Ana;Silva;"
              "ana@lille.example.fr"]
    report = post(anct, csv_file(second), commit=True).context["report"]

    assert (report.created, report.updated, report.rejected) == (1, 1, 0)
    assert Structure.objects.count() == 2
    beauvais = Structure.objects.get(siret="98000901309016")
    assert (beauvais.name, beauvais.contact_email) == ("Ville de Beauvais",
                                                       "accueil@beauvais.example.fr")


def test_headers_are_read_regardless_of_case_accents_and_comma_separators(anct):
    lines = ["SIRET,Nom,Type,Code INSEE,Adresse,Contact prénom,Contact nom,Contact email",
             "98000901309016,Mairie de Paris,Commune,75056,Place de l'Hôtel de Ville,Léa,Roux,"
             "lea@paris.example.fr"]
    report = post(anct, csv_file(lines), commit=True).context["report"]
    assert (report.created, report.rejected) == (1, 0)


# --- advisors -----------------------------------------------------------------------------
ADVISOR_HEADER = ["email", "prenom", "nom", "telephone", "coordinateur", "debut_formation",
                  "fin_formation", "niveau_pix"]


def test_advisors_are_imported_from_xlsx_and_updated_by_email(anct):
    rows = [ADVISOR_HEADER,
            ["Alice.Durand@CnFS.example.fr", "Alice", "Durand", "0612345678", "oui",
             date(2024, 3, 4), date(2024, 5, 10), 3],
            ["bruno@cnfs.example.fr", "Bruno", "Petit", "", "non", "04/03/2024", "", ""]]
    report = post(anct, xlsx_file(rows), "conseillers", commit=True).context["report"]
    assert (report.created, report.updated, report.rejected) == (2, 0, 0)
    alice = Advisor.objects.get(email="alice.durand@cnfs.example.fr")
    assert (alice.is_coordinator, alice.training_start, alice.pix_level) == (
        True, date(2024, 3, 4), 3)

    rows[2][6] = "30/04/2024"
    report = post(anct, xlsx_file(rows), "conseillers", commit=True).context["report"]
    assert (report.created, report.updated) == (0, 2)
    assert Advisor.objects.count() == 2
    assert Advisor.objects.get(email="bruno@cnfs.example.fr").training_end == date(2024, 4, 30)


def test_advisor_rows_with_bad_values_are_rejected_with_their_line(anct):
    rows = [ADVISOR_HEADER,
            ["claire@cnfs.example.fr", "Claire", "Roy", "", "", "", "", "12"],
            ["pas-un-courriel", "Denis", "Roy", "", "peut-être", "", "", ""],
            ["emma@cnfs.example.fr", "Emma", "Roy", "", "", "10/05/2024", "01/05/2024", ""]]
    response = post(anct, xlsx_file(rows), "conseillers")
    errors = errors_by_line(response)
    assert set(errors) == {2, 3, 4}
    assert "niveau_pix" in errors[2]
    assert "email" in errors[3] and "coordinateur" in errors[3]
    assert "fin_formation : La fin de la formation doit suivre son début." in errors[4]


# --- contracts ----------------------------------------------------------------------------
CONTRACT_HEADER = "email_conseiller;siret;type;debut;fin;salaire_brut_mensuel;statut"


@pytest.fixture
def employer(communes):
    structure = make.validated_structure(communes["Beauvais"], posts=2)
    make.advisor(email="alice@cnfs.example.fr")
    make.advisor(email="bruno@cnfs.example.fr")
    make.advisor(email="chloe@cnfs.example.fr")
    return structure


def day(offset):
    return (timezone.localdate() + timedelta(days=offset)).strftime("%d/%m/%Y")


def test_contracts_are_imported_through_the_services_and_respect_the_rules(anct, employer):
    siret = employer.siret
    lines = [CONTRACT_HEADER,
             f"alice@cnfs.example.fr;{siret};CDD;{day(-30)};{day(335)};2 100,00;validé",
             f"bruno@cnfs.example.fr;{siret};cdi;{day(-10)};;1950;",
             f"chloe@cnfs.example.fr;{siret};CDD;{day(-5)};{day(360)};1500;",
             f"inconnu@cnfs.example.fr;{siret};CDD;{day(-5)};{day(360)};2000;",
             f"chloe@cnfs.example.fr;{siret};CDD;{day(1)};{day(360)};2000;"]

    dry = post(anct, csv_file(lines), "contrats").context["report"]
    errors = {line: " ".join(m) for line, m in dry.errors}
    assert (dry.created, dry.rejected) == (2, 3)
    assert "minimum légal" in errors[4]
    assert "aucun conseiller « inconnu@cnfs.example.fr »" in errors[5]
    assert "nombre de postes attribués ne peut pas être dépassé" in errors[6]
    assert not Contract.objects.exists()

    post(anct, csv_file(lines), "contrats", commit=True, valid_only=True)
    contracts = {c.advisor.email: c for c in Contract.objects.select_related("advisor")}
    assert set(contracts) == {"alice@cnfs.example.fr", "bruno@cnfs.example.fr"}
    assert contracts["alice@cnfs.example.fr"].status == Contract.Status.VALIDATED
    assert contracts["bruno@cnfs.example.fr"].status == Contract.Status.SUBMITTED
    assert contracts["bruno@cnfs.example.fr"].end is None

    # The same file again: both contracts are found by (email, SIRET, start), none is added.
    again = post(anct, csv_file(lines[:3]), "contrats", commit=True).context["report"]
    assert (again.created, again.updated, again.rejected) == (0, 2, 0)
    assert Contract.objects.count() == 2


# --- files refused ------------------------------------------------------------------------
@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("structures.pdf", b"%PDF-1.4"), "Format de fichier non pris en charge"),
    (SimpleUploadedFile("structures.csv", b"siret;nom\n" + b"x" * (5 * 1024 * 1024)),
     "la taille maximale est de 5 Mo"),
    (SimpleUploadedFile("structures.xlsx", b"pas un classeur"), "Ce fichier XLSX est illisible"),
    (SimpleUploadedFile("structures.csv", b"siret;nom\n98000901309016;Mairie\n"),
     "Colonnes manquantes : type, code_insee"),
])
def test_files_of_the_wrong_type_size_or_shape_are_refused(anct, upload, message):
    response = post(anct, upload, commit=True)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert message in response.content.decode()
    assert not Structure.objects.exists()


class Siret(imports.ImportColumn):
    identifier, required = "siret", True


class Name(imports.ImportColumn):
    identifier, required = "nom", True


COLUMNS = [Siret(), Name()]


def test_read_rows_skips_empty_lines_and_numbers_lines_from_the_header(communes):
    upload = csv_file(["siret;nom", "", "1;A", ";", "2;B"])
    rows = imports.read_rows(upload, COLUMNS)
    assert [(line, row["nom"]) for line, row in rows] == [(3, "A"), (5, "B")]
