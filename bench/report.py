"""The figures and the report of a bench run: wrk's output read, percentiles, the
verdict against the targets, the rows, the table and the notes on slow pages. Pure
functions (tests/bench/test_run.py)."""

import json
import math

TARGET_P95_MS = 100.0
# Throughput against the bare view measured beside the page (issue 21): a public page (the
# same for every visitor) ≥ 0.5 ×, a personal page (one signed-in person's, or a personal
# token's) ≥ 0.15 ×; the dashboards have only the latency targets.
TARGET_PUBLIC_RATIO = 0.5
TARGET_PERSONAL_RATIO = 0.15
TARGET_CATALOGUE_RATIO = TARGET_PUBLIC_RATIO  # the first page held to it (issue 20)
BARE_KEY = "bare"
# Used when bench/pages.py does not say (it holds the page list: PERSONAL_KEYS, PUBLIC_KEYS).
FALLBACK_PERSONAL_KEYS = frozenset({
    "my_space", "ics", "my_statistics", "team_statistics", "structure_statistics",
})
FALLBACK_PUBLIC_PREFIXES = ("home", "catalogue", "course", "directory", "api_")
SQL_EXCERPT = 160


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


def ratio_target(key):
    """The page's throughput target against the bare view, or None (the dashboards)."""
    try:  # not at the top: bench/pages.py imports this module
        from bench.pages import PERSONAL_KEYS, PUBLIC_KEYS
    except ImportError:
        PERSONAL_KEYS, PUBLIC_KEYS = FALLBACK_PERSONAL_KEYS, None
    if key in PERSONAL_KEYS:
        return TARGET_PERSONAL_RATIO
    if PUBLIC_KEYS is None:
        return TARGET_PUBLIC_RATIO if key.startswith(FALLBACK_PUBLIC_PREFIXES) else None
    return TARGET_PUBLIC_RATIO if key in PUBLIC_KEYS else None


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
    target = ratio_target(key)
    if target is not None and ratio is not None and ratio < target:
        misses.append(f"débit {ratio:.2f} × vue nue < {target:g}")
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
