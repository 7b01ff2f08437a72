from django.conf import settings
from django.core.management.base import BaseCommand

from academy.signing import dev_certificate_paths, make_dev_certificate


class Command(BaseCommand):
    help = ("Crée (une fois) le certificat auto-signé de développement qui signe les "
            "attestations, sous PRIVATE_MEDIA_ROOT/signing/ ; rien si le certificat de "
            "l'agence est configuré (ATTESTATION_SIGNING_KEY / ATTESTATION_SIGNING_CERT).")

    def handle(self, *args, **options):
        if getattr(settings, "ATTESTATION_SIGNING_KEY", "") and getattr(
                settings, "ATTESTATION_SIGNING_CERT", ""):
            self.stdout.write("Certificat de signature configuré : rien à créer.")
            return
        key, cert, made = make_dev_certificate(*dev_certificate_paths())
        verb = "créé" if made else "déjà présent"
        self.stdout.write(f"Certificat de signature de développement {verb} : {cert}")
