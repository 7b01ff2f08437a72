"""The public read-only API at /api/v1/ (django-ninja): service points, structures, academy
sessions and statistics by département. The rows are those of the open data files
(``opendata.exports``), with the same French field names.

Anonymous, GET only, rate limited per client address (``API_RATE_LIMIT``, default
``DEFAULT_RATE_LIMIT``), CORS open (settings ``CORS_URLS_REGEX``). Errors answer
``{"detail": "…"}`` in French: 400 for a bad parameter, 404 for an unknown id, 429 past the
rate limit."""

import math
import threading
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404
from ninja import Field, Path, Query, Schema
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.throttling import AnonRateThrottle

from academy.calendar import FeedFilterError, feed_filters, public_sessions
from academy.models import Audience, Format, Session
from advisors.geo import NearestFirst
from advisors.models import Contract, PlaceService, ServicePoint, Structure
from advisors.paging import load_in_order
from dashboards import cache as dashboards_cache
from dashboards.cache import cached
from dashboards.indicators import Territory, post_totals
from territories.models import Commune, Department

from .cache import CachingNinjaAPI, kept_for_everyone
from .service_points import service_point_row, service_points_queryset
from .sessions import public_courses, session_row, sessions_queryset
from .structures import structure_row, structures_queryset

DEFAULT_RATE_LIMIT = "60/min"
MAX_PAGE_SIZE = 100
MAX_ID = 2**63 - 1  # beyond, no row (and the database would refuse the number)
DEPARTMENT_PATTERN = r"^(\d{2,3}|2[AB])$"


class PublicRateThrottle(AnonRateThrottle):
    """Requests per client address; the rate is read on each request so that the setting
    ``API_RATE_LIMIT`` (e.g. "60/min") can change it without a restart.

    Counted in the cache (shared by every process) per address and per window of the rate's
    duration, by atomic increments, instead of ninja's list of every request's time read
    and written back whole on each request (at a high limit, tens of thousands of times per
    request, and two concurrent requests lost each other's). The previous window counts for
    the part of it still within the last duration (a sliding window, estimated), so that a
    run of requests across a window's end gets no more than the limit either.

    A process takes its requests from the shared count by *reservations* of a hundredth of
    the limit (one request at a time for limits under 200): the shared count holds every
    request reserved, used or not, so the limit is never exceeded, whatever the number of
    processes, and a client far under a high limit costs one cache round trip per
    reservation instead of two per request. A refused request is not counted. What is kept
    on the instance, which every thread shares, is kept under a lock."""

    def __init__(self):
        super().__init__(rate=DEFAULT_RATE_LIMIT)
        self._lock = threading.Lock()
        self._reserved = {}  # window's key -> [requests reserved, requests used]
        self._previous = {}  # previous window's key -> its final count (read once)
        self._waits = threading.local()

    def allow_request(self, request):
        rate = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
        limit, duration = _parsed_rate(self, rate)
        now = self.timer()
        window = int(now // duration)
        elapsed = now / duration - window
        base = self.cache_format % {"scope": "api", "ident": self.get_ident(request)}
        key = f"{base}_{duration}_{window}"
        with self._lock:
            reserved = self._reserved.get(key)
            if reserved is not None and reserved[1] < reserved[0]:
                reserved[1] += 1
                return True
        room = limit - self._previous_count(f"{base}_{duration}_{window - 1}") * (1 - elapsed)
        size = max(1, limit // 100)
        total = _increment(key, size, duration * 2)
        granted = min(size, math.floor(room - (total - size)))
        if granted < size:
            _decrement(key, size - max(granted, 0))
        if granted <= 0:
            self._waits.seconds = (1 - elapsed) * duration
            return False
        with self._lock:
            if len(self._reserved) > 10_000:
                self._reserved.clear()  # unused reservations are lost: stricter, not looser
            reserved = self._reserved.setdefault(key, [0, 0])
            reserved[0] += granted
            reserved[1] += 1
        return True

    def _previous_count(self, key):
        try:
            return self._previous[key]
        except KeyError:
            pass
        count = cache.get(key) or 0
        with self._lock:
            if len(self._previous) > 10_000:
                self._previous.clear()
            self._previous[key] = count
        return count

    def wait(self):
        return getattr(self._waits, "seconds", None)


_RATES = {}  # "60/min" -> (60, 60)


def _parsed_rate(throttle, rate):
    parsed = _RATES.get(rate)
    if parsed is None:
        parsed = _RATES[rate] = throttle.parse_rate(rate)
    return parsed


def _increment(key, delta, timeout):
    """The key's count after adding ``delta`` (a new key starts there, for ``timeout``)."""
    try:
        return cache.incr(key, delta)
    except ValueError:
        if cache.add(key, delta, timeout):
            return delta
    try:
        return cache.incr(key, delta)
    except ValueError:  # the cache answers nothing (config.cache): counted as first
        return delta


def _decrement(key, delta):
    try:
        cache.decr(key, delta)
    except ValueError:
        pass


api = CachingNinjaAPI(
    urls_namespace="api-v1",
    title="API des Conseillers numériques et de l'Académie des territoires",
    version="1",
    description=(
        "Données publiques, en lecture seule : lieux de médiation numérique (schéma national "
        "v1.0.2), structures d'accueil, sessions de formation et statistiques par "
        "département. Licence Ouverte 2.0. Sans authentification, limitée à "
        f"{DEFAULT_RATE_LIMIT} requêtes par adresse."),
    throttle=[PublicRateThrottle()],
)


# --- Errors -----------------------------------------------------------------------------

class Error(Schema):
    detail: str = Field(..., description="Explication en français.")


ERRORS = {400: Error, 429: Error}


def _describe_validation(errors) -> str:
    parts = []
    for error in errors:
        location = [str(p) for p in error.get("loc", ()) if p not in ("query", "path",
                                                                      "ninja_pagination")]
        name = ".".join(location) or "requête"
        parts.append(f"{name} : valeur invalide")
    return "Paramètres invalides — " + ", ".join(parts) + "." if parts else (
        "Paramètres invalides.")


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": _describe_validation(exc.errors)},
                               status=400)


@api.exception_handler(Throttled)
def throttled(request, exc):
    response = api.create_response(
        request, {"detail": "Trop de requêtes : réessayez dans un instant."}, status=429)
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Ressource introuvable."},
                               status=404)


class Pagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000, description="Numéro de page (à partir de 1).")
        page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE,
                               description=f"Résultats par page ({MAX_PAGE_SIZE} au plus).")

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="Nombre total de résultats.")

    def __init__(self, **kwargs):
        super().__init__(page_size=20, max_page_size=MAX_PAGE_SIZE, **kwargs)


# --- Service points ---------------------------------------------------------------------

class Lieu(Schema):
    """A service point, in the national "lieux de médiation numérique" schema."""

    id: str
    pivot: str
    nom: str
    commune: str
    code_postal: str | None
    code_insee: str | None
    adresse: str
    complement_adresse: str | None
    latitude: float | None
    longitude: float | None
    typologie: str | None
    telephone: str | None
    courriels: str | None
    site_web: str | None
    horaires: str | None
    presentation_resume: str | None
    presentation_detail: str | None
    source: str | None
    itinerance: str | None
    structure_parente: str | None
    date_maj: str
    services: str | None
    publics_specifiquement_adresses: str | None
    prise_en_charge_specifique: str | None
    frais_a_charge: str | None
    dispositif_programmes_nationaux: str | None
    formations_labels: str | None
    autres_formations_labels: str | None
    modalites_acces: str | None
    modalites_accompagnement: str | None
    fiche_acces_libre: str | None
    prise_rdv: str | None
    distance_km: float | None = Field(
        None, description="Distance au point « near », en kilomètres.")


class LieuFilters(Schema):
    departement: str | None = Field(None, pattern=DEPARTMENT_PATTERN,
                                    description="Code du département, par exemple 60.")
    commune: str | None = Field(None, pattern=r"^([013-9]\d|2[AB1-9])\d{3}$",
                                description="Code INSEE de la commune, par exemple 60057.")
    service: PlaceService | None = Field(None, description="Code du service proposé.")
    near: str | None = Field(
        None, pattern=r"^-?\d{1,2}(\.\d{1,8})?,-?\d{1,3}(\.\d{1,8})?$",
        description="Point de recherche « latitude,longitude », par exemple 49.43,2.08 : "
                    "les lieux sont alors triés du plus proche au plus lointain.")
    rayon_km: float | None = Field(
        None, gt=0, le=1000, allow_inf_nan=False,
        description="Avec « near » : distance maximale en km. Avec « commune » : les lieux à "
                    "moins de cette distance du centre de la commune (et non plus ceux de la "
                    "seule commune), du plus proche au plus lointain.")


def _near(value):
    latitude, longitude = (float(part) for part in value.split(","))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise HttpError(400, "near : latitude entre -90 et 90, longitude entre -180 et 180.")
    return latitude, longitude


def _commune_centre(insee_code):
    centre = Commune.objects.filter(insee_code=insee_code).values_list(
        "latitude", "longitude").first()
    if centre is None:
        raise HttpError(400, "commune : aucune commune n'a ce code INSEE.")
    if None in centre:
        raise HttpError(400, "commune : position de la commune inconnue ; utilisez near.")
    return centre


class RowsPage:
    """Rows built lazily for one page: the paginator counts and slices ``keys`` (the
    filtered, ordered rows, without joins or annotations); the page's rows are then read
    from ``details`` (``paging.load_in_order``) and built by ``build``."""

    def __init__(self, keys, details, build):
        self.keys, self.details, self.build = keys, details, build

    def all(self):
        return self

    def count(self):
        return self.keys.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.build(row) for row in load_in_order(self.details, self.keys[item])]


def lieu_row(point):
    row = service_point_row(point)
    row["distance_km"] = (round(point.distance_km, 3)
                          if getattr(point, "distance_km", None) is not None else None)
    return row


@api.get("/lieux", response={200: list[Lieu], **ERRORS}, tags=["Lieux"],
         summary="Lieux de médiation numérique des conseillers numériques")
@kept_for_everyone
@paginate(Pagination)
def lieux(request, filters: Query[LieuFilters]):
    if filters.rayon_km is not None and not (filters.near or filters.commune):
        raise HttpError(400, "rayon_km s'utilise avec near=latitude,longitude ou "
                             "commune=code INSEE.")
    points = ServicePoint.objects.public()
    around = None
    if filters.departement:
        points = points.filter(commune__department__code=filters.departement)
    if filters.commune and filters.rayon_km is not None and not filters.near:
        around = _commune_centre(filters.commune)
    elif filters.commune:
        points = points.filter(commune__insee_code=filters.commune)
    if filters.service:
        points = points.filter(_offers(filters.service.value))
    if filters.near or around:
        latitude, longitude = around or _near(filters.near)
        keys = NearestFirst(points.only("pk", "latitude", "longitude"), latitude, longitude,
                            within_km=filters.rayon_km, placed_only=True)
    else:
        keys = points.order_by("pk").only("pk")
    return RowsPage(keys, service_points_queryset(), lieu_row)


def _offers(code):
    """Service points whose ``services`` list holds the code: JSON containment where the
    database has it (PostgreSQL), else the quoted code in the JSON text (SQLite)."""
    if connection.features.supports_json_field_contains:
        return Q(services__contains=[code])
    return Q(services__icontains=f'"{code}"')


@api.get("/lieux/{lieu_id}", response={200: Lieu, 404: Error, **ERRORS}, tags=["Lieux"],
         summary="Un lieu de médiation numérique")
def lieu(request, lieu_id: Path[int]):
    point = None
    if 1 <= lieu_id <= MAX_ID:
        point = service_points_queryset().filter(pk=lieu_id).first()
    if point is None:
        raise Http404("Lieu introuvable.")
    return service_point_row(point)


# --- Structures -------------------------------------------------------------------------

class StructureOut(Schema):
    siret: str
    nom: str
    type: str
    type_libelle: str
    code_insee: str
    commune: str
    code_departement: str
    departement: str
    code_region: str
    region: str
    postes_attribues: int
    conseillers_actifs: int


class StructureFilters(Schema):
    departement: str | None = Field(None, pattern=DEPARTMENT_PATTERN,
                                    description="Code du département.")
    type: Structure.Kind | None = Field(None, description="Type de structure.")


@api.get("/structures", response={200: list[StructureOut], **ERRORS}, tags=["Structures"],
         summary="Structures d'accueil (candidature validée)")
@kept_for_everyone
@paginate(Pagination)
def structures(request, filters: Query[StructureFilters]):
    queryset = Structure.objects.all()
    if filters.departement:
        queryset = queryset.filter(commune__department__code=filters.departement)
    if filters.type:
        queryset = queryset.filter(kind=filters.type.value)
    keys = queryset.with_validated_application().order_by("name", "pk").only("pk")
    return RowsPage(keys, structures_queryset(), structure_row)


# --- Academy sessions -------------------------------------------------------------------

class SessionOut(Schema):
    id: int
    formation: str
    debut: str
    fin: str
    format: str
    format_libelle: str
    lieu: str | None
    code_insee: str | None
    commune: str | None
    code_departement: str | None
    places: int
    places_restantes: int
    statut: str
    statut_libelle: str


class SessionFilters(Schema):
    theme: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]{1,50}$",
                              description="Thème du catalogue (identifiant).")
    departement: str | None = Field(None, pattern=DEPARTMENT_PATTERN,
                                    description="Code du département.")
    region: str | None = Field(None, pattern=r"^\d{2,3}$", description="Code de la région.")
    format: Format | None = None
    audience: Audience | None = None


@api.get("/sessions", response={200: list[SessionOut], **ERRORS}, tags=["Académie"],
         summary="Sessions à venir de l'Académie des territoires")
@kept_for_everyone
@paginate(Pagination)
def sessions(request, filters: Query[SessionFilters]):
    params = {"theme": filters.theme, "department": filters.departement,
              "region": filters.region,
              "format": filters.format.value if filters.format else None,
              "audience": filters.audience.value if filters.audience else None}
    try:
        found, _labels = feed_filters({k: v for k, v in params.items() if v})
    except FeedFilterError as error:
        raise HttpError(400, str(error)) from error
    upcoming = public_sessions(found).values("pk")
    keys = (Session.objects.filter(pk__in=upcoming, course__in=public_courses())
            .order_by("start", "pk").only("pk"))
    return RowsPage(keys, sessions_queryset(), session_row)


# --- Statistics -------------------------------------------------------------------------

class DepartementStats(Schema):
    code_departement: str
    departement: str
    code_region: str
    structures_validees: int
    postes_attribues: int
    conseillers_actifs: int
    lieux_publics: int


def department_statistics(region=None):
    """One row per département, from four aggregate queries, kept in the dashboards' cache
    until what they count changes."""
    return cached(("api-department-statistics", region or "all"),
                  lambda: _department_statistics(region))


def _department_statistics(region):
    departments = Department.objects.select_related("region").order_by("code")
    if region:
        departments = departments.filter(region__code=region)
    validated = Structure.objects.with_validated_application()
    structures = dict(validated.order_by().values_list("commune__department")
                      .annotate(n=Count("pk")))
    # Granted posts as the dashboards sum them (validated applications and amendments).
    posts = {unit: totals["granted"] for unit, totals in
             post_totals(Territory("national"), unit="department_id").items()}
    advisors = dict(Contract.objects.active().order_by()
                    .values_list("structure__commune__department")
                    .annotate(n=Count("advisor_id", distinct=True)))
    points = dict(ServicePoint.objects.public().order_by().values_list("commune__department")
                  .annotate(n=Count("pk")))
    return [{
        "code_departement": d.code, "departement": d.name, "code_region": d.region.code,
        "structures_validees": structures.get(d.pk, 0),
        "postes_attribues": posts.get(d.pk) or 0,
        "conseillers_actifs": advisors.get(d.pk, 0),
        "lieux_publics": points.get(d.pk, 0),
    } for d in departments]


class StatsFilters(Schema):
    region: str | None = Field(None, pattern=r"^\d{2,3}$", description="Code de la région.")


@api.get("/statistiques/departements", response={200: list[DepartementStats], **ERRORS},
         tags=["Statistiques"], summary="Chiffres du programme par département")
@kept_for_everyone(also=(dashboards_cache.VERSION,))
@paginate(Pagination)
def statistiques_departements(request, filters: Query[StatsFilters]):
    return department_statistics(filters.region)
