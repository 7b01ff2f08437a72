"""The environment the settings are read from (``env``, ``env_bool``, ``env_list``), the
production switch, debug mode and the secret key, and the hosts served."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]  # the project (config/settings/…)


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"

if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not env(name)]
    if missing:
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production needs these environment variables: {', '.join(missing)}"
        )

# Debug mode (tracebacks, the public development key below) is opt-in: `make run` sets
# DEBUG=1 for development on this machine, never in production, and in debug the site
# answers only loopback clients (config.debug). Without DEBUG, a SECRET_KEY of one's own
# is required: the development key is in the repository, so anyone could sign sessions
# and password reset links with it. The test suite makes a random one per run
# (config/test_settings.py).
DEBUG = env_bool("DEBUG")
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("DEBUG cannot be on with DJANGO_ENV=production")
PUBLIC_DEVELOPMENT_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = env("SECRET_KEY") or (PUBLIC_DEVELOPMENT_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", PUBLIC_DEVELOPMENT_KEY):
    raise ImproperlyConfigured(
        "DEBUG is off: set SECRET_KEY to a secret value of your own (the development key "
        "is public). For development on this machine, set DEBUG=1 instead (`make run` does)."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
