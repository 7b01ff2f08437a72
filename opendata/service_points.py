"""The service points file, in the national "lieux de médiation numérique" schema (v1.0.2,
copied in ``schema/``): its exact field names, in its order, and its enumeration values.
Public data only: an advisor's own email or phone is never published.

The queryset reads everything a row needs in a fixed number of queries (annotations and
prefetches), so the file is streamed row by row; the API's ``/lieux`` builds its items with
``service_point_row`` too."""

import datetime
import json
import re
from collections.abc import Iterator
from pathlib import Path

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from advisors.models import Advisor, Closure, PlaceService, ServicePoint, Structure
from calendars.opening_hours import HoursRange, osm_opening_hours

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_PATH = SCHEMA_DIR / "schema.json"

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
