"""Open data rows, shared by the downloads at /donnees/ and the API at /api/v1/.

Three datasets, public data only (never an advisor's name, email or phone, never a
structure's contact person):

- service points in the national "lieux de médiation numérique" schema (v1.0.2, copied in
  ``schema/``): the exact field names and enumeration values;
- host structures with a validated application: posts granted and advisors active;
- sessions of the Académie des territoires' published courses.

Every builder reads its queryset once (annotations and prefetches, never a query per row),
so the files can be streamed row by row."""

import csv
import datetime
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Subquery, Value
from django.db.models import IntegerField as IntegerFieldType
from django.db.models.functions import Coalesce
from django.utils import timezone

from academy.models import CoursePage, Format, Session
from calendars.opening_hours import HoursRange, osm_opening_hours

from ..models import Advisor, Closure, Contract, PlaceService, ServicePoint, Structure

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_PATH = SCHEMA_DIR / "schema.json"

LICENCE_NAME = "Licence Ouverte 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
SOURCE = "Conseillers numériques (ANCT)"
PROGRAMME = "Conseillers numériques"


def schema_field_names() -> list[str]:
    """The field names of the national schema, in its order."""
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return [field["name"] for field in json.load(handle)["fields"]]


# The columns of the service points files: those of the national schema, in its order.
SERVICE_POINT_FIELDS = [
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse",
    "complement_adresse", "latitude", "longitude", "typologie", "telephone", "courriels",
    "site_web", "horaires", "presentation_resume", "presentation_detail", "source",
    "itinerance", "structure_parente", "date_maj", "services",
    "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
    "dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels",
    "modalites_acces", "modalites_accompagnement", "fiche_acces_libre", "prise_rdv",
]

# Our service codes → the schema's "services" values (v1.0.2 has nine; health procedures
# are administrative procedures, repair is about equipment, digital culture is
# understanding the digital world). Listed in the schema's order.
SCHEMA_SERVICES = [
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
]
SERVICE_TO_SCHEMA = {
    PlaceService.ADMINISTRATIVE_PROCEDURES: "Aide aux démarches administratives",
    PlaceService.HEALTH_PROCEDURES: "Aide aux démarches administratives",
    PlaceService.EVERYDAY_TOOLS: "Maîtrise des outils numériques du quotidien",
    PlaceService.PROFESSIONAL_INTEGRATION: "Insertion professionnelle via le numérique",
    PlaceService.SAFE_USE: "Utilisation sécurisée du numérique",
    PlaceService.PARENTING: "Parentalité et éducation avec le numérique",
    PlaceService.LEISURE: "Loisirs et créations numériques",
    PlaceService.UNDERSTANDING_DIGITAL: "Compréhension du monde numérique",
    PlaceService.DIGITAL_CULTURE: "Compréhension du monde numérique",
    PlaceService.INTERNET_ACCESS: "Accès internet et matériel informatique",
    PlaceService.REPAIR: "Accès internet et matériel informatique",
    PlaceService.EQUIPMENT: "Acquisition de matériel informatique à prix solidaire",
}

# Structure kinds → data.inclusion "typologies de structure" (left empty when none fits).
STRUCTURE_TYPOLOGY = {
    Structure.Kind.COMMUNE: "MUNI",
    Structure.Kind.EPCI: "EPCI",
    Structure.Kind.DEPARTMENT: "DEPT",
    Structure.Kind.REGION: "REG",
    Structure.Kind.ASSOCIATION: "ASSO",
}

OSM_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec"]
PRESENTATION = {
    ServicePoint.Access.FREE: "Accompagnement gratuit au numérique par les conseillers "
                              "numériques, en accès libre.",
    ServicePoint.Access.APPOINTMENT: "Accompagnement gratuit au numérique par les "
                                     "conseillers numériques, sur rendez-vous.",
    ServicePoint.Access.RESTRICTED: "Accompagnement gratuit au numérique par les "
                                    "conseillers numériques, réservé à un public.",
}


def schema_services(codes) -> str:
    values = {SERVICE_TO_SCHEMA[code] for code in codes or [] if code in SERVICE_TO_SCHEMA}
    return "|".join(value for value in SCHEMA_SERVICES if value in values)


def international_phone(phone: str) -> str:
    """"0123456789" → "+33123456789"; empty when the number does not fit the schema."""
    phone = re.sub(r"[\s.\-()]", "", phone or "")
    if re.fullmatch(r"0\d{9}", phone):
        phone = "+33" + phone[1:]
    pattern = r"(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}"
    return phone if re.fullmatch(pattern, phone) else ""


def _osm_date(day: datetime.date) -> str:
    return f"{day.year} {OSM_MONTHS[day.month - 1]} {day.day:02d}"


def osm_horaires(point, today=None) -> str:
    """The weekly hours in OpenStreetMap syntax, public holidays off, and the closures not
    over yet ("2026 Dec 24-2027 Jan 02 off"). Empty without hours. Reads the prefetched
    ``opening_ranges`` and ``upcoming_closures``."""
    ranges = [HoursRange(r.weekday, r.opens, r.closes, key=f"{r.weekday}-{r.period}")
              for r in point.opening_ranges.all()]
    if not ranges:
        return ""
    rules = [osm_opening_hours(ranges)]
    for closure in getattr(point, "upcoming_closures", []):
        if closure.start == closure.end:
            rules.append(f"{_osm_date(closure.start)} off")
        else:
            rules.append(f"{_osm_date(closure.start)}-{_osm_date(closure.end)} off")
    return "; ".join(rules)


def service_points_queryset(queryset=None):
    """Public service points with everything their rows read, in a fixed number of
    queries. ``personal_email`` / ``personal_phone`` tell a contact that is an advisor's own
    (never published)."""
    today = timezone.localdate()
    queryset = ServicePoint.objects.all() if queryset is None else queryset
    advisor_email = Advisor.objects.filter(email__iexact=OuterRef("email"))
    advisor_phone = Advisor.objects.filter(phone=OuterRef("phone"))
    return (queryset.public()
            .select_related("commune", "structure")
            .annotate(personal_email=Exists(advisor_email), personal_phone=Exists(advisor_phone))
            .prefetch_related(
                "opening_ranges",
                Prefetch("closures", queryset=Closure.objects.filter(end__gte=today)
                         .order_by("start"), to_attr="upcoming_closures"),
            ))


def _access_modes(point, phone, email) -> str:
    modes = []
    if point.access == ServicePoint.Access.FREE:
        modes.append("Se présenter")
    if phone:
        modes.append("Téléphoner")
    if email:
        modes.append("Contacter par mail")
    if point.booking_url:
        modes.append("Prendre un RDV en ligne")
    return "|".join(modes)


def service_point_row(point) -> dict:
    """One row of the national schema. ``None`` for what we do not know."""
    commune = point.commune
    structure = point.structure
    phone = "" if point.personal_phone else international_phone(point.phone)
    email = "" if point.personal_email else (point.email or "")
    row = {
        "id": str(point.pk),
        "pivot": structure.siret,
        "nom": point.name,
        "commune": commune.name,
        "code_postal": (commune.postal_codes or [None])[0],
        "code_insee": commune.insee_code,
        "adresse": point.address.strip() or commune.name,  # required; itinerant: the commune
        "complement_adresse": None,
        "latitude": point.latitude,
        "longitude": point.longitude,
        "typologie": STRUCTURE_TYPOLOGY.get(structure.kind),
        "telephone": phone,
        "courriels": email,
        "site_web": point.website,
        "horaires": osm_horaires(point),
        "presentation_resume": PRESENTATION.get(point.access),
        "presentation_detail": None,
        "source": SOURCE,
        "itinerance": "Itinérant" if point.is_itinerant else "Fixe",
        "structure_parente": structure.name,
        "date_maj": timezone.localtime(point.updated_at).date().isoformat(),
        "services": schema_services(point.services),
        "publics_specifiquement_adresses": None,
        "prise_en_charge_specifique": None,
        "frais_a_charge": "Gratuit",
        "dispositif_programmes_nationaux": PROGRAMME,
        "formations_labels": None,
        "autres_formations_labels": None,
        "modalites_acces": _access_modes(point, phone, email),
        "modalites_accompagnement": None,
        "fiche_acces_libre": None,
        "prise_rdv": point.booking_url,
    }
    return {key: (value if value != "" else None) for key, value in row.items()}


def service_point_rows(queryset=None) -> Iterator[dict]:
    for point in service_points_queryset(queryset).iterator(chunk_size=500):
        yield service_point_row(point)


# --- Structures -------------------------------------------------------------------------

STRUCTURE_FIELDS = [
    "siret", "nom", "type", "type_libelle", "code_insee", "commune", "code_departement",
    "departement", "code_region", "region", "postes_attribues", "conseillers_actifs",
]


def active_advisors_subquery(on=None):
    """Subquery: distinct advisors with an active contract at the outer structure."""
    contracts = (Contract.objects.active(on).filter(structure=OuterRef("pk")).order_by()
                 .values("structure_id").annotate(n=Count("advisor_id", distinct=True))
                 .values("n"))
    return Coalesce(Subquery(contracts, output_field=IntegerFieldType()), Value(0))


def structures_queryset(queryset=None):
    """Structures with a validated application (those that host advisors)."""
    queryset = Structure.objects.all() if queryset is None else queryset
    return (queryset.with_validated_application().with_posts()
            .annotate(active_advisors=active_advisors_subquery())
            .select_related("commune__department__region").order_by("name", "pk"))


def structure_row(structure) -> dict:
    commune = structure.commune
    department = commune.department
    return {
        "siret": structure.siret,
        "nom": structure.name,
        "type": structure.kind,
        "type_libelle": structure.get_kind_display(),
        "code_insee": commune.insee_code,
        "commune": commune.name,
        "code_departement": department.code,
        "departement": department.name,
        "code_region": department.region.code,
        "region": department.region.name,
        "postes_attribues": structure.granted_posts,
        "conseillers_actifs": structure.active_advisors,
    }


def structure_rows(queryset=None) -> Iterator[dict]:
    for structure in structures_queryset(queryset).iterator(chunk_size=500):
        yield structure_row(structure)


# --- Academy sessions -------------------------------------------------------------------

SESSION_FIELDS = [
    "id", "formation", "debut", "fin", "format", "format_libelle", "lieu", "code_insee",
    "commune", "code_departement", "places", "places_restantes", "statut", "statut_libelle",
]


def public_courses():
    """Published course pages open to everyone (no view restriction)."""
    return CoursePage.objects.live().public().values("pk")


def sessions_queryset(queryset=None):
    """Sessions of published, unrestricted courses, past and future, with their seats."""
    queryset = Session.objects.all() if queryset is None else queryset
    return (queryset.filter(course__in=public_courses()).with_seats()
            .select_related("course", "commune__department").order_by("start", "pk"))


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def session_row(session) -> dict:
    commune = session.commune
    return {
        "id": session.pk,
        "formation": session.course.title,
        "debut": _iso(session.start),
        "fin": _iso(session.end),
        "format": session.course.format,
        "format_libelle": dict(Format.choices).get(session.course.format,
                                                   session.course.format),
        "lieu": (session.address or None) if commune else "À distance",
        "code_insee": commune.insee_code if commune else None,
        "commune": commune.name if commune else None,
        "code_departement": commune.department.code if commune else None,
        "places": session.capacity,
        "places_restantes": max(session.seats_left, 0),
        "statut": session.status,
        "statut_libelle": session.get_status_display(),
    }


def session_rows(queryset=None) -> Iterator[dict]:
    for session in sessions_queryset(queryset).iterator(chunk_size=500):
        yield session_row(session)


# --- Datasets and serialisation ---------------------------------------------------------

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
