"""Locates every service point and structure not located yet from its address (Base
Adresse Nationale), with progress. Resumable: rows already located, found approximate or
placed by hand are skipped, so a second run (after an interruption, or the geocoder going
away) goes on where the first stopped."""

import time

from django.core.management.base import BaseCommand, CommandError

from territories import geocoding as ban

from ... import geocoding


class Command(BaseCommand):
    help = "Géolocalise les adresses des lieux d'activité et des structures (BAN)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=0,
                            help="Nombre de lignes au plus (0 : toutes).")
        parser.add_argument("--pause", type=float, default=0.0,
                            help="Pause entre deux adresses, en secondes (limite de la BAN).")

    def handle(self, *args, limit=0, pause=0.0, **options):
        if not ban.enabled():
            raise CommandError("BAN_GEOCODER_URL est vide : aucun géocodeur à interroger.")
        counts = {geocoding.LOCATED: 0, geocoding.APPROXIMATE: 0, geocoding.SKIPPED: 0}
        for model_name, label in (("servicepoint", "lieux d'activité"),
                                  ("structure", "structures")):
            keys = list(geocoding.pending_rows(model_name, everything=True))
            if limit:
                keys = keys[:max(0, limit - sum(counts.values()))]
            total = len(keys)
            self.stdout.write(f"{label} : {total} à géolocaliser")
            for done, pk in enumerate(keys, start=1):
                outcome = geocoding.locate(model_name, pk, force=True, everything=True)
                if outcome.status == geocoding.UNAVAILABLE:
                    self.stdout.write(f"{label} : {done - 1}/{total}")
                    raise CommandError(
                        "Le géocodeur ne répond pas : relancez la commande plus tard, elle "
                        "reprendra où elle s'est arrêtée.")
                counts[outcome.status] += 1
                if done % 100 == 0 or done == total:
                    self.stdout.write(f"{label} : {done}/{total}")
                if pause:
                    time.sleep(pause)
        self.stdout.write(self.style.SUCCESS(
            f"Terminé : {counts[geocoding.LOCATED]} adresses localisées, "
            f"{counts[geocoding.APPROXIMATE]} au centre de leur commune."))
