import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Recalcule les agrégats des tableaux de bord (sessions de l'Académie, déploiement "
            "par département) à partir des données : après une migration qui les crée ou un "
            "chargement en masse. Sans effet de bord, peut être relancé.")

    def handle(self, *args, **options):
        from dashboards import rollups

        started = time.perf_counter()
        sessions, departments = rollups.rebuild()
        self.stdout.write(f"Agrégats reconstruits en {time.perf_counter() - started:.1f} s : "
                          f"{sessions} sessions avec des inscriptions ou des présences, "
                          f"{departments} départements.")
