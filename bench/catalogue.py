"""Catalogue at /formations/ with 200 courses and 2,000 sessions: queries and render time.

Usage: .venv/bin/python bench/catalogue.py   (DATABASE_URL for PostgreSQL; a throwaway
test database is created and dropped, your data is not touched)
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

COURSES, SESSIONS = 200, 2000
RUNS = 20
URLS = [
    ("no filter", "/formations/"),
    ("theme + région + seats", "/formations/?theme=numerique&region=84&available=on"),
    ("département + dates", "/formations/?department=75&date_from={soon}&date_to={later}"),
    ("text search", "/formations/?q=budget"),
    ("page 5", "/formations/?page=5"),
]


def build():
    from django.db.models import F

    from academy.models import CatalogPage, CoursePage, CourseTheme, Format, Session
    from cms.models import HomePage
    from territories.models import Commune

    call_command("import_territories", stdout=StringIO(), stderr=StringIO())
    home = HomePage.objects.get()
    catalog = CatalogPage(title="Formations", slug="formations")
    home.add_child(instance=catalog)
    themes = [CourseTheme.objects.create(name=n, slug=s) for n, s in [
        ("Numérique", "numerique"), ("Finances locales", "finances-locales"),
        ("Transition écologique", "transition-ecologique"), ("Résilience", "resilience"),
    ]]
    communes = list(Commune.objects.order_by(F("population").desc(nulls_last=True))[:300])
    started = time.perf_counter()
    courses = []
    for n in range(COURSES):
        course = CoursePage(
            title=f"Formation {n:03d} {'budget' if n % 10 == 0 else 'territoires'}",
            slug=f"formation-{n:03d}", summary="Une formation pour les élus locaux.",
            objectives="<ul><li>Comprendre</li></ul>", duration_hours=Decimal(7),
            format=[Format.ON_SITE, Format.REMOTE, Format.HYBRID][n % 3],
        )
        catalog.add_child(instance=course)
        course.themes.set([themes[n % 4]])
        course.save()  # ParentalManyToMany values are written on save
        courses.append(course)
    now = timezone.now()
    rng = random.Random(42)
    sessions = []
    for i in range(SESSIONS):
        day = now + timedelta(days=rng.randint(3, 180))
        sessions.append(Session(
            course=courses[i % COURSES], start=day, end=day + timedelta(hours=7),
            commune=rng.choice(communes), capacity=20,
            enrolment_opens=now - timedelta(days=1), enrolment_closes=day - timedelta(days=1),
            cancellation_deadline=day - timedelta(days=2),
        ))
    Session.objects.bulk_create(sessions)
    print(f"built {COURSES} courses and {SESSIONS} sessions in "
          f"{time.perf_counter() - started:.0f} s on {connection.vendor}")


def measure():
    client = Client()
    today = timezone.localdate()
    for label, url in URLS:
        url = url.format(soon=today + timedelta(days=10), later=today + timedelta(days=60))
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        count = len(queries)  # read now: later requests clear the query log
        assert response.status_code == 200, url
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(f"{label:<24} {count:>3} queries, median {statistics.median(timings):6.1f} ms,"
              f" p95 {timings[int(RUNS * 0.95) - 1]:6.1f} ms, "
              f"{response.context['total']} results")


def main():
    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        build()
        measure()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
