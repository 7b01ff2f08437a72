"""Settings of the load bench (``bench/run.py``): the platform's own settings, unchanged, plus
a bare view served by the same gunicorn (``bench.urls``) to compare every page against.

``bench/run.py`` sets ``DJANGO_ENV=production`` and the other variables; two are the bench's:
``BENCH_STATIC_ROOT`` (where ``collectstatic`` wrote the manifest WhiteNoise reads) and
``BENCH_CACHE_PREFIX`` (a cache key prefix per database, so that figures cached from one
database are never read back while measuring another one on the same Redis).
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CACHES, STATIC_ROOT

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT
if os.environ.get("BENCH_CACHE_PREFIX"):
    CACHES["default"]["KEY_PREFIX"] = os.environ["BENCH_CACHE_PREFIX"]
# The load comes from one address: the API's per-address limit (opendata.api, 60/min) would
# answer 429 after a second. It is still checked on every request, with a limit no run reaches.
API_RATE_LIMIT = os.environ.get("BENCH_API_RATE_LIMIT", "1000000/m")
