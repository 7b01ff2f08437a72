"""Settings of the test suite (pyproject's pytest options): the project's settings, with a
secret key of this run's own when none is given.

Tests run with DEBUG off, which refuses a missing or public SECRET_KEY
(config/settings/environment.py).
The key is random, made once per run and put in the environment, so that the processes a
test starts (Celery workers, gunicorn, manage.py) share it. It is never a fallback of the
platform's settings: a server started without SECRET_KEY still refuses to start."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-run-" + secrets.token_urlsafe(48))

from config.settings import *  # noqa: E402, F403

# Tests never leave the machine: geocoding tests point this at a local server.
BAN_GEOCODER_URL = ""
