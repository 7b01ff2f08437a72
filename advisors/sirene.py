"""The business register (API Recherche d'entreprises, public, no key): does a SIRET exist,
is the establishment active, what are its name and address?

``SIRENE_SEARCH_URL`` names the endpoint (``https://recherche-entreprises.api.gouv.fr/search``
in production); empty, the register is not asked (the default in development and tests,
which point it at a local server). An answer is kept in the cache for a day; an unreachable,
slow or garbled register is "unavailable" and never blocks a form."""

import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

FOUND, NOT_FOUND, UNAVAILABLE = "found", "not_found", "unavailable"
CACHE_SECONDS = 24 * 3600
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Lookup:
    status: str  # FOUND, NOT_FOUND or UNAVAILABLE
    siret: str = ""
    name: str = ""
    address: str = ""  # the street part ("12 RUE DE LA MAIRIE")
    postal_code: str = ""
    commune_name: str = ""
    insee_code: str = ""
    active: bool = False

    @property
    def found(self):
        return self.status == FOUND

    def commune(self):
        """The Commune of the establishment, when the register names one we know."""
        from territories.models import Commune

        if not self.insee_code:
            return None
        return Commune.objects.select_related("department").filter(
            insee_code=self.insee_code).first()


def lookup(siret: str) -> Lookup:
    """What the register says about this 14-digit SIRET."""
    url = getattr(settings, "SIRENE_SEARCH_URL", "")
    if not url:
        return Lookup(UNAVAILABLE, siret)
    key = f"sirene:{hashlib.sha256(url.encode()).hexdigest()[:12]}:{siret}"
    kept = cache.get(key)
    if kept is not None:
        return Lookup(**kept)
    answer = _ask(url, siret)
    if answer is None:
        return Lookup(UNAVAILABLE, siret)
    result = _read(answer, siret)
    cache.set(key, asdict(result), CACHE_SECONDS)
    return result


def _ask(url, siret):
    query = urllib.parse.urlencode({"q": siret})
    request = urllib.request.Request(f"{url}?{query}", headers={
        "Accept": "application/json", "User-Agent": "anct-platform (conseillers numeriques)"})
    timeout = float(getattr(settings, "SIRENE_SEARCH_TIMEOUT", 2))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = json.loads(response.read(MAX_BYTES))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        logger.info("Business register unavailable for %s: %s", siret, error)
        return None
    return data if isinstance(data, dict) else None


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _street(address, postal_code, commune_name):
    """"12 RUE DE LA MAIRIE 60000 BEAUVAIS" → "12 RUE DE LA MAIRIE"."""
    address = _text(address)
    if postal_code and f" {postal_code}" in address:
        address = address[:address.rindex(f" {postal_code}")]
    elif commune_name and address.upper().endswith(commune_name.upper()):
        address = address[: -len(commune_name)]
    return address.strip(" ,")


def _read(data, siret) -> Lookup:
    for result in data.get("results") or []:
        if not isinstance(result, dict):
            continue
        siege = result.get("siege") if isinstance(result.get("siege"), dict) else {}
        establishments = [siege, *[item for item in result.get("matching_etablissements")
                                   or [] if isinstance(item, dict)]]
        for item in establishments:
            if _text(item.get("siret")) != siret:
                continue
            postal_code = _text(item.get("code_postal"))
            commune_name = _text(item.get("libelle_commune"))
            return Lookup(
                FOUND, siret, name=_text(result.get("nom_complet")),
                address=_street(item.get("adresse"), postal_code, commune_name),
                postal_code=postal_code, commune_name=commune_name,
                insee_code=_text(item.get("commune")),
                active=_text(item.get("etat_administratif")) == "A")
    return Lookup(NOT_FOUND, siret)
