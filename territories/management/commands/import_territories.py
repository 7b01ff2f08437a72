import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territories.models import Commune
from territories.services import TerritoryDataError, import_territories

DEFAULT_DATA_DIR = Path(settings.BASE_DIR) / "node_modules/@etalab/decoupage-administratif/data"


class Command(BaseCommand):
    help = "Importe régions, départements, communes et EPCI depuis @etalab/decoupage-administratif."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        parser.add_argument(
            "--skip-if-loaded",
            action="store_true",
            help="Ne rien faire si des communes sont déjà présentes (utilisé par make run).",
        )

    def handle(self, *args, data_dir, skip_if_loaded=False, **options):
        if skip_if_loaded and Commune.objects.exists():
            self.stdout.write("Géographie déjà chargée : import ignoré.")
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
