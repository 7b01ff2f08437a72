"""Settings, driven by environment variables.

With nothing set, the platform runs on SQLite with Celery tasks executed eagerly, so that
``make run`` works on a bare machine. ``DATABASE_URL`` switches to PostgreSQL and
``CELERY_BROKER_URL`` (or ``REDIS_URL``) to Redis with real workers.
``DJANGO_ENV=production`` refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``.

One module per job, each importing from the others what it reads: ``environment`` (the
``env`` readers, production and debug switches, secret key, hosts), ``apps`` (applications,
middleware, templates, language), ``database`` (database, cache, sessions), ``accounts``
(users, allauth, ProConnect), ``storage`` (static, media, private files, S3),
``wagtail_site``, ``service`` (public address and platform constants), ``mail``, ``jobs``
(Celery and the beat schedule), ``security`` (headers, CSP, HTTPS) and ``monitoring``
(error reports, logging). ``DJANGO_SETTINGS_MODULE=config.settings`` reads them all here.
"""

from .accounts import *  # noqa: F403
from .apps import *  # noqa: F403
from .database import *  # noqa: F403
from .environment import *  # noqa: F403
from .jobs import *  # noqa: F403
from .mail import *  # noqa: F403
from .monitoring import *  # noqa: F403
from .security import *  # noqa: F403
from .service import *  # noqa: F403
from .storage import *  # noqa: F403
from .wagtail_site import *  # noqa: F403
