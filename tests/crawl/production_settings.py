"""The platform's production settings (``DJANGO_ENV=production``) for the crawl's gunicorn,
as ``bench.settings`` does for the load bench, with four test-only changes:

- the collected static files go to a folder of the crawl's own (``CRAWL_STATIC_ROOT``);
- ``/media/`` is served from ``MEDIA_ROOT``, as nginx does in production;
- Django's manifest storage without WhiteNoise's compression step: the files and their names
  are those production serves (the same hashing and the same rewriting of ``url()`` and
  source map references, which is what broke the integrity digests), only without the
  ``.gz``/``.br`` copies, whose brotli pass takes minutes of CPU. The browser checks
  integrity on the decoded body, so compression changes nothing to what is checked;
- no base map tiles (``DIRECTORY_TILE_URL`` empty, as in development): the tests have no
  network, so production's IGN tiles would fail with ``net::ERR_NAME_NOT_RESOLVED``; the map
  draws the project's own département outlines, which are static files checked here.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import PRODUCTION, STATIC_ROOT, STORAGES

assert PRODUCTION, "the crawl's gunicorn runs with DJANGO_ENV=production"

STATIC_ROOT = os.environ.get("CRAWL_STATIC_ROOT") or STATIC_ROOT
# /media/ as the production web server serves it (tests/crawl/production_urls.py).
ROOT_URLCONF = "tests.crawl.production_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
# No network in tests: the map's outlines instead of IGN's tiles (see the docstring).
DIRECTORY_TILE_URL = ""
