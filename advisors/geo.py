"""Distances for "near me" searches, computed by the database so results sort and page there.

Haversine on a sphere of the Earth's mean radius: within a few metres at the scale of a
département, which is all a "nearest service point" needs."""

from django.db.models import F, FloatField, Value
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


def nearest(queryset, latitude: float, longitude: float, *, within_km: float | None = None):
    """The rows with coordinates, annotated with ``distance_km`` and sorted by it, nearest
    first; ``within_km`` keeps only those that close."""
    rows = queryset.filter(latitude__isnull=False, longitude__isnull=False).annotate(
        distance_km=distance_km(latitude, longitude))
    if within_km is not None:
        rows = rows.filter(distance_km__lte=within_km)
    return rows.order_by("distance_km", "pk")
