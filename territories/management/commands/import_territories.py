import json
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territories.models import Commune
from territories.services import TerritoryDataError, import_territories

DEFAULT_DATA_DIR = Path(settings.BASE_DIR) / "node_modules/@etalab/decoupage-administratif/data"
# Etalab's bounding boxes of the communes (MIT, from IGN's outlines, keyed by INSEE code).
DEFAULT_BOXES_FILE = (
    Path(settings.BASE_DIR) / "node_modules/@etalab/fr-bounding-boxes/dist/communes.json"
)
# The source lacks a handful of communes: more without coordinates means an older import.
UNPLACED_TOLERATED = 100


def commune_boxes(boxes_file: Path) -> dict[str, list[float]]:
    """INSEE code -> [west, south, east, north] from @etalab/fr-bounding-boxes."""
    rows = json.loads(boxes_file.read_text(encoding="utf-8"))
    boxes = {}
    for row in rows:
        ident, box = row.get("id") or "", row.get("bbox")
        if ident.startswith("fr:commune:") and isinstance(box, list) and len(box) == 4:
            boxes[ident.removeprefix("fr:commune:")] = [float(v) for v in box]
    return boxes


def commune_centres(data_dir: Path, boxes_file: Path) -> dict[str, tuple[float, float]]:
    """INSEE code -> (latitude, longitude): the middle of the box around the commune and the
    communes it absorbed (communes nouvelles, whose parts the boxes may still list apart)."""
    boxes = commune_boxes(boxes_file)
    communes = json.loads((data_dir / "communes.json").read_text(encoding="utf-8"))
    parts: dict[str, set[str]] = {}
    for rec in communes:
        if not isinstance(rec, dict) or not rec.get("code"):
            continue
        if rec.get("type") == "commune-actuelle":
            parts.setdefault(rec["code"], set()).update([rec["code"], *rec.get("anciensCodes", [])])
        elif rec.get("chefLieu"):
            parts.setdefault(rec["chefLieu"], set()).add(rec["code"])
    centres = {}
    for code, members in parts.items():
        known = [boxes[m] for m in members if m in boxes]
        if not known:
            continue
        west, south = min(b[0] for b in known), min(b[1] for b in known)
        east, north = max(b[2] for b in known), max(b[3] for b in known)
        centres[code] = (round((south + north) / 2, 4), round((west + east) / 2, 4))
    return centres


def place_communes(centres: dict[str, tuple[float, float]]) -> tuple[int, int, int]:
    """Store the centres in bulk; returns (placed, updated, without coordinates)."""
    changed, placed, missing = [], 0, 0
    for commune in Commune.objects.only("pk", "insee_code", "latitude", "longitude"):
        centre = centres.get(commune.insee_code)
        if centre is None:
            missing += 1
            continue
        placed += 1
        if (commune.latitude, commune.longitude) != centre:
            commune.latitude, commune.longitude = centre
            changed.append(commune)
    Commune.objects.bulk_update(changed, ["latitude", "longitude"], batch_size=2000)
    return placed, len(changed), missing


class Command(BaseCommand):
    help = "Importe régions, départements, communes et EPCI depuis @etalab/decoupage-administratif."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        parser.add_argument(
            "--boxes-file", type=Path, default=DEFAULT_BOXES_FILE,
            help="Rectangles englobants des communes (@etalab/fr-bounding-boxes).",
        )
        parser.add_argument(
            "--skip-if-loaded",
            action="store_true",
            help="Ne rien faire si des communes sont déjà présentes (utilisé par make run).",
        )

    def handle(self, *args, data_dir, boxes_file=DEFAULT_BOXES_FILE, skip_if_loaded=False,
               **options):
        if skip_if_loaded and Commune.objects.exists():
            self.stdout.write("Géographie déjà chargée : import ignoré.")
            if Commune.objects.filter(latitude__isnull=True).count() > UNPLACED_TOLERATED:
                self.place(data_dir, boxes_file)  # loaded before communes had coordinates
            return
        started = time.monotonic()
        interactive = sys.stdout.isatty()

        def progress(text):
            if interactive:
                self.stdout.write(f"\r{text:<40}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(text)

        try:
            report = import_territories(data_dir, progress=progress)
        except TerritoryDataError as error:
            raise CommandError(f"{error} — aucune donnée modifiée.") from error
        if interactive:
            self.stdout.write("")
        for line in report.rejected:
            self.stderr.write(f"Ignoré : {line}")
        elapsed = time.monotonic() - started
        totals = ", ".join(
            f"{report.created[k] + report.updated[k] + report.unchanged[k]} {k}"
            for k in report.created
        )
        if report.changed:
            details = ", ".join(
                f"{k} : {report.created[k]} créés, {report.updated[k]} mis à jour"
                for k in report.created
            )
            self.stdout.write(self.style.SUCCESS(f"Import terminé en {elapsed:.1f} s — {details}."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Aucun changement : {totals} déjà à jour ({elapsed:.1f} s).")
            )
        if report.rejected:
            count = len(report.rejected)
            self.stdout.write(self.style.WARNING(f"{count} enregistrements ignorés."))
        self.place(data_dir, boxes_file)

    def place(self, data_dir, boxes_file):
        if not boxes_file.is_file():
            self.stderr.write(f"Coordonnées non chargées : fichier introuvable {boxes_file}.")
            return
        try:
            centres = commune_centres(data_dir, boxes_file)
        except (ValueError, TypeError, AttributeError) as error:
            self.stderr.write(f"Coordonnées non chargées : fichier illisible ({error}).")
            return
        placed, updated, missing = place_communes(centres)
        self.stdout.write(
            f"Coordonnées : {placed} communes situées ({updated} mises à jour), "
            f"{missing} sans coordonnées."
        )
