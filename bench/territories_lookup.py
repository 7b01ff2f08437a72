"""Times the geography import (full and no-op) and the commune lookup endpoint.

Usage: .venv/bin/python bench/territories_lookup.py   (uses DATABASE_URL if set)
"""

import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from territories.models import Commune  # noqa: E402

QUERIES = ["beauv", "paris", "sain", "bézi", "lyon", "mar", "60000", "75011", "st", "ville",
           "aix", "bordeaux", "le ", "nan", "13", "toul", "ajaccio", "saint-den", "fort", "ly"]


def timed_import():
    started = time.perf_counter()
    call_command("import_territories", stdout=StringIO(), stderr=StringIO())
    return time.perf_counter() - started


def main():
    if Commune.objects.exists():
        print("Geography already loaded: full import not timed (empty the tables to time it).")
    else:
        print(f"full import: {timed_import():.1f} s")
    print(f"no-op re-run: {timed_import():.1f} s")

    client = Client()
    for query in QUERIES:  # warm-up
        client.get("/territoires/communes/", {"q": query})
    timings = []
    for _ in range(10):
        for query in QUERIES:
            started = time.perf_counter()
            response = client.get("/territoires/communes/", {"q": query})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"lookup over {len(timings)} requests: p50 {statistics.median(timings):.1f} ms, "
          f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms")


if __name__ == "__main__":
    main()
