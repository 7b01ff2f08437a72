"""Distances for "near me" searches, computed by the database so results sort and page there.

Haversine on a sphere of the Earth's mean radius: within a few metres at the scale of a
département, which is all a "nearest service point" needs."""

import math

from django.db.models import Count, F, FloatField, Q, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

EARTH_RADIUS_KM = 6371.0088


def distance_km(latitude: float, longitude: float, lat_field="latitude", lon_field="longitude"):
    """An expression: kilometres from (latitude, longitude) to the row's coordinates
    (NULL where the row has none)."""
    lat1, lon1 = Radians(Value(float(latitude))), Radians(Value(float(longitude)))
    lat2, lon2 = Radians(F(lat_field)), Radians(F(lon_field))
    half_chord = (Power(Sin((lat2 - lat1) / 2), 2)
                  + Cos(lat1) * Cos(lat2) * Power(Sin((lon2 - lon1) / 2), 2))
    # Rounding can push the square root of an antipodal point just above 1: clamp it.
    root = Least(Sqrt(half_chord), Value(1.0), output_field=FloatField())
    return Value(2 * EARTH_RADIUS_KM) * ASin(root, output_field=FloatField())


def distance_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Kilometres between two points, in Python (the same haversine as ``distance_km``)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (math.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * math.cos(phi2)
                  * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half_chord)))


def box_around(latitude: float, longitude: float, km: float) -> Q | None:
    """A latitude/longitude box holding every point within ``km`` of the centre (a lookup
    an index can answer), or None when the circle reaches a pole or the antimeridian."""
    angle = km / EARTH_RADIUS_KM
    if angle >= math.pi / 2:
        return None
    lat = math.radians(latitude)
    low, high = lat - angle, lat + angle
    if low <= -math.pi / 2 or high >= math.pi / 2:
        return None
    spread = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(lat))))
    if longitude - spread < -180 or longitude + spread > 180:
        return None
    return Q(latitude__gte=math.degrees(low), latitude__lte=math.degrees(high),
             longitude__gte=longitude - spread, longitude__lte=longitude + spread)


def box_within(latitude: float, longitude: float, km: float) -> Q | None:
    """A latitude/longitude box whose every point lies within ``km`` of the centre (a test
    without trigonometry), or None near a pole or the antimeridian. Half its side, north to
    south and along the parallel nearest the equator, is ``km / 2``: by the triangle
    inequality no corner is farther than ``km``."""
    half = km / 2
    rise = math.degrees(half / EARTH_RADIUS_KM)
    if abs(latitude) + rise >= 89:
        return None
    nearest_equator = math.radians(max(0.0, abs(latitude) - rise))
    spread = math.degrees(half / (EARTH_RADIUS_KM * math.cos(nearest_equator)))
    if longitude - spread < -180 or longitude + spread > 180:
        return None
    return Q(latitude__gte=latitude - rise, latitude__lte=latitude + rise,
             longitude__gte=longitude - spread, longitude__lte=longitude + spread)


class NearestFirst:
    """``rows`` ranked by distance from a point (nearest first, rows without coordinates
    last, then by ``tie_breaks``), for a Paginator, in two queries whatever the size of the
    table:

    - ``count()`` counts the rows, and in the same scan those inside a box drawn within each
      of a few circles around the point (comparisons only, no distance computed);
    - a slice ``[start:stop]`` then ranks only the rows of the smallest circle known to hold
      ``stop`` of them, read through the box around the circle, which an index answers.
      Every row outside that circle is farther than every row inside, so the slice is exact.
      When no circle is known to be big enough, every row is ranked.

    ``within_km`` keeps only the rows that close, ``placed_only`` only the rows with
    coordinates (both leave out those without)."""

    RADII_KM = (10, 30, 100, 300)

    def __init__(self, rows, latitude, longitude, *, within_km=None, placed_only=False,
                 tie_breaks=("pk",)):
        self.latitude, self.longitude = float(latitude), float(longitude)
        if placed_only:
            rows = rows.filter(latitude__isnull=False, longitude__isnull=False)
        if within_km is not None:
            box = box_around(self.latitude, self.longitude, within_km)
            rows = rows.filter(box) if box is not None else rows
            rows = rows.annotate(distance_km=self._distance()).filter(
                distance_km__lte=within_km)
        self.rows = rows
        self.ranked = rows.annotate(distance_km=self._distance()).order_by(
            F("distance_km").asc(nulls_last=True), *tie_breaks)
        self.circles = []  # (km, box inside the circle, box around it)
        for km in self.RADII_KM:
            inside = box_within(self.latitude, self.longitude, km)
            around = box_around(self.latitude, self.longitude, km)
            if inside is None or around is None or (within_km is not None
                                                     and km >= within_km):
                break
            self.circles.append((km, inside, around))
        self._counts = None

    def _distance(self):
        return distance_km(self.latitude, self.longitude)

    def _counted(self):
        if self._counts is None:
            aggregates = {f"inside_{km}": Count("pk", filter=inside)
                          for km, inside, _around in self.circles}
            self._counts = self.rows.aggregate(total=Count("pk"), **aggregates)
        return self._counts

    def count(self):
        return self._counted()["total"]

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self.ranked)

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.stop is None or item.step is not None:
            return self.ranked[item]
        start, stop = item.start or 0, item.stop
        counts = self._counted()
        for km, _inside, around in self.circles:
            if counts[f"inside_{km}"] >= stop:
                return list(self.ranked.filter(around).filter(distance_km__lte=km)[start:stop])
        return list(self.ranked[start:stop])
