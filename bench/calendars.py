"""Calendar feeds: a public feed of 1,000 upcoming sessions, a personal feed of 50 sessions,
and the 304 answer to a conditional request, through the Django test client.

Usage: .venv/bin/python bench/calendars.py   (DATABASE_URL for PostgreSQL; a throwaway
test database is created and dropped, your data is not touched)
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

SESSIONS, PERSONAL = 1000, 50
RUNS = 15


def build():
    from academy.models import CatalogPage, CoursePage, Enrolment, Session
    from accounts.models import User
    from calendars.models import CalendarToken
    from cms.models import HomePage
    from territories.models import Commune, Department, Region

    region = Region.objects.create(code="32", name="Hauts-de-France")
    department = Department.objects.create(code="60", name="Oise", region=region)
    commune = Commune.objects.create(insee_code="60057", name="Beauvais",
                                     department=department, population=56000)
    catalog = CatalogPage(title="Formations", slug="formations")
    HomePage.objects.get().add_child(instance=catalog)
    courses = []
    for n in range(20):
        course = CoursePage(title=f"Formation {n}", slug=f"formation-{n}",
                            summary="Une formation pour les élus locaux.",
                            objectives="<ul><li>Comprendre</li></ul>",
                            duration_hours=Decimal(7))
        catalog.add_child(instance=course)
        courses.append(course)
    now = timezone.now()
    Session.objects.bulk_create([
        Session(course=courses[i % 20], start=now + timedelta(days=2 + i % 300, hours=i % 5),
                end=now + timedelta(days=2 + i % 300, hours=7), commune=commune,
                address="Hôtel de ville", capacity=30, trainers="Équipe Sciences Po",
                enrolment_opens=now - timedelta(days=1), enrolment_closes=now + timedelta(days=1),
                cancellation_deadline=now + timedelta(days=1))
        for i in range(SESSIONS)
    ])
    user = User.objects.create_user(email="elu@mairie.fr", password="x")
    Enrolment.objects.bulk_create([
        Enrolment(session=s, user=user, status=Enrolment.Status.CONFIRMED)
        for s in Session.objects.order_by("pk")[:PERSONAL]
    ])
    return f"/calendrier/perso/{CalendarToken.objects.for_user(user).token}.ics"


def timed(client, url, runs=RUNS, **headers):
    client.get(url, **headers)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    count = len(queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, **headers)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return response, count, statistics.median(timings), timings[int(runs * 0.95) - 1]


def main():
    setup_test_environment()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        personal = build()
        client = Client()
        rows = []
        for label, url in [("public feed, 1,000 sessions", "/calendrier/formations.ics"),
                           ("personal feed, 50 sessions", personal)]:
            response, count, median, p95 = timed(client, url)
            assert response.status_code == 200
            size = len(response.content)
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                cold = (time.perf_counter() - started) * 1000
            rows.append((f"{label}, first build", 200, len(queries), cold, cold, size))
            rows.append(("  same, built copy shared", 200, count, median, p95, size))
            response, count, median, p95 = timed(
                client, url, HTTP_IF_NONE_MATCH=response["ETag"])
            assert response.status_code == 304
            rows.append(("  same, If-None-Match → 304", 304, count, median, p95, 0))
        print(f"{connection.vendor}: {'request':<40} status queries  median     p95    bytes")
        for label, status, count, median, p95, size in rows:
            print(f"{'':<{len(connection.vendor) + 2}}{label:<40} {status:>6} {count:>7} "
                  f"{median:7.1f} ms {p95:6.1f} ms {size:>8,}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
