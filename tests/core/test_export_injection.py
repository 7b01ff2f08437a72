"""Every declared export (``core.exports.EXPORTS``, found with ``discover()``) writes a text
such as ``=HYPERLINK("http://x")`` inert: in the CSV it starts with ``'``, in the XLSX it is
a quote-prefixed text cell, never a formula.

Two checks per export: its rows replaced by the payloads (any export, whatever parameters it
needs), and, where the test can build it, the export run over records whose every text field
holds the payload. A new export is picked up without touching this file; one that needs a
parameter this file cannot guess is only checked the first way (the skip says so)."""

import csv
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models.functions import Cast, Concat
from openpyxl import load_workbook

from core.exports import CSV, EXPORTS, FORMULA_STARTS, XLSX, Export, discover

PAYLOAD = '=HYPERLINK("http://x")'
PAYLOADS = [PAYLOAD, "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]
# Exports of this repository's apps that must read the poisoned records (not only be
# skipped): their identifiers start with these.
MUST_READ_RECORDS = ("academy.", "advisors.", "opendata.")

discover()
IDENTIFIERS = sorted(EXPORTS)


def test_the_registry_finds_the_exports_of_every_app():
    assert {"academy.session_enrolments", "academy.sessions", "advisors.structures",
            "advisors.applications", "advisors.contracts"} <= set(IDENTIFIERS)
    for identifier, export_class in EXPORTS.items():
        assert issubclass(export_class, Export) and export_class.identifier == identifier
        assert export_class.verbose_name, f"{identifier} has no French label"


def assert_inert(fmt, data, export_class):
    """No cell of the file would run as a formula; returns the texts of its cells. A CSV is
    read in the export's dialect (French Excel's unless it declares another)."""
    if fmt == CSV:
        if export_class.csv_bom:
            assert data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text, newline=""),
                                            delimiter=export_class.csv_delimiter)
                 for cell in row]
        for cell in cells:
            assert not cell.startswith(FORMULA_STARTS), f"live CSV cell {cell!r}"
        return cells
    cells = [cell for row in load_workbook(io.BytesIO(data)).active.iter_rows()
             for cell in row]
    for cell in cells:
        assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
        if isinstance(cell.value, str) and cell.value.lstrip("\n").startswith(
                FORMULA_STARTS):
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    return [str(cell.value) for cell in cells if cell.value is not None]


def build(export_class, **kwargs):
    try:
        return export_class(**kwargs)
    except TypeError:  # an export with its own constructor: only its rows are replaced
        export = object.__new__(export_class)
        Export.__init__(export)
        return export


@pytest.mark.parametrize("identifier", IDENTIFIERS)
@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_payloads_in_the_rows_come_out_inert(identifier, fmt, monkeypatch):
    export_class = EXPORTS[identifier]
    if fmt not in export_class.formats:
        pytest.skip(f"{identifier} offers no {fmt}")
    export = build(export_class)
    try:
        width = len(export.headers())
    except Exception:  # headers that read a parameter: use ours
        width = len(PAYLOADS)
        monkeypatch.setattr(export, "headers", lambda: [f"C{n}" for n in range(width)])
    monkeypatch.setattr(export, "rows", lambda: iter(
        [[PAYLOADS[(n + shift) % len(PAYLOADS)] for n in range(width)]
         for shift in range(len(PAYLOADS))]))
    monkeypatch.setattr(export, "total", lambda: None)
    buffer = io.BytesIO()
    export.write(fmt, buffer)
    cells = assert_inert(fmt, buffer.getvalue(), export_class)
    assert any(PAYLOAD in cell for cell in cells)


# --- records whose text fields hold the payload ------------------------------------------
def _project_models():
    root = str(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if config.path.startswith(root) and ".venv" not in config.path:
            for model in config.get_models():
                if model._meta.managed and not model._meta.proxy:
                    yield model


def poison_text_fields():
    """Every free text field of the project's models (not codes with choices, not short
    ones) takes the payload, followed by the row's id where values must be unique."""
    for model in _project_models():
        for field in model._meta.local_concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)) or field.choices \
                    or field.primary_key or (field.max_length or 1000) < 40:
                continue
            value = (Concat(models.Value(PAYLOAD), Cast("pk", models.CharField()))
                     if field.unique else models.Value(PAYLOAD))
            try:
                with transaction.atomic():
                    model._base_manager.update(**{field.attname: value})
            except (IntegrityError, DatabaseError):
                pass


@pytest.fixture
def poisoned(db, django_user_model):
    from academy.models import Enrolment
    from tests import factories as academy_make
    from tests.advisors import factories as make

    communes = make.geography()
    structure = make.validated_structure(communes["Beauvais"])
    convention = make.convention(structure)
    convention.amendments.create(kind="add", posts=1, reason="Deux communes de plus",
                                 status="pending_opinion")
    advisor = make.advisor()
    make.contract(structure, advisor)
    make.service_point(structure, advisors=[advisor])
    make.activity_report(advisor, communes["Beauvais"], structure)
    session = academy_make.session(academy_make.course("Cybersécurité"), communes["Beauvais"],
                                   trainers="Camille")
    Enrolment.objects.create(session=session, user=make.user(email="p@example.fr"),
                             status=Enrolment.Status.CONFIRMED)
    # An anonymous answer to the session's satisfaction questionnaire (academy.survey_*).
    from academy.models import QuestionSet, SurveyResponse

    question_set = QuestionSet.objects.get(stage="end", is_default=True)
    SurveyResponse.objects.create(session=session, stage="end", question_set=question_set) \
        .answers.create(question=question_set.questions.last(), label="Remarques", text="x")
    superuser = django_user_model.objects.create_superuser(email="su@example.fr",
                                                          password="x")
    poison_text_fields()
    return {"user": superuser, "session": session}


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_records_holding_payloads_come_out_inert(identifier, poisoned):
    export_class = EXPORTS[identifier]
    params = {name: poisoned.get(name) for name in export_class.params}
    must_read = identifier.startswith(MUST_READ_RECORDS)
    try:
        export = export_class(poisoned["user"], **params)
        files = {fmt: export_class(poisoned["user"], **params).render(fmt)[2]
                 for fmt in (CSV, XLSX) if fmt in export_class.formats}
    except Exception as error:
        if must_read:
            raise
        pytest.skip(f"{identifier} needs parameters this test cannot build: {error!r}")
    assert export.allowed(poisoned["user"])
    for fmt, data in files.items():
        cells = assert_inert(fmt, data, export_class)
        if must_read:
            assert any(PAYLOAD in cell for cell in cells), f"{identifier} {fmt}: no payload"
