"""Load bench of the platform as it is deployed: gunicorn, production settings, PostgreSQL,
Redis, measured from outside by a load generator at a fixed concurrency.

For each page (home, catalogue with and without filters, a course page, "Mon espace", a
préfet's and the national dashboard, the directory, a personal ICS feed, the API lists) and
for a bare view on the same gunicorn: p50/p95/p99 latency and requests per second (wrk, or a
small Python client when wrk is missing), and each page's throughput as a share of the bare
view's. Then the number of SQL queries of each page on a scale-0.01 and a scale-1.0
database, and the enrolment race (200 simultaneous "S'inscrire" for 20 seats). Prints a
table and writes the figures as JSON (``bench/results/run-<date>.json``).

Usage (see bench/README.md, "Banc de charge (bench/run.py)"):
  .venv/bin/python bench/run.py [--database-url postgres://…/anct_national]
      [--small-database-url postgres://…/anct_small] [--redis-url redis://127.0.0.1:6379/9]
      [--duration 10] [--warmup 2] [--connections 8] [--workers 2] [--threads 4]
      [--people 200] [--seats 20] [--json PATH] [--python-client]

The databases are read, never rewritten: the bench adds a TOTP authenticator to the
seeded préfet and ANCT administrator when they have none (their pages require one) and a
calendar token to the seeded élu, and removes everything else it creates (login sessions, the
race's session, its enrolments and their queued emails).
"""

import argparse
import http.client
import json
import math
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
LUA_SCRIPT = BENCH / "wrk_report.lua"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/anct_national"
DEFAULT_SMALL_DATABASE = "postgres://postgres@127.0.0.1:5432/anct_small"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
SEED_DOMAIN = "seed-national.anct.test"
ACCOUNTS = {"elu": f"elu@{SEED_DOMAIN}", "prefet": f"prefet@{SEED_DOMAIN}",
            "admin": f"admin@{SEED_DOMAIN}"}
# Every request says it came through the TLS proxy, as behind the production front end:
# SECURE_SSL_REDIRECT stays on and CSRF checks the origin of the race's POSTs.
FORWARDED = {"X-Forwarded-Proto": "https"}

TARGET_P95_MS = 100.0
TARGET_CATALOGUE_RATIO = 0.5
CATALOGUE_KEYS = ("catalogue", "catalogue_filtered")
BARE_KEY = "bare"
SQL_EXCERPT = 160

# key, label, account logged in (None: anonymous)
PAGES = [
    ("home", "Accueil", None),
    ("catalogue", "Catalogue", None),
    ("catalogue_filtered", "Catalogue filtré", None),
    ("course", "Page de formation", None),
    ("my_space", "Mon espace (élu)", "elu"),
    ("prefect_dashboard", "Tableau de bord préfet", "prefet"),
    ("national_dashboard", "Tableau de bord national", "admin"),
    ("directory", "Annuaire (recherche)", None),
    ("ics", "Flux ICS personnel", None),
    ("api_lieux", "API lieux", None),
    ("api_structures", "API structures", None),
    ("api_sessions", "API sessions", None),
    ("api_stats", "API statistiques", None),
]


# --- Pure helpers (tests/bench/test_run.py) -------------------------------------------------

def parse_wrk_output(text):
    """The figures of the ``BENCH_JSON`` line printed by wrk_report.lua, in ms and req/s."""
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line[len("BENCH_JSON "):])
            break
    else:
        raise ValueError("no BENCH_JSON line in wrk's output:\n" + text)
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    return {
        "requests": int(raw["requests"]),
        "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "non_2xx_3xx": int(errors["status"]),
        "socket_errors": int(errors["connect"] + errors["read"] + errors["write"]
                             + errors["timeout"]),
    }


def percentile(values, fraction):
    """Nearest-rank percentile of ``values`` (``fraction`` between 0 and 1)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize_latencies(latencies_s, statuses, elapsed_s):
    """The same figures as ``parse_wrk_output`` from the Python client's measurements."""
    return {
        "requests": len(latencies_s),
        "p50_ms": percentile(latencies_s, 0.50) * 1000 if latencies_s else None,
        "p95_ms": percentile(latencies_s, 0.95) * 1000 if latencies_s else None,
        "p99_ms": percentile(latencies_s, 0.99) * 1000 if latencies_s else None,
        "rps": len(latencies_s) / elapsed_s if elapsed_s else 0.0,
        "non_2xx_3xx": sum(1 for status in statuses if not 200 <= status < 400),
        "socket_errors": sum(1 for status in statuses if status == 0),
    }


def verdict(key, load, ratio, equal):
    """What keeps this page from its targets (empty: all met). ``equal``: see
    ``queries_equal``."""
    if key == BARE_KEY:
        return []
    if load is None or load.get("p95_ms") is None:
        status = (load or {}).get("status")
        return [f"non mesurée (statut {status})" if status else "non mesurée"]
    misses = []
    if not load.get("requests"):
        return [f"aucune réponse en {load.get('seconds', '?')} s"]
    if load["p95_ms"] >= TARGET_P95_MS:
        misses.append(f"p95 {load['p95_ms']:.0f} ms ≥ {TARGET_P95_MS:.0f} ms")
    if load.get("non_2xx_3xx") or load.get("socket_errors"):
        misses.append(f"{load['non_2xx_3xx'] + load['socket_errors']} erreurs")
    if key in CATALOGUE_KEYS and ratio is not None and ratio < TARGET_CATALOGUE_RATIO:
        misses.append(f"débit {ratio:.2f} × vue nue < {TARGET_CATALOGUE_RATIO}")
    if equal == "différent":
        misses.append("requêtes SQL dépendantes de l'échelle")
    return misses


def sql_excerpt(sql, length=SQL_EXCERPT):
    """What tells a query apart: its main FROM onwards (the columns, and the subqueries
    among them, left out), shortened to ``length`` characters."""
    depth = 0
    start = None
    for index, char in enumerate(sql):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and sql.startswith(" FROM ", index):
            start = index + 1
            break
    text = sql[start:] if start is not None else sql
    if start is not None and sql.startswith("SELECT COUNT("):
        text = "COUNT … " + text
    return text if len(text) <= length else text[:length - 1] + "…"


def slow_page_notes(rows, scale="1.0"):
    """For each page that misses the latency target: its SQL time and slowest query, as
    counted on the database of ``scale`` with the cache warm."""
    notes = []
    for row in rows:
        if not any(m.startswith(("p95", "aucune")) for m in row["misses"]):
            continue
        count = row["queries"].get(scale) or {}
        if not count.get("slowest_warm"):
            alone = (f"seule et hors charge, {count['ms_warm']:.0f} ms, "
                     if count.get("ms_warm") is not None else "")
            notes.append(f"- {row['label']} : {alone}{count.get('warm', '?')} requête SQL")
            continue
        slowest = count["slowest_warm"][0]
        notes.append(
            f"- {row['label']} : seule et hors charge, {count['ms_warm']:.0f} ms dont "
            f"{count['sql_ms_warm']:.0f} ms de SQL en {count['warm']} requêtes ; la plus "
            f"lente {slowest['ms']:.0f} ms : {slowest['sql']}")
    return notes


def _cell(value, fmt):
    return "—" if value is None else format(value, fmt)


def _counts_cell(count):
    """"froid/chaud" query counts of one page on one database."""
    if not count:
        return "—"
    return f"{count['cold']}/{count['warm']}"


def format_table(rows):
    """The report as a text table; ``rows`` as built by ``build_rows``."""
    headers = ["page", "p50 ms", "p95 ms", "p99 ms", "req/s", "× nue",
               "SQL 0,01", "SQL 1,0", "SQL", "cibles"]
    lines = []
    for row in rows:
        load = row.get("load") or {}
        lines.append([
            row["label"], _cell(load.get("p50_ms"), ".1f"), _cell(load.get("p95_ms"), ".1f"),
            _cell(load.get("p99_ms"), ".1f"), _cell(load.get("rps"), ".0f"),
            _cell(row.get("ratio"), ".2f"),
            _counts_cell(row["queries"].get("0.01")), _counts_cell(row["queries"].get("1.0")),
            row["queries_equal"],
            "(référence)" if row["key"] == BARE_KEY
            else "✓" if not row["misses"] else "✗ " + "; ".join(row["misses"]),
        ])
    widths = [max(len(str(line[i])) for line in [headers, *lines]) for i in range(len(headers))]
    numeric = set(range(1, 6))

    def render(cells):
        return "  ".join(
            (str(c).rjust(widths[i]) if i in numeric else str(c).ljust(widths[i]))
            for i, c in enumerate(cells)
        ).rstrip()

    return "\n".join([render(headers), render(["-" * w for w in widths]),
                      *(render(line) for line in lines)])


def queries_equal(counts):
    """"égal" when the warm and cold counts are the same at both scales."""
    present = [c for c in counts.values() if c]
    if len(present) < 2:
        return "—"
    same = all((c["cold"], c["warm"]) == (present[0]["cold"], present[0]["warm"])
               for c in present)
    return "égal" if same else "différent"


def build_rows(pages, loads, counts_by_scale, bare_rps, bare_beside=None):
    """One row per page (bare view first), with the ratio to the bare view and the misses.

    ``bare_beside``: the bare view's throughput measured just before each page, when known;
    the ratio is then taken against it rather than the run's average ``bare_rps`` (the
    machine's speed drifts during a run; two measurements side by side share its state)."""
    rows = []
    for page in pages:
        key = page["key"]
        load = loads.get(key)
        reference = (bare_beside or {}).get(key) or bare_rps
        ratio = (load["rps"] / reference
                 if load and load.get("rps") is not None and reference else None)
        queries = {scale: counts.get(key) for scale, counts in counts_by_scale.items()}
        equal = queries_equal(queries)
        rows.append({"key": key, "label": page["label"], "path": page["path"],
                     "as": page.get("as"), "load": load, "ratio": ratio,
                     "bare_rps_beside": reference, "queries": queries,
                     "queries_equal": equal, "misses": verdict(key, load, ratio, equal)})
    return rows


# --- Machine and processes ------------------------------------------------------------------

def machine_context():
    load1, load5, load15 = os.getloadavg()
    wrk = shutil.which("wrk")
    wrk_version = None
    if wrk:
        # wrk -v prints its version and exits non-zero
        result = subprocess.run([wrk, "-v"], capture_output=True, text=True)
        output = (result.stdout or result.stderr).strip()
        wrk_version = output.splitlines()[0].split(" Copyright")[0] if output else "wrk"
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(), "cores": os.cpu_count(),
        "load_average": [round(load1, 2), round(load5, 2), round(load15, 2)],
        "python": platform.python_version(), "load_generator": wrk_version or "python",
    }


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def bench_env(args, database_url, cache_prefix):
    """The environment of every process of the run: production settings, the bench's
    URLconf, the database, and Redis for the cache and Celery's broker."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": args.secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": args.redis_url,
        "BENCH_STATIC_ROOT": str(args.static_root),
        "BENCH_CACHE_PREFIX": cache_prefix,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",  # not one line per 429 or 404
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


def static_fingerprint():
    """A digest of every source static file (path, size, modification time), as
    ``collectstatic`` would find them. Needs django.setup()."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def collectstatic(env, static_root):
    """Runs ``collectstatic`` (minutes: the manifest storage hashes and compresses every
    file) unless the source files are those of the last run into ``static_root``. Returns
    the seconds taken, or None when skipped."""
    marker = Path(static_root) / ".bench-fingerprint"
    fingerprint = static_fingerprint()
    if (marker.exists() and marker.read_text() == fingerprint
            and (Path(static_root) / "staticfiles.json").exists()):
        return None
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    marker.write_text(fingerprint)
    return time.perf_counter() - started


def start_gunicorn(env, args, port):
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
               "--log-level", "warning", "--timeout", "120", "--backlog", "2048"]
    if args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def http_get(port, path, headers=None, timeout=60):
    """(status, body) of one GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={**FORWARDED, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for(port, path, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, _ = http_get(port, path, timeout=10)
            if status == 200:
                return
        except OSError:  # refused while gunicorn boots
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer 200 on {path} within {timeout} s")


# --- Load generators ------------------------------------------------------------------------

def run_wrk(port, path, headers, connections, duration):
    # wrk takes whole seconds only ("-d5.0s" is refused).
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, math.ceil(duration))}s",
               "--timeout", "30s",
               "-s", str(LUA_SCRIPT)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk_output(result.stdout)


def run_python_client(port, path, headers, connections, duration):
    """Fallback without wrk: ``connections`` threads, each with its own keep-alive HTTP
    connection, sending GETs one after the other for ``duration`` seconds. Python's own
    overhead caps it well below wrk for fast pages (the bare view in particular)."""
    latencies, statuses = [], []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    all_headers = {**FORWARDED, **headers}

    def worker():
        mine_latencies, mine_statuses = [], []
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=all_headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                connection.close()
                status = 0
            except http.client.HTTPException:
                connection.close()
                status = 0
            mine_latencies.append(time.perf_counter() - started)
            mine_statuses.append(status)
        connection.close()
        with lock:
            latencies.extend(mine_latencies)
            statuses.extend(mine_statuses)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summarize_latencies(latencies, statuses, time.perf_counter() - started)


def measure(port, page, args, duration=None, warmup=None):
    duration = args.duration if duration is None else duration
    warmup = args.warmup if warmup is None else warmup
    headers = {**FORWARDED}
    if page.get("cookie"):
        headers["Cookie"] = page["cookie"]
    status, body = http_get(port, page["path"], {"Cookie": page["cookie"]}
                            if page.get("cookie") else None)
    if status != 200:
        return {"status": status, "p50_ms": None, "p95_ms": None, "p99_ms": None,
                "rps": None, "bytes": len(body)}
    generator = run_python_client if args.python_client else run_wrk
    if warmup:
        generator(port, page["path"], headers, args.connections, warmup)
    figures = generator(port, page["path"], headers, args.connections, duration)
    figures.update(status=status, bytes=len(body), seconds=duration)
    return figures


def best_trial(trials):
    """``trials``: [(bare view's figures, page's figures)], each pair measured back to back.
    The page's measurement with the highest throughput is kept, with the bare view's best
    among the same trials as its reference: on a shared machine every slower measurement
    was slowed by something else (as ``timeit`` keeps the fastest run)."""
    def rps(figures):
        return (figures or {}).get("rps") or 0

    best = max((page for _bare, page in trials), key=rps)
    reference = max((rps(bare) for bare, _page in trials), default=0) or None
    return ({**best, "trials": [page for _bare, page in trials],
             "bare_trials_rps": [rps(bare) for bare, _page in trials]}, reference)


def measure_beside_bare(port, page, bare_page, args):
    """``--repeat`` pairs (bare view, page), the page warmed up once; see ``best_trial``."""
    trials = []
    for n in range(max(1, args.repeat)):
        bare = measure(port, bare_page, args, duration=max(2, args.duration // 2), warmup=0)
        figures = measure(port, page, args, warmup=args.warmup if n == 0 else 0)
        trials.append((bare, figures))
        if figures.get("rps") is None:  # not answered 200: nothing more to measure
            break
    return best_trial(trials)


# --- Django side (run after django.setup()) -------------------------------------------------

def django_setup(env):
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def login_session(user, created):
    """A logged-in session for ``user``, stored like a real login's (database sessions), but
    without ``login()``'s side effects (``last_login`` is not rewritten)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    created.append(store.session_key)
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def delete_sessions(keys):
    from django.contrib.sessions.models import Session as LoginSession

    for start in range(0, len(keys), 500):
        LoginSession.objects.filter(session_key__in=keys[start:start + 500]).delete()


def ensure_totp(users):
    """The préfet and the administrator need a TOTP authenticator to reach their pages."""
    from allauth.mfa.models import Authenticator

    added = []
    for user in users:
        _, created = Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench"}})
        if created:
            added.append(user.email)
    return added


def resolve_pages(login_keys):
    """The pages to measure, their URLs read from the database (same logic at every scale),
    with the session cookie of the account each one is seen as."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from academy.models import CatalogPage, CoursePage, Session
    from accounts.models import User
    from advisors.models import PrefectAssignment
    from calendars.models import CalendarToken

    users = {role: User.objects.get(email=email) for role, email in ACCOUNTS.items()}
    totp_added = ensure_totp([users["prefet"], users["admin"]])
    cookies = {role: login_session(user, login_keys) for role, user in users.items()}

    now = timezone.now()
    catalog = CatalogPage.objects.live().public().order_by("path").first()
    upcoming = Q(sessions__end__gte=now, sessions__status=Session.Status.SCHEDULED)
    # The live course with the most upcoming sessions, then its next in-person session's
    # département and the course's first theme as the catalogue's filters.
    course = (CoursePage.objects.live().public().annotate(upcoming=Count("sessions",
                                                                         filter=upcoming))
              .filter(upcoming__gt=0).order_by("-upcoming", "path").first())
    in_person = (Session.objects.scheduled().upcoming().filter(course=course,
                                                               commune__isnull=False)
                 .select_related("commune__department").first())
    theme = course.themes.order_by("slug").first()
    filters = {}
    if theme:
        filters["theme"] = theme.slug
    if in_person:
        filters["department"] = in_person.commune.department.code
    prefect_department = (PrefectAssignment.objects.filter(user=users["prefet"],
                                                           department__isnull=False)
                          .select_related("department").first().department.code)
    token = CalendarToken.objects.for_user(users["elu"]).token
    paths = {
        "home": "/",
        "catalogue": catalog.url,
        "catalogue_filtered": f"{catalog.url}?{urlencode(filters)}",
        "course": course.url,
        "my_space": reverse("accounts:home"),
        "prefect_dashboard": reverse("dashboards:department", args=[prefect_department]),
        "national_dashboard": reverse("dashboards:national"),
        "directory": reverse("directory:search") + "?" + urlencode({"q": "Beauvais"}),
        "ics": reverse("calendars:personal_feed", args=[token]),
        "api_lieux": "/api/v1/lieux",
        "api_structures": "/api/v1/structures",
        "api_sessions": "/api/v1/sessions",
        "api_stats": "/api/v1/statistiques/departements",
    }
    from bench.urls import BARE_PATH

    pages = [{"key": BARE_KEY, "label": "Vue nue (sans base)", "path": BARE_PATH,
              "cookie": None}]
    for key, label, role in PAGES:
        pages.append({"key": key, "label": label, "path": paths[key],
                      "cookie": cookies[role] if role else None,
                      "as": ACCOUNTS[role] if role else "anonyme"})
    return pages, {"totp_added": totp_added, "course": course.title,
                   "catalogue_filters": filters}


def count_queries(pages):
    """Queries of each page through Django's test client in this process: the first request
    with an empty cache (this run's own key prefix), then the second (cache warm), with the
    time the second one took here, its SQL time and its slowest queries (no load)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()  # one handler: middleware loaded once, as in a gunicorn worker
    counts = {}
    for page in pages:
        figures = []
        for _ in range(2):
            client.cookies.clear()  # no cookie carried from one request to the next, as wrk
            headers = {"cookie": page["cookie"]} if page.get("cookie") else {}
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page["path"], secure=True, headers=headers)
                if response.streaming:
                    b"".join(response.streaming_content)
            elapsed = time.perf_counter() - started
            timed = sorted(((float(q["time"]), q["sql"]) for q in queries.captured_queries),
                           key=lambda item: item[0], reverse=True)
            figures.append((len(queries), response.status_code, timed, elapsed))
        timed = figures[1][2]
        counts[page["key"]] = {
            "cold": figures[0][0], "warm": figures[1][0], "status": figures[1][1],
            "ms_warm": round(figures[1][3] * 1000, 1),
            "sql_ms_warm": round(sum(t for t, _ in timed) * 1000, 1),
            "slowest_warm": [{"ms": round(t * 1000, 1), "sql": sql_excerpt(sql)}
                             for t, sql in timed[:3]],
        }
    return counts


def clear_cache_prefix(redis_url, prefix):
    """Removes the keys a counting run left in Redis under its own prefix."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])


def count_main(args):
    """``--count-queries``: the subprocess that counts one database's queries (JSON out)."""
    prefix = f"bench-count-{database_name(args.database_url)}-{uuid.uuid4().hex[:8]}"
    env = bench_env(args, args.database_url, prefix)
    django_setup(env)
    from django.db import connection

    keys = []
    try:
        pages, details = resolve_pages(keys)
        counts = count_queries(pages)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM accounts_user")
            users = cursor.fetchone()[0]
        print(json.dumps({"database": database_name(args.database_url), "users": users,
                          "paths": {p["key"]: p["path"] for p in pages},
                          "counts": counts, **details}))
    finally:
        delete_sessions(keys)
        clear_cache_prefix(args.redis_url, prefix)


def run_count_subprocess(args, database_url):
    command = [sys.executable, str(BENCH / "run.py"), "--count-queries",
               "--database-url", database_url, "--redis-url", args.redis_url,
               "--static-root", str(args.static_root), "--secret-key", args.secret_key]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"query count failed on {database_name(database_url)}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- The enrolment race ---------------------------------------------------------------------

def race_fixture(people, seats, login_keys):
    """A new session with ``seats`` seats on a live course for elected officials, and
    ``people`` seeded élus with a mandate, each logged in, with a CSRF cookie and token."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Exists, OuterRef
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from academy.models import Audience, CoursePage, Mandate, OfficialProfile, Session
    from accounts.models import User

    course = (CoursePage.objects.live().public().filter(audience=Audience.ELECTED_OFFICIALS)
              .order_by("path").first())
    now = timezone.now()
    session = Session.objects.create(
        course=course, start=now + timedelta(days=30), end=now + timedelta(days=30, hours=7),
        remote_url="https://webconf.example.invalid/banc-de-charge", capacity=seats,
        enrolment_opens=now - timedelta(days=1), enrolment_closes=now + timedelta(days=29),
        cancellation_deadline=now + timedelta(days=28), trainers="Banc de charge",
        requires_approval=False,
    )
    with_mandate = (OfficialProfile.objects
                    .filter(Exists(Mandate.objects.filter(profile=OuterRef("pk"))))
                    .exclude(user__email=ACCOUNTS["elu"])
                    .filter(user__is_active=True, user__is_staff=False)
                    .order_by("user_id").values_list("user_id", flat=True)[:people])
    users = list(User.objects.filter(pk__in=list(with_mandate)).order_by("pk"))
    entrants = []
    for user in users:
        csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        cookie = f"{login_session(user, login_keys)}; {settings.CSRF_COOKIE_NAME}={csrf}"
        entrants.append({"email": user.email, "cookie": cookie, "csrf": csrf})
    return course, session, entrants


def classify(status, location):
    """"ok" for the redirect to "Mon espace" that follows an enrolment, else the error."""
    if status == 302 and (location or "").rstrip("/").endswith("/espace"):
        return "ok"
    if status == 302:
        return f"302 → {location}"
    return f"http {status}"


def race(port, people, seats, login_keys):
    from academy.models import Enrolment
    from accounts.models import OutgoingEmail

    course, session, entrants = race_fixture(people, seats, login_keys)
    last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    path = f"/inscriptions/sessions/{session.pk}/"
    origin = f"https://127.0.0.1:{port}"
    outcomes = [None] * len(entrants)
    barrier = threading.Barrier(len(entrants) + 1)

    def press(index, entrant):
        body = urlencode({"csrfmiddlewaretoken": entrant["csrf"]})
        headers = {**FORWARDED, "Cookie": entrant["cookie"], "Origin": origin,
                   "Referer": f"{origin}{course.url}",
                   "Content-Type": "application/x-www-form-urlencoded"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            outcomes[index] = classify(response.status, response.getheader("Location"))
        except (OSError, http.client.HTTPException) as error:
            outcomes[index] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i, e)) for i, e in enumerate(entrants)]
    try:
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        statuses = {status: session.enrolments.filter(status=status).count()
                    for status in (Enrolment.Status.CONFIRMED, Enrolment.Status.WAITLISTED,
                                   Enrolment.Status.PENDING)}
        errors = [o for o in outcomes if o != "ok"]
        return {
            "people": len(entrants), "seats": seats, "course": course.title,
            "confirmed": statuses[Enrolment.Status.CONFIRMED],
            "waitlisted": statuses[Enrolment.Status.WAITLISTED],
            "pending": statuses[Enrolment.Status.PENDING],
            "errors": len(errors), "error_kinds": sorted(set(errors)),
            "seconds": elapsed, "enrolments_per_second": len(entrants) / elapsed,
        }
    finally:
        emails = {e["email"] for e in entrants}
        queued = [o.pk for o in OutgoingEmail.objects.filter(pk__gt=last_email)
                  if set(o.to) & emails]
        OutgoingEmail.objects.filter(pk__in=queued).delete()
        forget_queued_emails(queued)
        Enrolment.objects.filter(session=session).delete()
        session.delete()


def is_email_task_for(raw_message, outgoing_ids):
    """Whether a message of the Redis broker's queue delivers one of these outbox emails."""
    try:
        headers = json.loads(raw_message)["headers"]
    except (ValueError, KeyError, TypeError):
        return False
    wanted = {f"[{i}]" for i in outgoing_ids} | {f"({i},)" for i in outgoing_ids}
    return (headers.get("task") == "accounts.tasks.send_email"
            and headers.get("argsrepr") in wanted)


def forget_queued_emails(outgoing_ids):
    """Takes the race's email deliveries out of the broker's queue (no worker runs during
    the bench, and their outbox rows are deleted)."""
    import redis
    from django.conf import settings

    if not outgoing_ids or not settings.CELERY_BROKER_URL.startswith("redis"):
        return 0
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    return sum(client.lrem(queue, 1, raw) for raw in client.lrange(queue, 0, -1)
               if is_email_task_for(raw, outgoing_ids))


def race_line(result, met):
    errors = result["errors"]
    return (f"Course : {result['people']} inscriptions simultanées pour {result['seats']} "
            f"places → confirmées {result['confirmed']}, liste d'attente "
            f"{result['waitlisted']}, erreurs {errors}"
            f"{' ' + ', '.join(result['error_kinds']) if errors else ''} ; "
            f"{result['seconds']:.2f} s, {result['enrolments_per_second']:.0f} inscriptions/s "
            f"{'✓' if met else '✗'}")


def race_met(result, people, seats):
    return (result["confirmed"] == seats and result["waitlisted"] == people - seats
            and result["errors"] == 0)


# --- Main -----------------------------------------------------------------------------------

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
                             "view; the one with the highest throughput is kept")
    parser.add_argument("--connections", type=int, default=8, help="fixed concurrency")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per gunicorn process (gthread; 1 = sync workers)")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--only", default="",
                        help="comma-separated page keys to measure (default: all), e.g. "
                             "catalogue,my_space; the bare view is always measured")
    parser.add_argument("--no-race", action="store_true", help="skip the enrolment race")
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
    loads, race_result = {}, None
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
            race_result = race(port, args.people, args.seats, login_keys)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        delete_sessions(login_keys)

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
        "targets": {"p95_ms": TARGET_P95_MS, "catalogue_ratio": TARGET_CATALOGUE_RATIO,
                    "race": [args.seats, args.people - args.seats, 0]},
        "details": details, "query_databases": count_details,
        "bare_rps": bare_rps, "bare_end": loads["bare_end"],
        "pages": rows, "race": {**race_result, "met": race_ok} if race_result else None,
        "all_met": race_ok and all(not row["misses"] for row in rows),
    }
    path = args.json or (BENCH / "results" / f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"JSON : {path}")
    return 0 if report["all_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
