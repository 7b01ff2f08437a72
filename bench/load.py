"""Load generators: wrk with ``wrk_report.lua``, or a small Python client, at a fixed
concurrency; each page measured just after the bare view, the fastest trial kept."""

import http.client
import math
import subprocess
import threading
import time

from bench.report import parse_wrk_output, summarize_latencies
from bench.server import BENCH, FORWARDED, http_get

LUA_SCRIPT = BENCH / "wrk_report.lua"


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
