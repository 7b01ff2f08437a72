"""Open data files, shared by the downloads at /donnees/ and the API at /api/v1/.

Three datasets, public data only (never an advisor's name, email or phone, never a
structure's contact person), one module each for its rows:

- ``service_points``: service points in the national "lieux de médiation numérique"
  schema (v1.0.2, copied in ``schema/``): the exact field names and enumeration values;
- ``structures``: host structures with a validated application: posts granted and
  advisors active;
- ``sessions``: sessions of the Académie des territoires' published courses.

Every builder reads its queryset once (annotations and prefetches, never a query per row),
so the files can be streamed row by row. This module lists the datasets and writes them as
CSV and JSON."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Max

from academy.models import Session
from advisors.models import Contract, ServicePoint, Structure

from .service_points import SERVICE_POINT_FIELDS, service_point_rows
from .sessions import SESSION_FIELDS, session_rows
from .structures import STRUCTURE_FIELDS, structure_rows

LICENCE_NAME = "Licence Ouverte 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    fields: list
    rows: object  # () -> Iterator[dict]
    last_update: object  # () -> datetime | None
    schema_url_name: str = ""


def _latest(queryset, field="updated_at"):
    return queryset.order_by().aggregate(latest=Max(field))["latest"]


DATASETS = {
    "lieux-mediation-numerique": Dataset(
        slug="lieux-mediation-numerique",
        title="Lieux d'activité des conseillers numériques",
        description=(
            "Les permanences où les conseillers numériques reçoivent le public : adresse, "
            "coordonnées, services proposés, horaires (format OpenStreetMap) et modalités "
            "d'accès, au format du schéma national des lieux de médiation numérique "
            "(v1.0.2)."),
        fields=SERVICE_POINT_FIELDS,
        rows=service_point_rows,
        last_update=lambda: _latest(ServicePoint.objects.public()),
        schema_url_name="opendata:schema",
    ),
    "structures": Dataset(
        slug="structures",
        title="Structures d'accueil des conseillers numériques",
        description=(
            "Les structures dont la candidature a été validée : SIRET, type, commune, "
            "département, nombre de postes attribués et de conseillers en poste."),
        fields=STRUCTURE_FIELDS,
        rows=structure_rows,
        last_update=lambda: max(filter(None, [
            _latest(Structure.objects.all()),
            _latest(Contract.objects.all()),
        ]), default=None),
    ),
    "sessions": Dataset(
        slug="sessions",
        title="Sessions de l'Académie des territoires",
        description=(
            "Les sessions des formations de l'Académie des territoires : formation, dates, "
            "lieu, format, places et statut (programmée ou annulée)."),
        fields=SESSION_FIELDS,
        rows=session_rows,
        last_update=lambda: _latest(Session.objects.all()),
    ),
}


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_lines(fields: list, rows: Iterable[dict]) -> Iterator[str]:
    """The CSV file line by line (header first), for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(fields)
    yield flush()
    for row in rows:
        writer.writerow([_csv_value(row.get(name)) for name in fields])
        yield flush()


def json_chunks(rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array, one row per chunk, for a streaming response."""
    yield "["
    first = True
    for row in rows:
        yield ("\n" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]\n"
