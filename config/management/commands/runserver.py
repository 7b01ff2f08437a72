"""``runserver`` (with static files, as django.contrib.staticfiles'), refusing a non-loopback
address in debug mode: see config/debug.py."""

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import (
    Command as StaticFilesRunserver,
)
from django.core.management.base import CommandError

from config.debug import is_loopback


class Command(StaticFilesRunserver):
    def run(self, **options):
        if settings.DEBUG and not is_loopback(self.addr):
            raise CommandError(
                f"DEBUG is on: the development server listens on 127.0.0.1 or ::1 only, not "
                f"{self.addr!r} (debug pages show code and settings to whoever reaches them). "
                "To serve other machines, run without DEBUG and with a SECRET_KEY."
            )
        super().run(**options)
