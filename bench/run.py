"""Load bench of the platform as it is deployed: gunicorn, production settings, PostgreSQL,
Redis, measured from outside by a load generator at a fixed concurrency.

For each page (home, catalogue with and without filters, a course page, "Mon espace", a
préfet's and the national dashboard, the directory, a personal ICS feed, the API lists) and
for a bare view on the same gunicorn: p50/p95/p99 latency and requests per second (wrk, or a
small Python client when wrk is missing), and each page's throughput as a share of the bare
view's. Then the number of SQL queries of each page on a scale-0.01 and a scale-1.0
database, the enrolment race (200 simultaneous "S'inscrire" for 20 seats) and the second
rush (2,000 élus in 20 s for 5 sessions of 30 seats), with the peak resident memory of
each gunicorn process (and of a Celery worker with ``--celery``) sampled all along.
Prints a table and writes the figures as JSON (``bench/results/run-<date>.json``).

Usage (see bench/README.md, "Banc de charge (bench/run.py)"):
  .venv/bin/python bench/run.py [--database-url postgres://…/anct_national]
      [--small-database-url postgres://…/anct_small] [--redis-url redis://127.0.0.1:6379/9]
      [--duration 10] [--warmup 2] [--connections 8] [--workers 2] [--threads 4]
      [--people 200] [--seats 20] [--rush-people 2000] [--rush-sessions 5]
      [--rush-seats 30] [--rush-seconds 20] [--no-race] [--no-rush] [--celery]
      [--json PATH] [--python-client]

The databases are read, never rewritten: the bench adds a TOTP authenticator to the
seeded préfet and ANCT administrator when they have none (their pages require one) and a
calendar token to the seeded élu, and removes everything else it creates (login sessions, the
race's session, its enrolments and their queued emails).

This file runs the steps in order; each job lives beside it: ``server.py`` (machine context,
environment, collectstatic, gunicorn), ``pages.py`` (the pages and their URLs, logged-in
sessions, SQL query counts), ``load.py`` (wrk or the Python client), ``race.py`` (the
enrolment race), ``rush.py`` (the second rush) and ``report.py`` (figures, verdicts, the
table).
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import measure, measure_beside_bare
from bench.pages import (
    count_main,
    delete_sessions,
    django_setup,
    resolve_pages,
    run_count_subprocess,
)
from bench.race import TARGET_RACE_RATE, race_line, race_met, races
from bench.report import (
    BARE_KEY,
    TARGET_P95_MS,
    TARGET_PERSONAL_RATIO,
    TARGET_PUBLIC_RATIO,
    build_rows,
    format_table,
    slow_page_notes,
)
from bench.rush import TARGET_P95_MS as TARGET_RUSH_P95_MS
from bench.rush import rush, rush_line, rush_met
from bench.server import (
    BENCH,
    TARGET_RSS_MB,
    MemorySampler,
    bench_env,
    collectstatic,
    database_name,
    free_port,
    machine_context,
    memory_lines,
    start_gunicorn,
    wait_for,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/anct_national"
DEFAULT_SMALL_DATABASE = "postgres://postgres@127.0.0.1:5432/anct_small"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_DATABASE),
                        help="scale-1.0 database, measured under load (default: %(default)s)")
    parser.add_argument("--small-database-url", default=DEFAULT_SMALL_DATABASE,
                        help="scale-0.01 database, for the query counts only "
                             "('' to skip; default: %(default)s)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--duration", type=int, default=6,
                        help="seconds per measurement of a page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds per page, not kept")
    parser.add_argument("--repeat", type=int, default=3,
                        help="measurements of each page, each just after one of the bare "
                             "view, and enrolment races; the highest throughput is kept")
    parser.add_argument("--connections", type=int, default=8, help="fixed concurrency")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per gunicorn process (gthread; 1 = sync workers)")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--only", default="",
                        help="comma-separated page keys to measure (default: all), e.g. "
                             "catalogue,my_space; the bare view is always measured")
    parser.add_argument("--no-race", action="store_true",
                        help="skip the enrolment race and the second rush")
    parser.add_argument("--rush-people", type=int, default=2000)
    parser.add_argument("--rush-sessions", type=int, default=5)
    parser.add_argument("--rush-seats", type=int, default=30)
    parser.add_argument("--rush-seconds", type=float, default=20.0,
                        help="the rush's arrivals are spread evenly over this time")
    parser.add_argument("--no-rush", action="store_true",
                        help="skip the second rush (2,000 logged-in élus: minutes on a "
                             "loaded machine), keep the race")
    parser.add_argument("--celery", action="store_true",
                        help="run a Celery worker during the bench (its memory is sampled; "
                             "it delivers the race's emails with the dummy backend)")
    parser.add_argument("--two-instances", action="store_true",
                        help="run bench/instances.py instead: two gunicorn instances and two "
                             "Celery workers on the same PostgreSQL and Redis")
    parser.add_argument("--no-collectstatic", action="store_true",
                        help="reuse --static-root as it is (static files unchanged)")
    parser.add_argument("--json", type=Path, help="default: bench/results/run-<date>.json")
    parser.add_argument("--python-client", action="store_true",
                        help="use the Python client even if wrk is installed")
    parser.add_argument("--static-root", type=Path,
                        default=Path(tempfile.gettempdir()) / "anct-bench-static")
    parser.add_argument("--secret-key", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.secret_key = args.secret_key or secrets.token_urlsafe(50)
    if not args.python_client and not shutil.which("wrk"):
        print("wrk introuvable (apt-get install -y wrk) : client Python utilisé à la place.",
              file=sys.stderr)
        args.python_client = True
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.count_queries:
        return count_main(args)
    if args.two_instances:
        from bench.instances import main as two_instances

        return two_instances(["--database-url", args.database_url, "--people",
                              str(args.people), "--seats", str(args.seats), "--static-root",
                              str(args.static_root)]
                             + (["--no-collectstatic"] if args.no_collectstatic else []))

    context = machine_context()
    print(f"Machine : {context['host']}, {context['cores']} cœurs, charge moyenne "
          f"{' / '.join(str(x) for x in context['load_average'])} (1/5/15 min) au départ ; "
          f"générateur : {context['load_generator']}")
    env = bench_env(args, args.database_url, f"bench-{database_name(args.database_url)}")
    django_setup(env)
    if not args.no_collectstatic:
        print(f"collectstatic → {args.static_root} …", end=" ", flush=True)
        seconds = collectstatic(env, args.static_root)
        print("inutile, fichiers inchangés depuis la dernière fois" if seconds is None
              else f"{seconds:.0f} s", flush=True)

    counts_by_scale, count_details = {}, {}
    for scale, url in (("0.01", args.small_database_url), ("1.0", args.database_url)):
        if not url:
            continue
        print(f"Requêtes SQL par page, base {database_name(url)} …", end=" ", flush=True)
        started = time.perf_counter()
        result = run_count_subprocess(args, url)
        print(f"{time.perf_counter() - started:.0f} s", flush=True)
        counts_by_scale[scale] = result["counts"]
        count_details[scale] = {k: v for k, v in result.items() if k != "counts"}

    login_keys = []
    port = free_port()
    server = start_gunicorn(env, args, port)
    sampler = MemorySampler()
    sampler.watch(server.pid, "gunicorn")
    worker = start_celery(env) if args.celery else None
    if worker is not None:
        sampler.watch(worker.pid, "celery")
    sampler.start()
    loads, race_result, rush_result = {}, None, None
    try:
        pages, details = resolve_pages(login_keys)
        if args.only:
            keep = {BARE_KEY, *args.only.split(",")}
            pages = [page for page in pages if page["key"] in keep]
        from bench.urls import BARE_PATH

        wait_for(port, BARE_PATH)
        mode = (f"gthread, {args.workers} processus × {args.threads} fils" if args.threads > 1
                else f"sync, {args.workers} processus")
        print(f"gunicorn ({mode}) sur le port {port} ; {args.connections} connexions, "
              f"{args.warmup:g} s de chauffe puis {args.duration:g} s par page", flush=True)
        bare_page = pages[0]
        bare_beside = {}
        for page in [*pages, {**bare_page, "key": "bare_end"}]:
            print(f"  {page['path']} …", flush=True)
            if page["key"] in (BARE_KEY, "bare_end"):
                loads[page["key"]] = measure(port, page, args)
                continue
            loads[page["key"]], bare_beside[page["key"]] = measure_beside_bare(
                port, page, bare_page, args)
        if not args.no_race:
            print(f"Course aux inscriptions : {args.people} personnes, {args.seats} places …",
                  flush=True)
            race_result = races(port, args.people, args.seats, login_keys, args.repeat)
        if not (args.no_race or args.no_rush):
            print(f"Ruée : {args.rush_people} élus en {args.rush_seconds:g} s, "
                  f"{args.rush_sessions} sessions × {args.rush_seats} places …", flush=True)
            rush_result = rush(port, args.rush_people, args.rush_sessions, args.rush_seats,
                               args.rush_seconds, login_keys)
    finally:
        sampler.stop()
        for process in (server, worker):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        delete_sessions(login_keys)
    memory = sampler.report()

    bare_runs = [loads[k]["rps"] for k in (BARE_KEY, "bare_end") if loads[k].get("rps")]
    bare_rps = sum(bare_runs) / len(bare_runs) if bare_runs else None
    loads[BARE_KEY] = {**loads[BARE_KEY], "rps_end": loads["bare_end"].get("rps")}
    rows = build_rows(pages, loads, counts_by_scale, bare_rps, bare_beside)
    context["load_average_end"] = [round(x, 2) for x in os.getloadavg()]

    print()
    print(format_table(rows))
    print()
    beside = [rps for rps in bare_beside.values() if rps]
    print(f"Vue nue : {loads[BARE_KEY].get('rps') or 0:.0f} req/s au début, "
          f"{loads['bare_end'].get('rps') or 0:.0f} à la fin, de {min(beside, default=0):.0f} "
          f"à {max(beside, default=0):.0f} juste avant chaque page ; « × nue » rapporte "
          "chaque page à la mesure faite juste avant elle.")
    print("SQL : requêtes de la page servie cache vide / cache chaud, base à l'échelle 0,01 "
          "puis 1,0.")
    notes = slow_page_notes(rows)
    if notes:
        print("Pages au-dessus de la cible de latence (échelle 1,0, cache chaud) :")
        print("\n".join(notes))
    race_ok = race_result is not None and race_met(race_result, args.people, args.seats)
    if race_result is not None:
        print(race_line(race_result, race_ok))
    rush_ok = rush_result is not None and rush_met(rush_result)
    if rush_result is not None:
        print(rush_line(rush_result, rush_ok))
    memory_ok = bool(memory) and all(row["met"] for row in memory)
    print("Mémoire résidente, pic de chaque processus pendant le banc :")
    print("\n".join(memory_lines(memory)))
    print(f"Charge moyenne à la fin : "
          f"{' / '.join(str(x) for x in context['load_average_end'])}")

    report = {
        "context": context,
        "settings": {"duration_s": args.duration, "warmup_s": args.warmup,
                     "connections": args.connections, "gunicorn_workers": args.workers,
                     "gunicorn_threads": args.threads, "database": database_name(
                         args.database_url),
                     "small_database": database_name(args.small_database_url)
                     if args.small_database_url else None},
        "targets": {"p95_ms": TARGET_P95_MS, "public_ratio": TARGET_PUBLIC_RATIO,
                    "personal_ratio": TARGET_PERSONAL_RATIO,
                    "race": [args.seats, args.people - args.seats, 0],
                    "race_enrolments_per_second": TARGET_RACE_RATE,
                    "rush_p95_ms": TARGET_RUSH_P95_MS, "rss_mb": TARGET_RSS_MB},
        "details": details, "query_databases": count_details,
        "bare_rps": bare_rps, "bare_end": loads["bare_end"],
        "pages": rows, "race": {**race_result, "met": race_ok} if race_result else None,
        "rush": {**rush_result, "met": rush_ok} if rush_result else None,
        "memory": memory,
        "all_met": (race_ok and rush_ok and memory_ok
                    and all(not row["misses"] for row in rows)),
    }
    path = args.json or (BENCH / "results" / f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"JSON : {path}")
    return 0 if report["all_met"] else 1


def start_celery(env):
    """A Celery worker (prefork, 2 processes, as the Procfile's default) on the bench's
    broker."""
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker",
                             "--loglevel", "WARNING", "--concurrency", "2",
                             "-n", f"bench-{os.getpid()}@%h"], cwd=BENCH.parent, env=env)


if __name__ == "__main__":
    sys.exit(main())
