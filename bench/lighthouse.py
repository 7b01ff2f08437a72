"""Lighthouse on the platform as deployed: gunicorn, production settings, collected static
files served by WhiteNoise, the scale-1.0 database; mobile profile (Lighthouse's default).

For the home page, the catalogue, a course page, the directory and "Mon espace" (seen as the
seeded élu): the performance, accessibility, best practices and SEO scores against the
targets (≥ 95, 100, 100, 100), the console errors (none allowed) and the page weight (bytes
transferred, in all and per type: CSS, JS, fonts, images). Prints two tables and each
failing audit, writes the figures as JSON (``bench/results/lighthouse-<date>.json``) and
Lighthouse's full reports beside it (``bench/results/lighthouse-<date>/<page>.json``).

Usage (see bench/README.md, "Lighthouse (bench/lighthouse.py)"):
  .venv/bin/python bench/lighthouse.py [--database-url postgres://…/anct_national]
      [--port 8301] [--redis-url redis://127.0.0.1:6379/13] [--static-root DIR]
      [--only home,course] [--runs 3] [--json PATH]

Served on 127.0.0.1 over plain HTTP: the page loads carry ``X-Forwarded-Proto: https``
(Lighthouse's ``--extra-headers``), as behind the production TLS proxy, so that pages are
rendered as in production; SECURE_SSL_REDIRECT is off, because Lighthouse fetches robots.txt
without those headers (it would get a redirect to https://127.0.0.1, where nothing answers).
Lighthouse counts 127.0.0.1 as a secure origin ("Uses HTTPS" passes) and leaves "Redirects
HTTP traffic to HTTPS" out as not applicable there; HSTS and the other trust audits of weight
0 do not count in the score.
"Mon espace" gets the élu's session cookie in the same headers. Each page is requested once
before Lighthouse loads it, so that it is measured with a warm cache, as visitors find it.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server import (  # noqa: E402
    BENCH,
    FORWARDED,
    ROOT,
    bench_env,
    collectstatic,
    database_name,
    http_get,
    start_gunicorn,
    wait_for,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/anct_national"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
DEFAULT_PORT = 8301
CHROME_FLAGS = "--headless=new --no-sandbox"

# key (as in bench/pages.py), label
PAGES = [
    ("home", "Accueil"),
    ("catalogue", "Catalogue"),
    ("course", "Page de formation"),
    ("directory", "Annuaire (recherche)"),
    ("my_space", "Mon espace (élu)"),
]
# Lighthouse category id, label, minimum score (0–100)
CATEGORIES = [
    ("performance", "Performance", 95),
    ("accessibility", "Accessibilité", 100),
    ("best-practices", "Bonnes pratiques", 100),
    ("seo", "SEO", 100),
]
# Lighthouse resourceType (network-requests audit) → column of the weight table
WEIGHT_TYPES = [("Stylesheet", "css", "CSS"), ("Script", "js", "JS"),
                ("Font", "fonts", "Polices"), ("Image", "images", "Images")]
MAX_CONSOLE_ERRORS = 0


# --- Reading a Lighthouse report (pure: tests/bench/test_lighthouse.py) ------------------

def score_of(category):
    """A category's score out of 100, None when Lighthouse could not compute it."""
    score = (category or {}).get("score")
    return None if score is None else round(score * 100)


def failing_audits(report, category_id):
    """The audits of a category that cost points: scored (weight > 0), not passed, not
    "not applicable", "informative" or "manual". Each as id, title, score, and the first
    elements or URLs it names."""
    audits = report.get("audits", {})
    failing = []
    for ref in report.get("categories", {}).get(category_id, {}).get("auditRefs", []):
        audit = audits.get(ref["id"], {})
        if not ref.get("weight") or audit.get("scoreDisplayMode") in (
                "notApplicable", "informative", "manual", "error"):
            continue
        score = audit.get("score")
        if score is None or score >= 1:
            continue
        failing.append({"id": ref["id"], "title": audit.get("title", ""),
                        "score": score, "display": audit.get("displayValue", ""),
                        "items": audit_examples(audit)})
    return failing


def audit_examples(audit, limit=5):
    """Up to ``limit`` short descriptions of what an audit found: the elements' selectors
    and snippets, or the URLs, or the messages."""
    examples = []
    for item in (audit.get("details") or {}).get("items", [])[:limit]:
        node = item.get("node") if isinstance(item.get("node"), dict) else None
        if node:
            text = node.get("selector") or node.get("snippet") or ""
            if node.get("explanation"):
                text += " — " + node["explanation"].splitlines()[0]
        else:
            text = (item.get("description") or item.get("url") or item.get("source")
                    or json.dumps(item, ensure_ascii=False)[:200])
        examples.append(str(text)[:300])
    return examples


def console_errors(report):
    """The errors Lighthouse saw in the console (its "errors-in-console" audit): source,
    message, URL."""
    audit = report.get("audits", {}).get("errors-in-console", {})
    return [{"source": item.get("source", ""), "description": item.get("description", ""),
             "url": (item.get("sourceLocation") or {}).get("url", "") or item.get("url", "")}
            for item in (audit.get("details") or {}).get("items", [])]


def page_weight(report):
    """Bytes of the page load, from the "network-requests" audit: transferred (compressed,
    headers included) and uncompressed (resourceSize), in all and per type."""
    items = ((report.get("audits", {}).get("network-requests") or {}).get("details") or {}
             ).get("items", [])
    weight = {"total": {"transfer": 0, "resource": 0, "requests": 0}}
    for _, key, _ in WEIGHT_TYPES:
        weight[key] = {"transfer": 0, "resource": 0, "requests": 0}
    keys = {lh_type: key for lh_type, key, _ in WEIGHT_TYPES}
    for item in items:
        transfer = item.get("transferSize") or 0
        resource = item.get("resourceSize") or 0
        for key in ("total", keys.get(item.get("resourceType"))):
            if key:
                weight[key]["transfer"] += transfer
                weight[key]["resource"] += resource
                weight[key]["requests"] += 1
    return weight


def metrics_of(report):
    """Lighthouse's timings (ms) and layout shift of the load."""
    audits = report.get("audits", {})
    metrics = {}
    for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                "speed-index", "cumulative-layout-shift"):
        value = (audits.get(key) or {}).get("numericValue")
        if value is not None:
            metrics[key] = round(value, 3) if key == "cumulative-layout-shift" else round(value)
    return metrics


def summarize(report):
    """What this bench keeps of one Lighthouse report."""
    categories = report.get("categories", {})
    return {
        "requested_url": report.get("requestedUrl"),
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
        "lighthouse": report.get("lighthouseVersion"),
        "form_factor": (report.get("configSettings") or {}).get("formFactor"),
        "runtime_error": (report.get("runtimeError") or {}).get("message"),
        # Lighthouse's measure of this machine's speed (a recent desktop: 1,500–2,500); the
        # CPU slowdown of the mobile profile (4×) assumes such a machine.
        "benchmark_index": round((report.get("environment") or {}).get("benchmarkIndex") or 0),
        "warnings": report.get("runWarnings", []),
        "scores": {cid: score_of(categories.get(cid)) for cid, _, _ in CATEGORIES},
        "failing": {cid: failing_audits(report, cid) for cid, _, _ in CATEGORIES},
        "console_errors": console_errors(report),
        "weight": page_weight(report),
        "metrics": metrics_of(report),
    }


def verdicts(summary):
    """Per category and for the console: met (True), missed (False) or unknown (None)."""
    result = {}
    for cid, _, minimum in CATEGORIES:
        score = summary["scores"].get(cid)
        result[cid] = None if score is None else score >= minimum
    result["console"] = len(summary["console_errors"]) <= MAX_CONSOLE_ERRORS
    return result


def all_met(summaries):
    return bool(summaries) and all(
        value is True for summary in summaries for value in verdicts(summary).values())


def median_run(summaries):
    """Of several runs of one page, the one with the median performance score (Lighthouse's
    advice against its run-to-run variance); the first when no score is known."""
    known = [s for s in summaries if s["scores"].get("performance") is not None]
    if not known:
        return summaries[0]
    ordered = sorted(known, key=lambda s: s["scores"]["performance"])
    return ordered[(len(ordered) - 1) // 2]


# --- Printing ------------------------------------------------------------------------------

def mark(ok):
    return "?" if ok is None else ("✓" if ok else "✗")


def kilobytes(n):
    return f"{n / 1024:,.0f} Ko".replace(",", " ")


def format_scores(rows):
    """rows: (label, summary). The scores against their targets and the console errors."""
    headers = ["Page"] + [f"{label} (≥ {minimum})" for _, label, minimum in CATEGORIES] + [
        "Erreurs console"]
    lines = []
    for label, summary in rows:
        ok = verdicts(summary)
        cells = [label]
        for cid, _, _ in CATEGORIES:
            score = summary["scores"].get(cid)
            cells.append(f"{'—' if score is None else score} {mark(ok[cid])}")
        cells.append(f"{len(summary['console_errors'])} {mark(ok['console'])}")
        lines.append(cells)
    return _table(headers, lines)


def format_weights(rows):
    """rows: (label, summary). Bytes transferred, in all and per type (uncompressed in
    brackets for CSS and JS)."""
    headers = ["Page", "Total transféré", "Requêtes"] + [name for _, _, name in WEIGHT_TYPES]
    lines = []
    for label, summary in rows:
        weight = summary["weight"]
        cells = [label, kilobytes(weight["total"]["transfer"]),
                 str(weight["total"]["requests"])]
        for _, key, _ in WEIGHT_TYPES:
            cell = kilobytes(weight[key]["transfer"])
            if key in ("css", "js"):
                cell += f" ({kilobytes(weight[key]['resource'])})"
            cells.append(cell)
        lines.append(cells)
    return _table(headers, lines)


def format_findings(rows):
    """Each audit that costs points and each console error, page by page."""
    out = []
    for label, summary in rows:
        findings = []
        if summary.get("runtime_error"):
            findings.append(f"  erreur de Lighthouse : {summary['runtime_error']}")
        for cid, name, _ in CATEGORIES:
            for audit in summary["failing"].get(cid, []):
                score = audit["score"]
                findings.append(f"  [{name}] {audit['id']} ({audit['title']})"
                                + (f" — {audit['display']}" if audit["display"] else "")
                                + ("" if score is None else f", score {score:.2f}"))
                findings.extend(f"      {example}" for example in audit["items"])
        for error in summary["console_errors"]:
            findings.append(f"  [console] {error['source']}: {error['description'][:200]}"
                            + (f" ({error['url']})" if error["url"] else ""))
        if findings:
            out.append(f"{label} :")
            out.extend(findings)
    return "\n".join(out)


def _table(headers, lines):
    widths = [max(len(str(row[i])) for row in [headers, *lines]) for i in range(len(headers))]
    text = [" │ ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
            "─┼─".join("─" * w for w in widths)]
    text += [" │ ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
             for row in lines]
    return "\n".join(text)


# --- Running -------------------------------------------------------------------------------

def lighthouse_binary():
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        raise SystemExit("Lighthouse introuvable : make install (npm ci) l'installe "
                         "(package.json, devDependencies).")
    return binary


def run_lighthouse(url, headers, output, chrome_path, attempts=2):
    """One Lighthouse run (mobile, its default) of ``url``; its report, read back. A run that
    ends without a report (Lighthouse's own errors, e.g. NO_NAVSTART on a loaded machine) is
    tried again once; then the report only says what went wrong."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(headers, handle)
    command = [str(lighthouse_binary()), url, "--output=json", f"--output-path={output}",
               "--quiet", f"--chrome-flags={CHROME_FLAGS}",
               "--only-categories=" + ",".join(cid for cid, _, _ in CATEGORIES),
               f"--extra-headers={handle.name}", "--locale=fr"]
    failure = "no report"
    try:
        for _ in range(attempts):
            Path(output).unlink(missing_ok=True)
            try:
                result = subprocess.run(command, cwd=ROOT, timeout=300,
                                        env={**os.environ, "CHROME_PATH": chrome_path})
            except subprocess.TimeoutExpired:
                failure = "Lighthouse did not finish within 300 s"
                continue
            report = json.loads(Path(output).read_text()) if Path(output).exists() else None
            if report and not report.get("runtimeError"):
                return report
            failure = ((report or {}).get("runtimeError") or {}).get(
                "message") or f"Lighthouse exited with status {result.returncode}"
    finally:
        os.unlink(handle.name)
    return {"runtimeError": {"message": failure}, "categories": {}, "audits": {}}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_DATABASE),
                        help="default: %(default)s")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--only", default="",
                        help="comma-separated page keys (default: all): "
                             + ",".join(key for key, _ in PAGES))
    parser.add_argument("--runs", type=int, default=1,
                        help="Lighthouse runs per page; the median performance is kept")
    parser.add_argument("--chrome-path", default=os.environ.get("CHROME_PATH",
                                                               "/usr/bin/chromium"))
    parser.add_argument("--map-tiles", action="store_true",
                        help="keep the directory map's IGN tiles (needs network; default: the "
                             "map draws its own département outlines)")
    parser.add_argument("--static-root", type=Path,
                        default=Path(tempfile.gettempdir()) / "anct-lighthouse-static")
    parser.add_argument("--no-collectstatic", action="store_true",
                        help="reuse --static-root as it is")
    parser.add_argument("--json", type=Path,
                        help="default: bench/results/lighthouse-<date>.json")
    parser.add_argument("--secret-key", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.secret_key = args.secret_key or secrets.token_urlsafe(50)
    if not shutil.which(args.chrome_path):
        parser.error(f"Chromium introuvable : {args.chrome_path} (--chrome-path)")
    return args


def main(argv=None):
    args = parse_args(argv)
    lighthouse_binary()
    from bench.pages import delete_sessions, django_setup, resolve_pages

    env = bench_env(args, args.database_url, f"lighthouse-{database_name(args.database_url)}")
    # Lighthouse fetches robots.txt without the extra headers: with the redirect on, it got
    # a 301 to https://127.0.0.1 (no TLS there) and could not score SEO.
    env["SECURE_SSL_REDIRECT"] = "0"
    if not args.map_tiles:
        # No base map tiles (as tests/crawl does): production's come from IGN (data.geopf.fr),
        # out of reach of a machine without network, where each one failed as a console error.
        env["DIRECTORY_TILE_URL"] = ""
    django_setup(env)
    if not args.no_collectstatic:
        print(f"collectstatic → {args.static_root} …", end=" ", flush=True)
        seconds = collectstatic(env, args.static_root)
        print("inutile, fichiers inchangés" if seconds is None else f"{seconds:.0f} s",
              flush=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    json_path = args.json or BENCH / "results" / f"lighthouse-{stamp}.json"
    reports_dir = json_path.with_suffix("")
    reports_dir.mkdir(parents=True, exist_ok=True)
    wanted = [key for key, _ in PAGES]
    if args.only:
        wanted = [key for key in args.only.split(",") if key]
        unknown = set(wanted) - {key for key, _ in PAGES}
        if unknown:
            raise SystemExit(f"pages inconnues : {', '.join(sorted(unknown))}")
    labels = dict(PAGES)

    login_keys, results = [], []
    server = start_gunicorn(env, args, args.port)
    try:
        resolved, details = resolve_pages(login_keys)
        by_key = {page["key"]: page for page in resolved}
        wait_for(args.port, "/")
        print(f"gunicorn sur le port {args.port}, base {database_name(args.database_url)} ; "
              f"Lighthouse {lighthouse_version()}, profil mobile, {args.runs} passage(s) "
              "par page", flush=True)
        for key in wanted:
            page = by_key[key]
            headers = dict(FORWARDED)
            if page["cookie"]:
                headers["Cookie"] = page["cookie"]
            status, _ = http_get(args.port, page["path"], headers)  # warm the caches
            if status != 200:
                raise SystemExit(f"{page['path']} : HTTP {status} au lieu de 200")
            url = f"http://127.0.0.1:{args.port}{page['path']}"
            runs = []
            for run in range(args.runs):
                print(f"  {labels[key]} : {page['path']} …", flush=True)
                output = reports_dir / (f"{key}.json" if args.runs == 1
                                        else f"{key}-{run + 1}.json")
                runs.append(summarize(run_lighthouse(url, headers, output,
                                                     args.chrome_path)))
            kept = median_run(runs)
            results.append({"key": key, "label": labels[key], "path": page["path"],
                            "as": page.get("as"), **kept,
                            "performance_runs": [r["scores"]["performance"] for r in runs]})
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        delete_sessions(login_keys)

    rows = [(result["label"], result) for result in results]
    print()
    print(format_scores(rows))
    print()
    print("Poids des pages (octets transférés ; entre parenthèses : décompressés)")
    print(format_weights(rows))
    findings = format_findings(rows)
    if findings:
        print()
        print(findings)
    met = all_met([result for result in results])
    print()
    load1, load5, _ = os.getloadavg()
    print(f"Machine : {os.cpu_count()} cœurs, charge moyenne {load1:.1f} / {load5:.1f} (1/5 min) ; "
          "indice de Lighthouse (benchmarkIndex, ~1 500–2 500 sur un poste récent non chargé) : "
          + ", ".join(str(result["benchmark_index"]) for result in results)
          + ". Sur une machine chargée, les durées de calcul (TBT, FCP) sont gonflées.")
    print("Objectifs atteints." if met else "Objectifs non atteints.")
    json_path.write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database_name(args.database_url), "course": details.get("course"),
        "targets": {cid: minimum for cid, _, minimum in CATEGORIES}
        | {"console_errors": MAX_CONSOLE_ERRORS},
        "met": met, "pages": results, "reports": str(reports_dir),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "map_tiles": args.map_tiles,
    }, indent=2, ensure_ascii=False))
    print(f"JSON : {json_path} ; rapports de Lighthouse : {reports_dir}/")
    return 0 if met else 1


def lighthouse_version():
    result = subprocess.run([str(lighthouse_binary()), "--version"], capture_output=True,
                            text=True)
    return result.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
