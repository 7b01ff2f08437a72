"""Open data files, shared by the downloads at /donnees/ and the API at /api/v1/.

Three datasets, public data only (never an advisor's name, email or phone, never a
structure's contact person), one module each for its rows:

- ``service_points``: service points in the national "lieux de médiation numérique"
  schema (v1.0.2, copied in ``schema/``): the exact field names and enumeration values;
- ``structures``: host structures with a validated application: posts granted and
  advisors active;
- ``sessions``: sessions of the Académie des territoires' published courses.

Every builder reads its queryset once (annotations and prefetches, never a query per row),
so the files are streamed row by row.

Each dataset is a declared export (``core.exports.Export``: a French label, who may run it,
headers then rows; its slug names the file), written in the national schema's CSV dialect
rather than the French Excel one of the other exports: the schema (Table Schema, validated by
data.gouv.fr's Validata and by ``frictionless``) reads UTF-8 without a byte-order mark,
``,`` between cells, ``.`` in decimals, ISO dates and "+33…" phone numbers, and harvesters
fetch a stable file name. A text cell a spreadsheet would run as a formula is still made
inert (a leading ``'``), except a number as written ("+33344000000", "-1.55"), which is
a value, not a formula, and which the schema requires as is.

Each has an ``identifier``, so ``tests/core/test_export_injection.py`` finds it in
``core.exports.EXPORTS`` and reads it in its own dialect (``csv_delimiter``, ``csv_bom``)."""

import datetime
import json
import re
from collections.abc import Iterator

from django.db.models import Max
from django.http import StreamingHttpResponse

from academy.models import Session
from advisors.models import Contract, ServicePoint, Structure
from advisors.offboarding import last_staffing_change
from core.exports import CONTENT_TYPES, CSV, JSON, XLSX, Export, content_disposition, neutralise

from .service_points import SERVICE_POINT_FIELDS, service_point_rows
from .sessions import SESSION_FIELDS, session_rows
from .structures import STRUCTURE_FIELDS, structure_rows

LICENCE_NAME = "Licence Ouverte 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_value(value) -> str:
    """A cell as the schema reads it: empty for ``None``, "true"/"false", numbers with a
    point, text made inert when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if NUMBER.fullmatch(value) else neutralise(value)
    return str(value)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?")


def spreadsheet_value(value):
    """An ISO date or date-time of the schema's rows as a date a spreadsheet sorts and
    formats (the writer shows date-times in Paris time); anything else as it is."""
    if isinstance(value, str):
        if ISO_DATE.fullmatch(value):
            return datetime.date.fromisoformat(value)
        if ISO_DATETIME.fullmatch(value):
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


class OpenDataExport(Export):
    """A public dataset: anyone may download it, as CSV (the schema's dialect) or JSON,
    both streamed. Subclasses give ``slug`` (the file name), ``description``, ``fields``
    (the columns, in order), ``records()`` (one dict a row) and ``last_update()``."""

    slug = ""
    description = ""
    fields = ()
    schema_url_name = ""
    formats = (CSV, XLSX, JSON)  # XLSX: the same rows for spreadsheet users
    csv_delimiter = ","  # the schema's dialect (Table Schema's CSV defaults)
    csv_bom = False

    @classmethod
    def allowed(cls, user):
        return True  # public data, under the Licence Ouverte

    def records(self) -> Iterator[dict]:
        raise NotImplementedError

    def last_update(self):
        raise NotImplementedError

    def headers(self):
        return list(self.fields)

    spreadsheet = False  # set while an XLSX is written

    def rows(self):
        # A spreadsheet gets real dates where the schema's files write ISO text.
        cell = spreadsheet_value if self.spreadsheet else (lambda value: value)
        for record in self.records():
            yield [cell(record.get(name)) for name in self.fields]

    def get_filename(self):
        return self.slug

    def filename(self, fmt):
        return f"{self.slug}.{fmt}"  # stable: harvesters fetch the same address every day

    def csv_cell(self, value):
        return csv_value(value)  # the schema's cells; the base class writes the rows

    def json_chunks(self):
        """A JSON array of the records, one a chunk, values typed (numbers, null)."""
        yield b"["
        separator = "\n"
        for record in self.records():
            yield (separator + json.dumps(record, ensure_ascii=False)).encode("utf-8")
            separator = ",\n"
        yield b"\n]\n"

    def write(self, fmt, output):
        self.spreadsheet = fmt == XLSX
        if fmt != JSON:
            return super().write(fmt, output)
        for chunk in self.json_chunks():
            output.write(chunk)

    def response(self, fmt, *, streaming=True):
        if fmt == XLSX:
            return super().response(fmt, streaming=streaming)
        chunks = self.csv_chunks() if fmt == CSV else self.json_chunks()
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition(self.filename(fmt))
        return response


def _latest(queryset, field="updated_at"):
    return queryset.order_by().aggregate(latest=Max(field))["latest"]


class ServicePointsExport(OpenDataExport):
    identifier = "opendata.service_points"
    slug = "lieux-mediation-numerique"
    verbose_name = "Lieux d'activité des conseillers numériques"
    description = (
        "Les permanences où les conseillers numériques reçoivent le public : adresse, "
        "coordonnées, services proposés, horaires (format OpenStreetMap) et modalités "
        "d'accès, au format du schéma national des lieux de médiation numérique (v1.0.2).")
    fields = SERVICE_POINT_FIELDS
    schema_url_name = "opendata:schema"

    def records(self):
        return service_point_rows()

    def last_update(self):
        # A place leaves or comes back with its advisors' contracts, touching no row.
        return max(filter(None, [_latest(ServicePoint.objects.public()),
                                 last_staffing_change()]), default=None)


class StructuresExport(OpenDataExport):
    identifier = "opendata.structures"
    slug = "structures"
    verbose_name = "Structures d'accueil des conseillers numériques"
    description = (
        "Les structures dont la candidature a été validée : SIRET, type, commune, "
        "département, nombre de postes attribués et de conseillers en poste.")
    fields = STRUCTURE_FIELDS

    def records(self):
        return structure_rows()

    def last_update(self):
        return max(filter(None, [_latest(Structure.objects.all()),
                                 _latest(Contract.objects.all())]), default=None)


class SessionsExport(OpenDataExport):
    identifier = "opendata.sessions"
    slug = "sessions"
    verbose_name = "Sessions de l'Académie des territoires"
    description = (
        "Les sessions des formations de l'Académie des territoires : formation, dates, "
        "lieu, format, places et statut (programmée ou annulée).")
    fields = SESSION_FIELDS

    def records(self):
        return session_rows()

    def last_update(self):
        return _latest(Session.objects.all())


DATASETS = {export.slug: export for export in (ServicePointsExport, StructuresExport,
                                                SessionsExport)}
