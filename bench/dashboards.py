"""Dashboards and directory at the national scale: 2,000,000 activity reports.

Builds, in a throwaway PostgreSQL test database, the real geography and a deployment of
4,000 validated structures, 15,000 advisors with contracts, 20,000 service points with
hours and 2,000,000 activity reports over three years, then times (server side, through
Django's test client) the national, régional and départemental dashboards and a directory
search, and the same main aggregates written as raw SQL, side by side.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/anct_bench \\
       .venv/bin/python bench/dashboards.py [--reports 2000000] [--keep]

``--keep`` builds into the database of DATABASE_URL itself (migrated, built once) and keeps
it, so later runs skip the twelve minutes of building and only time the pages.

``--no-build`` times the pages of an existing seeded database as it is (e.g. the one of
``seed_national --scale 1``: DATABASE_URL=postgres://…/anct_national, or
``--database-url``): nothing is migrated nor built (only a TOTP authenticator for the
administrator, as ``bench/pages.py`` does). With ``--targets`` (on by default with
``--no-build``) it prints issue 21's targets for a dashboard's first view after a change
(cold): national < 200 ms, régional and départemental < 100 ms, with ✓ or ✗, and the
server CPU each cold view took (the wall time on a loaded machine counts other processes).
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# --database-url must be known before Django reads its settings.
_url = re.search(r"--database-url[= ](\S+)", " ".join(sys.argv[1:]))
if _url:
    os.environ["DATABASE_URL"] = _url.group(1)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def plain_static_files():
    """Production settings without ``collectstatic``: the static URLs unhashed, as the pages
    need no file here (only their server time is measured)."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.files.storage import storages
    from django.utils.functional import empty

    if (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        return
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES["staticfiles"] = plain
    storages.backends["staticfiles"] = plain
    storages._storages.pop("staticfiles", None)
    staticfiles_storage._wrapped = empty


STRUCTURES, ADVISORS, SERVICE_POINTS = 4000, 15000, 20000
RUNS = 10
BATCH = 20000


def build(reports_wanted):
    from django.contrib.auth.models import Group
    from django.db.models import F

    from accounts.models import User
    from accounts.roles import Role
    from advisors.models import (
        ActivityReport,
        Advisor,
        Application,
        Contract,
        OpeningRange,
        PlaceService,
        ServicePoint,
        Structure,
    )
    from advisors.models.activity import AGE_BANDS, STATUS_BANDS, ActivityTheme
    from territories.models import Commune

    started = time.perf_counter()
    call_command("import_territories", stdout=StringIO(), stderr=StringIO())
    rng = random.Random(8)
    communes = list(Commune.objects.filter(latitude__isnull=False)
                    .order_by(F("population").desc(nulls_last=True))[:8000])
    today = timezone.localdate()
    Structure.objects.bulk_create([
        Structure(name=f"Structure {n}", siret=f"{10000000000000 + n}",
                  kind=Structure.Kind.COMMUNE, address="1 place de la Mairie",
                  commune=communes[n % len(communes)], contact_first_name="A",
                  contact_last_name="B", contact_email=f"s{n}@example.fr")
        for n in range(STRUCTURES)], batch_size=BATCH)
    structures = list(Structure.objects.order_by("pk"))
    Application.objects.bulk_create([
        Application(structure=s, posts_requested=5, posts_granted=4 + n % 2,
                    status=Application.Status.VALIDATED, motivation="Inclusion numérique.",
                    desired_start=date(2021, 1, 1), decision_number=f"C-{n}",
                    decided_on=date(2021, 1, 1))
        for n, s in enumerate(structures)], batch_size=BATCH)
    Advisor.objects.bulk_create([
        Advisor(first_name="Prénom", last_name=f"Nom{n}", email=f"c{n}@conseiller.fr",
                training_start=date(2021, 2, 1), training_end=date(2021, 4, 1))
        for n in range(ADVISORS)], batch_size=BATCH)
    advisors = list(Advisor.objects.order_by("pk").values_list("pk", flat=True))
    Contract.objects.bulk_create([
        Contract(advisor_id=a, structure=structures[n % STRUCTURES], kind=Contract.Kind.CDI,
                 start=date(2021, 3, 1), monthly_gross_salary=Decimal("2100"),
                 status=Contract.Status.VALIDATED)
        for n, a in enumerate(advisors)], batch_size=BATCH)
    ServicePoint.objects.bulk_create([
        ServicePoint(structure=structures[n % STRUCTURES], name=f"Lieu {n}",
                     address="2 rue de la Poste", commune=(c := communes[n % len(communes)]),
                     latitude=c.latitude + rng.uniform(-0.01, 0.01),
                     longitude=c.longitude + rng.uniform(-0.01, 0.01),
                     services=[PlaceService.ADMINISTRATIVE_PROCEDURES], is_public=n % 10 != 0)
        for n in range(SERVICE_POINTS)], batch_size=BATCH)
    points = list(ServicePoint.objects.order_by("pk").values_list("pk", "commune_id",
                                                                   "structure_id"))
    OpeningRange.objects.bulk_create([
        OpeningRange(service_point_id=pk, weekday=day, period="am", opens=clock(9),
                     closes=clock(12))
        for pk, _, _ in points for day in range(5)], batch_size=BATCH)
    print(f"deployment built in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    themes = ActivityTheme.values
    ages, statuses = [a for a, _ in AGE_BANDS], [s for s, _ in STATUS_BANDS]
    channels, kinds = ActivityReport.Channel.values, ActivityReport.Kind
    durations = ActivityReport.Duration.values
    first_day = today - timedelta(days=3 * 365)
    made = 0
    while made < reports_wanted:
        rows = []
        for _ in range(min(BATCH, reports_wanted - made)):
            pk, commune_id, structure_id = points[rng.randrange(len(points))]
            people = 1 if rng.random() < 0.8 else rng.randint(2, 12)
            rows.append(ActivityReport(
                advisor_id=advisors[rng.randrange(len(advisors))], structure_id=structure_id,
                service_point_id=pk, commune_id=commune_id,
                date=first_day + timedelta(days=rng.randrange(3 * 365)),
                channel=rng.choice(channels),
                kind=kinds.INDIVIDUAL if people == 1 else kinds.WORKSHOP,
                participants=people, **{rng.choice(ages): people, rng.choice(statuses): people},
                themes=[rng.choice(themes)], duration=rng.choice(durations)))
        ActivityReport.objects.bulk_create(rows)
        made += len(rows)
        if made % 200000 == 0 or made == reports_wanted:
            print(f"  {made:,} activity reports ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    count_rollups()
    admin = User.objects.create_user(email="admin@bench.fr", password="x")
    admin.groups.add(Group.objects.get(name=Role.ANCT_ADMIN))
    return with_totp(admin)


def with_totp(person):
    """ANCT staff must have two-factor authentication before reaching the dashboards."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(user=person, type=Authenticator.Type.TOTP,
                                        defaults={"data": {"secret": "bench"}})
    return person


def count_rollups():
    """The reports were bulk-created: count them in the dashboards' totals, as the
    national-scale generator does, then refresh the planner's statistics."""
    from advisors import rollups

    started = time.perf_counter()
    rows = rollups.rebuild()
    print(f"activity rollups: {rows:,} département-days in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def build_once(reports_wanted):
    """``--keep``: the database of DATABASE_URL, migrated and built on the first run only."""
    from accounts.models import User
    from advisors.models import ActivityReport

    call_command("migrate", verbosity=0)
    if ActivityReport.objects.exists():
        print(f"reusing {ActivityReport.objects.count():,} activity reports", flush=True)
        from advisors.models import ActivityDay

        if not ActivityDay.objects.exists():
            count_rollups()
        from django.contrib.auth.models import Group

        from accounts.roles import Role

        # Our own build's admin, or one of `seed_national`'s ANCT administrators.
        admin = (User.objects.filter(email="admin@bench.fr").first()
                 or Group.objects.get(name=Role.ANCT_ADMIN).user_set.order_by("pk").first())
        return with_totp(admin)
    return build(reports_wanted)


def existing(url=None):
    """``--no-build``: the database as it is; its ANCT administrator, with a TOTP
    authenticator (required before the dashboards)."""
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role

    admin = (User.objects.filter(email="admin@seed-national.anct.test").first()
             or User.objects.filter(email="admin@bench.fr").first()
             or Group.objects.get(name=Role.ANCT_ADMIN).user_set.order_by("pk").first())
    if admin is None:
        sys.exit("No ANCT administrator in this database: seed it first (seed_national).")
    return with_totp(admin)


CPU = {}  # url: median server CPU of a cold view (ms)


def timed_get(client, url):
    """Query count of a first computation, then the median and worst of RUNS requests with
    the dashboards' cache just emptied (every figure computed) and of RUNS ordinary ones
    (deployment figures read back from the cache, activity from the rollups)."""
    from dashboards.cache import VERSION

    client.get(url, secure=True)  # warm-up (sessions, site, templates)
    VERSION.renew()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    count = len(queries)  # read now: later requests clear the query log
    assert response.status_code == 200, (url, response.status_code)
    results = []
    for forget in (True, False):
        timings, cpu = [], []
        for _ in range(RUNS):
            if forget:
                VERSION.renew()
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        if forget:
            CPU[url] = statistics.median(cpu)
        timings.sort()
        results += [statistics.median(timings), timings[-1]]
    return (count, *results)


# Issue 21, target 3: a dashboard's first view after a change (cold), in ms.
TARGETS = {"national": 200, "régional (32)": 100, "départemental (60)": 100}


# The page's activity figures as raw SQL over the rollups (what the page reads), for the
# national page: totals, by région, by month, over whole months plus the days at each end.
ROLLUP_RAW = {
    "national": """
        SELECT sum(accompaniments), sum(people), sum(kind_individual), sum(kind_workshop)
        FROM advisors_activitymonth WHERE month BETWEEN %(first_month)s AND %(last_month)s;
        SELECT sum(accompaniments), sum(people), sum(kind_individual), sum(kind_workshop)
        FROM advisors_activityday WHERE day BETWEEN %(start)s AND %(first_month)s
        OR day > %(last_month_end)s AND day <= %(end)s;
        SELECT reg.code, sum(m.accompaniments), sum(m.people) FROM advisors_activitymonth m
        JOIN territories_department d ON d.id = m.department_id
        JOIN territories_region reg ON reg.id = d.region_id
        WHERE m.month BETWEEN %(first_month)s AND %(last_month)s GROUP BY reg.code;
        SELECT month, sum(accompaniments) FROM advisors_activitymonth
        WHERE month BETWEEN %(first_month)s AND %(last_month)s GROUP BY month;
    """,
}

# The same activity aggregates straight from the reports, as a page without rollups would
# compute them.
RAW = {
    "national": """
        SELECT r.kind, count(*), sum(r.participants) FROM advisors_activityreport r
        WHERE r.date BETWEEN %(start)s AND %(end)s GROUP BY r.kind;
        SELECT sum(a.posts_granted) FROM advisors_application a WHERE a.status = 'validated';
        SELECT reg.code, count(*), sum(r.participants) FROM advisors_activityreport r
        JOIN territories_commune c ON c.id = r.commune_id
        JOIN territories_department d ON d.id = c.department_id
        JOIN territories_region reg ON reg.id = d.region_id
        WHERE r.date BETWEEN %(start)s AND %(end)s GROUP BY reg.code;
        SELECT date_trunc('month', r.date), count(*) FROM advisors_activityreport r
        WHERE r.date BETWEEN %(start)s AND %(end)s GROUP BY 1;
    """,
    "régional (32)": """
        SELECT d.code, count(*), sum(r.participants) FROM advisors_activityreport r
        JOIN territories_commune c ON c.id = r.commune_id
        JOIN territories_department d ON d.id = c.department_id
        JOIN territories_region reg ON reg.id = d.region_id
        WHERE reg.code = '32' AND r.date BETWEEN %(start)s AND %(end)s GROUP BY d.code;
    """,
    "départemental (60)": """
        SELECT r.kind, count(*), sum(r.participants) FROM advisors_activityreport r
        JOIN territories_commune c ON c.id = r.commune_id
        JOIN territories_department d ON d.id = c.department_id
        WHERE d.code = '60' AND r.date BETWEEN %(start)s AND %(end)s GROUP BY r.kind;
    """,
}


def timed_sql(sql, params):
    statements = [s for s in sql.split(";") if s.strip()]
    timings = []
    with connection.cursor() as cursor:
        for _ in range(RUNS + 1):
            started = time.perf_counter()
            for statement in statements:
                cursor.execute(statement, params)
                cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    timings = sorted(timings[1:])
    return statistics.median(timings), timings[-1]


PAGES = {"national": "/tableau-de-bord/national/", "régional": "/tableau-de-bord/region/32/",
         "départemental": "/tableau-de-bord/departement/60/"}


def profile(admin, page="national", top=25):
    """Where a cold view of ``page`` spends its time: its queries, slowest first (database
    time), then the Python functions by cumulative time."""
    import cProfile
    import pstats

    from dashboards.cache import VERSION

    url = PAGES[page]
    client = Client()
    client.force_login(admin)
    client.get(url, secure=True)  # warm-up (sessions, site, templates)
    VERSION.renew()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    total = (time.perf_counter() - started) * 1000
    timings = sorted(((float(query["time"]) * 1000, query["sql"]) for query in queries),
                     reverse=True)
    print(f"cold {page}: {total:.1f} ms, {len(timings)} queries, "
          f"{sum(t for t, _ in timings):.1f} ms in the database; slowest:")
    for spent, sql in timings[:top]:
        print(f"  {spent:7.1f} ms  {sql[:400]}")
    VERSION.renew()
    profiler = cProfile.Profile()
    profiler.runcall(client.get, url, secure=True)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2_000_000)
    parser.add_argument("--keep", action="store_true",
                        help="build into DATABASE_URL's own database once and keep it")
    parser.add_argument("--no-build", action="store_true",
                        help="time an existing seeded database (DATABASE_URL) as it is")
    parser.add_argument("--database-url",
                        help="the database to time (instead of DATABASE_URL)")
    parser.add_argument("--targets", action=argparse.BooleanOptionalAction, default=None,
                        help="print the cold-view targets with ✓/✗ (default with --no-build)")
    parser.add_argument("--profile", nargs="?", const="national", choices=list(PAGES),
                        help="print where a cold view of a page (national by default) "
                        "spends its time (queries, slowest first; functions), then stop")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: the benchmark is about its scale.")
    setup_test_environment()
    settings.DEBUG = False
    plain_static_files()
    if options.targets is None:
        options.targets = options.no_build
    if options.no_build:
        old_name = None
        admin = existing()
    elif options.keep:
        old_name = None
        admin = build_once(options.reports)
    else:
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if old_name is not None:
            admin = build(options.reports)
        if options.profile:
            profile(admin, options.profile)
            return
        client = Client()
        client.force_login(admin)
        public = Client()
        today = timezone.localdate()
        params = {"start": today - timedelta(days=365), "end": today}
        from advisors.rollups import split

        (first_month, last_month), _edges = split(params["start"], today)
        params.update(first_month=first_month, last_month=last_month,
                      last_month_end=(last_month + timedelta(days=31)).replace(day=1)
                      - timedelta(days=1))
        pages = [
            ("national", client, "/tableau-de-bord/national/"),
            ("régional (32)", client, "/tableau-de-bord/region/32/"),
            ("départemental (60)", client, "/tableau-de-bord/departement/60/"),
            ("directory: Beauvais", public, "/conseillers/?q=Beauvais"),
        ]
        from advisors.models import ActivityReport

        reports = ActivityReport.objects.count() if options.no_build else options.reports
        print(f"\n{reports:,} activity reports ({connection.settings_dict['NAME']}), "
              f"PostgreSQL, {RUNS} runs each")
        print("cold: the dashboards' cache emptied before each request; warm: as served")
        print("raw SQL: the page's main activity aggregates computed from the reports; "
              "rollups: the same read from the rollups, as the page does")
        print(f"{'page':<22} {'queries':>7} {'cold median':>12} {'max':>9} "
              f"{'warm median':>12} {'max':>9}   {'raw SQL median':>14} {'max':>9}")
        colds = {}
        for label, who, url in pages:
            count, cold, cold_worst, warm, warm_worst = timed_get(who, url)
            raw = RAW.get(label)
            sql = "{:>11.1f} ms {:>6.1f} ms".format(*timed_sql(raw, params)) if raw else ""
            if label in ROLLUP_RAW:
                sql += f"   rollups: {timed_sql(ROLLUP_RAW[label], params)[0]:.1f} ms"
            print(f"{label:<22} {count:>7} {cold:>9.1f} ms {cold_worst:>6.1f} ms "
                  f"{warm:>9.1f} ms {warm_worst:>6.1f} ms   {sql}", flush=True)
            if label in TARGETS:
                colds[label] = (cold, CPU[url])
        if options.targets:
            print("\nTarget 3 (issue 21): a dashboard's first view after a change (cold median)")
            for label, limit in TARGETS.items():
                cold, cpu = colds[label]
                mark = "✓" if cold < limit else "✗"
                print(f"  {mark} {label:<20} {cold:>7.1f} ms < {limit} ms "
                      f"(server CPU {cpu:.1f} ms)")
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
