"""The import columns one by one: each reads what a spreadsheet gives and refuses the rest
with a French message (the importer adds the column's name and the line); each importer's
columns are documented, distinct and fill fields its model has."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from advisors import imports
from advisors.imports import advisors, contracts, structures
from advisors.models import Contract, Structure

from . import factories as make


def clean(column_class, value, prepared=None):
    column = column_class()
    if prepared is not None:
        column.prepare(prepared)
    return column.clean(value, {})


def refusal(column_class, value, prepared=None):
    with pytest.raises(ValidationError) as refused:
        clean(column_class, value, prepared)
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(("column", "value", "expected"), [
    (structures.StructureSiret, "980 009 013 09016", "98000901309016"),
    (structures.StructureKind, "Association", Structure.Kind.ASSOCIATION),
    (structures.StructureKind, "intercommunalité", Structure.Kind.EPCI),
    (advisors.AdvisorEmail, " Alice.Durand@CnFS.example.fr ", "alice.durand@cnfs.example.fr"),
    (advisors.Coordinator, "OUI", True),
    (advisors.Coordinator, "", False),
    (advisors.TrainingStart, "04/03/2024", date(2024, 3, 4)),
    (advisors.TrainingStart, "2024-03-04", date(2024, 3, 4)),
    (advisors.TrainingStart, date(2024, 3, 4), date(2024, 3, 4)),
    (advisors.TrainingStart, "", None),
    (advisors.PixLevel, "0", 0),
    (advisors.PixLevel, "", None),
    (contracts.Salary, "1\u202f950,00 €", Decimal("1950.00")),
    (contracts.ContractKind, "contrat de projet", Contract.Kind.PUBLIC_PROJECT),
    (contracts.ValidateOnImport, "Validé", True),
    (contracts.ValidateOnImport, "", False),
])
def test_columns_read_what_spreadsheets_give(column, value, expected):
    assert clean(column, value) == expected


@pytest.mark.parametrize(("column", "value", "message"), [
    (structures.StructureKind, "mairie", "valeur inconnue « mairie » (valeurs possibles : "
                                         "commune, epci"),
    (advisors.Coordinator, "Peut-être", "« oui » ou « non » attendu, « peut-être » reçu."),
    (advisors.TrainingEnd, "31/02/2024", "date invalide « 31/02/2024 » (attendu JJ/MM/AAAA)."),
    (advisors.TrainingHours, "1,5", "nombre entier attendu, « 1,5 » reçu."),
    (contracts.Salary, "deux mille", "montant invalide « deux mille »."),
    (contracts.ContractKind, "intérim", "valeur inconnue « intérim »"),
    (contracts.ValidateOnImport, "refusé", "« validé » ou vide attendu, « refusé » reçu."),
])
def test_each_column_refuses_in_french(column, value, message):
    assert message in refusal(column, value)


@pytest.mark.django_db
def test_columns_that_refer_to_records_find_them_or_say_what_to_import_first(communes):
    assert clean(structures.StructureCommune, "60057", ["60057"]) == communes["Beauvais"]
    assert "commune inconnue « 99999 » (indiquez le code INSEE, pas le code postal)." in (
        refusal(structures.StructureCommune, "99999", ["99999"]))

    advisor = make.advisor(email="alice@cnfs.example.fr")
    assert clean(contracts.ContractAdvisor, "Alice@CNFS.example.fr",
                 ["Alice@CNFS.example.fr"]) == advisor
    assert "aucun conseiller « bruno@cnfs.example.fr » : importez d'abord les conseillers." in (
        refusal(contracts.ContractAdvisor, "bruno@cnfs.example.fr", ["bruno@cnfs.example.fr"]))

    structure = make.validated_structure(communes["Beauvais"])
    assert clean(contracts.Employer, structure.siret, [structure.siret]) == structure
    assert ("aucune structure avec le SIRET « 123 » : importez d'abord les structures."
            in refusal(contracts.Employer, "123", ["123"]))


@pytest.mark.parametrize("importer", imports.IMPORTERS.values())
def test_every_importer_documents_distinct_columns_that_fill_its_model(importer):
    identifiers = [column.identifier for column in importer.columns]
    assert len(set(identifiers)) == len(identifiers)
    assert set(importer.lookup) <= set(identifiers)
    model_fields = {field.name for field in importer.model._meta.get_fields()}
    for column in importer.columns:
        assert column.label and column.identifier == imports.reading.normalize_header(
            column.identifier)
        assert column.field is None or column.field in model_fields, column


@pytest.mark.django_db
def test_a_row_missing_a_required_cell_also_names_its_other_bad_cells():
    from advisors.imports import RowInvalid
    from advisors.imports.structures import StructureImporter

    row = {"siret": "abcdefghijklmn", "nom": "", "type": "inconnu", "code_insee": "99999",
           "contact_email": "pas-un-email"}
    importer = StructureImporter()
    importer.prepare([(2, row)])
    with pytest.raises(RowInvalid) as refusal:
        importer.import_row(row, actor=None)
    messages = " ".join(refusal.value.messages)
    assert "nom : champ obligatoire manquant." in messages
    for column in ("siret", "type", "code_insee", "contact_email"):
        assert f"{column} :" in messages, messages
