"""The Base Adresse Nationale's geocoder (``GET <BAN_GEOCODER_URL>/search/?q=…&citycode=…
&limit=1``, public, no key): where is this address of this commune?

An answer (found or not) is kept in the cache for 30 days, so the same address is asked
once. An unreachable, slow (``BAN_GEOCODER_TIMEOUT``, 2 s) or garbled geocoder raises
``GeocoderUnavailable``, and for a minute after that the geocoder is not asked again
(``force=True`` asks anyway: the retry job probes with it), so a file of a thousand
addresses does not wait a thousand timeouts. With ``BAN_GEOCODER_URL`` empty nothing is
asked (``enabled()`` is False)."""

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

CACHE_SECONDS = 30 * 24 * 3600
DOWN_SECONDS = 60
DOWN_KEY = "ban-geocoder:down"
MAX_BYTES = 500_000
# A BAN result at least this sure, on a number, a street or a named place, is the address;
# anything else (a commune's centre, a doubtful match) is not.
MIN_SCORE = 0.5
PRECISE_TYPES = ("housenumber", "street", "locality")


class GeocoderUnavailable(Exception):
    """The geocoder did not answer (in time, or in its format)."""


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    label: str = ""
    score: float = 0.0
    kind: str = ""  # BAN's "type": housenumber, street, locality, municipality


def enabled() -> bool:
    return bool(getattr(settings, "BAN_GEOCODER_URL", ""))


def geocode(address: str, citycode: str, *, force: bool = False) -> Position | None:
    """The position of ``address`` in the commune of INSEE code ``citycode``, or None when
    the geocoder has no precise answer for it. Raises ``GeocoderUnavailable``."""
    base = getattr(settings, "BAN_GEOCODER_URL", "").rstrip("/")
    address = " ".join((address or "").split())
    if not base or len(address) < 3:
        return None
    key = "ban-geocoder:" + hashlib.sha256(
        f"{base}|{citycode}|{address.lower()}".encode()).hexdigest()[:32]
    kept = cache.get(key)
    if kept is not None:
        return Position(**kept) if kept else None
    if not force and cache.get(DOWN_KEY):
        raise GeocoderUnavailable("unavailable a moment ago")
    try:
        answer = _ask(base, address, citycode)
        position = _read(answer, citycode)
    except GeocoderUnavailable:
        cache.set(DOWN_KEY, True, DOWN_SECONDS)
        raise
    cache.delete(DOWN_KEY)
    cache.set(key, asdict(position) if position else {}, CACHE_SECONDS)
    return position


def _ask(base, address, citycode):
    query = urllib.parse.urlencode({"q": address[:200], "citycode": citycode, "limit": 1})
    request = urllib.request.Request(f"{base}/search/?{query}", headers={
        "Accept": "application/json", "User-Agent": "anct-platform (conseillers numeriques)"})
    timeout = float(getattr(settings, "BAN_GEOCODER_TIMEOUT", 2))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read(MAX_BYTES))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        logger.info("BAN geocoder unavailable for %s (%s): %s", citycode, address, error)
        raise GeocoderUnavailable(str(error)) from error


def _read(answer, citycode) -> Position | None:
    """The first feature of the GeoJSON FeatureCollection, when it is precise enough."""
    if not isinstance(answer, dict) or not isinstance(answer.get("features"), list):
        raise GeocoderUnavailable("not a FeatureCollection")
    for feature in answer["features"][:1]:
        try:
            longitude, latitude = (float(v) for v in feature["geometry"]["coordinates"][:2])
            properties = feature.get("properties") or {}
            score = float(properties.get("score") or 0)
        except (KeyError, TypeError, ValueError) as error:
            raise GeocoderUnavailable("garbled feature") from error
        kind = str(properties.get("type") or "")
        if (not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or score < MIN_SCORE
                or kind not in PRECISE_TYPES
                or str(properties.get("citycode") or citycode) != citycode):
            return None
        return Position(latitude, longitude, str(properties.get("label") or "")[:255],
                        score, kind)
    return None
