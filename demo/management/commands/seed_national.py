import importlib
import resource
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from demo.national.generate import (
    DOMAIN,
    KNOWN_ACCOUNTS,
    PASSWORD,
    NationalSeed,
    database_is_empty,
    production,
)
from demo.national.writer import reset_sequences
from territories.models import Commune

SQLITE_MAX_SCALE = 0.05


class Command(BaseCommand):
    help = ("Génère un jeu de données à l'échelle nationale : élus et mandats, sessions et "
            "inscriptions, structures, conseillers numériques, lieux d'activité et comptes "
            "rendus d'activité (--scale 1 : 500 000 élus, 2 000 000 de comptes rendus). "
            "Ne s'exécute que sur une base sans données (géographie mise à part).")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Facteur appliqué à tous les volumes (défaut : 1).")
        parser.add_argument("--seed", type=int, default=1,
                            help="Graine du générateur : même graine, même échelle, même jour "
                                 "→ mêmes données (défaut : 1).")

    def handle(self, *args, scale, seed, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale doit être compris entre 0 (exclu) et 10.")
        if production():
            raise CommandError("Refusé : ce générateur de données fictives ne tourne pas en "
                               "production (DJANGO_ENV=production).")
        if connection.vendor != "postgresql" and scale > SQLITE_MAX_SCALE:
            raise CommandError(
                f"Sur {connection.vendor}, --scale est limité à {SQLITE_MAX_SCALE} : "
                "utilisez PostgreSQL (DATABASE_URL=postgres://…) pour les grands volumes.")
        filled = database_is_empty()
        if filled:
            listing = ", ".join(f"{name} : {count}" for name, count in filled.items())
            raise CommandError(
                f"Refusé : la base contient déjà des données ({listing}). Ce générateur "
                "n'écrit que dans une base dédiée, vide hormis la géographie : "
                "createdb …, python manage.py migrate, python manage.py import_territories, "
                "puis seed_national.")
        if not Commune.objects.exists():
            raise CommandError("Aucune commune : lancez d'abord "
                               "python manage.py import_territories.")

        started = time.perf_counter()
        self.stdout.write(f"Génération à l'échelle {scale:g} (graine {seed}), "
                          f"base {connection.vendor}…")
        seeder = NationalSeed(scale, seed, log=self.stdout.write)
        try:
            figures = seeder.run()
        except RuntimeError as error:
            raise CommandError(str(error)) from error

        step = time.perf_counter()
        reset_sequences(seeder.ids.models())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"  séquences et ANALYZE : {time.perf_counter() - step:.1f} s")
        self.refresh_dashboards()
        # The header's settings row, made now rather than by the first page seen (that write
        # renews the kept pages' version, and the bench's first count saw one page not kept).
        from wagtail.models import Site

        from cms.models import SiteNavigation

        SiteNavigation.for_site(Site.objects.get(is_default_site=True))

        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Terminé en {elapsed:.0f} s ({elapsed / 60:.1f} min)."))
        self.stdout.write("Volumes :")
        for label, (rows, seconds) in figures.items():
            figure = f"{rows:>10,}".replace(",", " ") if rows else f"{'—':>10}"
            self.stdout.write(f"  {label:<34} {figure}  ({seconds:.1f} s)")
        self.stdout.write(f"Comptes connus (mot de passe : {PASSWORD}) :")
        for role, email in KNOWN_ACCOUNTS.items():
            self.stdout.write(f"  {role:<14} {email}")
        self.stdout.write(f"Tous les autres comptes générés (…@…{DOMAIN}) ont le même mot de "
                          "passe.")
        # Linux gives ru_maxrss in KiB: this process's peak resident memory (issue 21).
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"Mémoire résidente maximale : {peak_mb:.0f} Mo.")

    def refresh_dashboards(self):
        """Activity rollups (when the module exists) and today's snapshot of indicators."""
        step = time.perf_counter()
        try:
            rollups = importlib.import_module("advisors.rollups")
        except ImportError:
            rollups = None
        if rollups is not None and hasattr(rollups, "rebuild"):
            rollups.rebuild()
            self.stdout.write(f"  agrégats d'activité reconstruits : "
                              f"{time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        from dashboards import rollups as dashboard_rollups

        dashboard_rollups.rebuild()  # sessions' and départements' totals (COPY sends no signal)
        self.stdout.write(f"  agrégats des sessions et du déploiement reconstruits : "
                          f"{time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        from dashboards.tasks import take_daily_snapshots

        rows = take_daily_snapshots(timezone.localdate().isoformat())
        self.stdout.write(f"  instantanés du jour : {rows} départements, "
                          f"{time.perf_counter() - step:.1f} s")
