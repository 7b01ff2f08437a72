from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand

from accounts.mfa_crypto import reencrypt_all


class Command(BaseCommand):
    help = ("Chiffre les secrets de double authentification avec la première clé de "
            "MFA_ENCRYPTION_KEYS (rotation de clé, ou secrets encore en clair).")

    def handle(self, *args, **options):
        changed = reencrypt_all(Authenticator.objects.all())
        self.stdout.write(f"{changed} authentificateur(s) chiffré(s) avec la clé actuelle.")
