"""The load bench's own helpers (bench/run.py and the modules it runs): parsing wrk's report,
percentiles, the verdict against the targets, the table. gunicorn is never started here; wrk
and the Python client are tried against a tiny local HTTP server."""

import http.server
import json
import shutil
import threading

import pytest

from bench import load as generators
from bench import race, report, rush

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/formations/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.00ms    3.00ms  80.00ms   90.00%
  800 requests in 10.00s, 8.00MB read
Requests/sec:     80.00
BENCH_JSON {"requests": 800, "duration_us": 10000000, "bytes": 8000000, "p50_us": 11000, \
"p95_us": 42500, "p99_us": 79000, "mean_us": 12000.0, "max_us": 80000, "errors": \
{"connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 2}}
"""


def test_wrk_report_is_read_in_milliseconds_and_requests_per_second():
    figures = report.parse_wrk_output(WRK_OUTPUT)
    assert figures["requests"] == 800
    assert figures["p50_ms"] == 11.0
    assert figures["p95_ms"] == 42.5
    assert figures["p99_ms"] == 79.0
    assert figures["rps"] == 80.0
    assert figures["non_2xx_3xx"] == 3
    assert figures["socket_errors"] == 3  # read + timeout


def test_wrk_output_without_the_report_line_is_an_error():
    with pytest.raises(ValueError, match="BENCH_JSON"):
        report.parse_wrk_output("Running 10s test @ http://127.0.0.1/\n")


def test_percentile_is_the_nearest_rank():
    values = list(range(100, 0, -1))  # unsorted on purpose
    assert report.percentile(values, 0.50) == 50
    assert report.percentile(values, 0.95) == 95
    assert report.percentile(values, 0.99) == 99
    assert report.percentile([7], 0.99) == 7
    assert report.percentile([], 0.5) is None


def test_python_client_figures_count_http_and_socket_errors():
    figures = report.summarize_latencies([0.010] * 8 + [0.200, 0.300], [200] * 7 + [302, 500, 0],
                                      elapsed_s=2.0)
    assert figures["requests"] == 10
    assert figures["rps"] == 5.0
    assert figures["p50_ms"] == pytest.approx(10.0)
    assert figures["p99_ms"] == pytest.approx(300.0)
    assert figures["non_2xx_3xx"] == 2  # the 500 and the failed connection; 302 is fine
    assert figures["socket_errors"] == 1


def load(p95, rps=100.0, **extra):
    return {"requests": 1000, "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.5,
            "rps": rps, "non_2xx_3xx": 0, "socket_errors": 0, "status": 200, **extra}


def test_verdict_checks_latency_errors_throughput_and_query_counts():
    assert report.verdict("course", load(99.9), 0.5, "égal") == []
    assert report.verdict("course", load(100.0), 0.5, "égal") == ["p95 100 ms ≥ 100 ms"]
    assert report.verdict("catalogue", load(50), 0.49, "égal") == [
        "débit 0.49 × vue nue < 0.5"]
    assert report.verdict("catalogue_filtered", load(50), 0.5, "égal") == []
    assert report.verdict("ics", load(50), 1, "différent") == [
        "requêtes SQL dépendantes de l'échelle"]
    assert report.verdict("ics", load(50, non_2xx_3xx=2, socket_errors=1), 1, "égal") == [
        "3 erreurs"]


def test_public_pages_need_half_the_bare_view_personal_pages_fifteen_hundredths():
    for key in ("home", "catalogue", "course", "directory", "directory_radius", "api_lieux",
                "api_stats"):
        assert report.ratio_target(key) == 0.5, key
        assert report.verdict(key, load(50), 0.49, "égal") == ["débit 0.49 × vue nue < 0.5"]
        assert report.verdict(key, load(50), 0.5, "égal") == []
    for key in ("my_space", "ics", "my_statistics", "team_statistics",
                "structure_statistics", "structure_page"):
        assert report.ratio_target(key) == 0.15, key
        assert report.verdict(key, load(50), 0.14, "égal") == [
            "débit 0.14 × vue nue < 0.15"]
        assert report.verdict(key, load(50), 0.15, "égal") == []
    # The dashboards are held to the latency targets only.
    for key in ("prefect_dashboard", "national_dashboard"):
        assert report.ratio_target(key) is None
        assert report.verdict(key, load(50), 0.01, "égal") == []


def test_every_measured_page_but_the_dashboards_has_a_throughput_target():
    from bench.pages import PAGES

    untargeted = {key for key, _label, _as in PAGES if report.ratio_target(key) is None}
    assert untargeted == {"prefect_dashboard", "national_dashboard"}


def test_verdict_of_a_page_not_measured_or_never_answering():
    assert report.verdict("my_space", {"status": 302, "p95_ms": None}, None, "égal") == [
        "non mesurée (statut 302)"]
    assert report.verdict("directory", load(0, requests=0, seconds=10), 0, "égal") == [
        "aucune réponse en 10 s"]
    assert report.verdict(report.BARE_KEY, load(500), 1, "—") == []


def test_query_counts_are_equal_only_when_cold_and_warm_match_at_both_scales():
    same = {"0.01": {"cold": 12, "warm": 3}, "1.0": {"cold": 12, "warm": 3}}
    cold_differs = {"0.01": {"cold": 12, "warm": 3}, "1.0": {"cold": 13, "warm": 3}}
    assert report.queries_equal(same) == "égal"
    assert report.queries_equal(cold_differs) == "différent"
    assert report.queries_equal({"1.0": {"cold": 1, "warm": 1}}) == "—"


def test_table_lists_each_page_with_its_figures_and_verdict():
    pages = [{"key": report.BARE_KEY, "label": "Vue nue", "path": "/bench/nu/"},
             {"key": "catalogue", "label": "Catalogue", "path": "/formations/"},
             {"key": "ics", "label": "Flux ICS", "path": "/calendrier/perso/x.ics"}]
    loads = {report.BARE_KEY: load(10, rps=1000), "catalogue": load(20, rps=600),
             "ics": load(150, rps=50)}
    counts = {"0.01": {report.BARE_KEY: {"cold": 0, "warm": 0},
                       "catalogue": {"cold": 21, "warm": 0}, "ics": {"cold": 6, "warm": 4}},
              "1.0": {report.BARE_KEY: {"cold": 0, "warm": 0},
                      "catalogue": {"cold": 21, "warm": 0}, "ics": {"cold": 6, "warm": 5}}}
    rows = report.build_rows(pages, loads, counts, bare_rps=1000)
    assert [row["ratio"] for row in rows] == [1.0, 0.6, 0.05]
    table = report.format_table(rows).splitlines()
    assert table[0].split()[:4] == ["page", "p50", "ms", "p95"]
    assert "(référence)" in table[2]
    catalogue, ics = table[3], table[4]
    assert "600" in catalogue and "0.60" in catalogue and "21/0" in catalogue
    assert catalogue.split()[-2:] == ["égal", "✓"]
    assert "6/4" in ics and "6/5" in ics and "différent" in ics
    assert ("✗ p95 150 ms ≥ 100 ms; débit 0.05 × vue nue < 0.15; requêtes SQL dépendantes "
            "de l'échelle") in ics


def test_each_ratio_is_taken_against_the_bare_view_measured_beside_the_page():
    pages = [{"key": report.BARE_KEY, "label": "Vue nue", "path": "/bench/nu/"},
             {"key": "catalogue", "label": "Catalogue", "path": "/formations/"},
             {"key": "home", "label": "Accueil", "path": "/"}]
    loads = {report.BARE_KEY: load(5, rps=3000), "catalogue": load(20, rps=600),
             "home": load(20, rps=600)}
    # The machine slowed down before the catalogue was measured: beside it, 1,000 req/s.
    rows = report.build_rows(pages, loads, {}, bare_rps=2000,
                          bare_beside={"catalogue": 1000, "home": None})
    assert [row["ratio"] for row in rows] == [1.5, 0.6, 0.3]
    assert rows[1]["misses"] == [] and rows[1]["bare_rps_beside"] == 1000


def test_the_fastest_of_the_repeated_measurements_is_kept_with_its_bare_reference():
    trials = [({"rps": 1000}, load(80, rps=300)), ({"rps": 3000}, load(20, rps=1600)),
              ({"rps": 2500}, load(30, rps=1200))]
    figures, reference = generators.best_trial(trials)
    assert figures["rps"] == 1600 and figures["p95_ms"] == 20 and reference == 3000
    assert [t["rps"] for t in figures["trials"]] == [300, 1600, 1200]
    assert figures["bare_trials_rps"] == [1000, 3000, 2500]
    unanswered, reference = generators.best_trial([({"rps": 900}, {"status": 302, "rps": None})])
    assert unanswered["rps"] is None and reference == 900


def test_sql_excerpt_starts_at_the_main_from_clause():
    sql = ('SELECT "a"."id", (SELECT 1 FROM "b" WHERE "b"."a_id" = "a"."id") AS "x" '
           'FROM "a" WHERE "a"."is_public" ORDER BY "a"."name"')
    assert report.sql_excerpt(sql) == 'FROM "a" WHERE "a"."is_public" ORDER BY "a"."name"'
    assert report.sql_excerpt('SELECT COUNT(*) AS "__count" FROM "t"') == 'COUNT … FROM "t"'
    assert report.sql_excerpt("SELECT 1 " + "x" * 300, length=20).endswith("…")
    assert len(report.sql_excerpt("SELECT 1 " + "x" * 300, length=20)) == 20


def test_race_outcomes_and_targets():
    assert race.classify(302, "/espace/") == "ok"
    assert race.classify(302, "/formations/x/#session-3") == "302 → /formations/x/#session-3"
    assert race.classify(403, None) == "http 403"
    result = {"confirmed": 20, "waitlisted": 180, "errors": 0, "enrolments_per_second": 150}
    assert race.race_met(result, people=200, seats=20)
    assert not race.race_met({**result, "confirmed": 21, "waitlisted": 179}, 200, 20)
    assert not race.race_met({**result, "errors": 1}, 200, 20)
    assert not race.race_met({**result, "enrolments_per_second": 149}, 200, 20)
    line = race.race_line({**result, "people": 200, "seats": 20, "error_kinds": [],
                           "seconds": 1.3}, True)
    assert "150 inscriptions/s (cible ≥ 150) ✓" in line
    assert race.as_ports(8000) == [8000] and race.as_ports((8000, 8001)) == [8000, 8001]


def rush_result(**changes):
    return {"people": 2000, "sessions": 5, "seats": 30, "seconds": 20.0, "confirmed": 150,
            "confirmed_per_session": [30] * 5, "waitlisted": 1850, "pending": 0,
            "errors": 0, "error_kinds": [], "p50_ms": 40.0, "p95_ms": 499.0,
            "max_ms": 900.0, "enrolments_per_second": 98.0, **changes}


def test_rush_targets_seats_per_session_errors_and_p95():
    assert rush.rush_met(rush_result())
    assert not rush.rush_met(rush_result(p95_ms=500.0))
    assert not rush.rush_met(rush_result(errors=1, error_kinds=["http 502"]))
    # 150 in all is not enough: 30 in each session.
    assert not rush.rush_met(rush_result(confirmed_per_session=[31, 29, 30, 30, 30]))
    assert not rush.rush_met(rush_result(waitlisted=1849, pending=1))
    line = rush.rush_line(rush_result(), True)
    assert line.startswith("Ruée : 2000 élus en 20 s pour 5 sessions × 30 places")
    assert "confirmées 150 (30/30/30/30/30)" in line and "p95 499 ms (cible < 500)" in line
    assert line.endswith("✓")


def test_memory_sampler_reads_the_peak_of_a_process_tree():
    import os
    import subprocess
    import sys

    from bench.server import MemorySampler, memory_lines

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        sampler = MemorySampler(interval=0.05)
        sampler.watch(os.getpid(), "pytest")
        sampler.start()
        sampler.stop()
        rows = sampler.report(target_mb=100000)
    finally:
        child.kill()
        child.wait()
    by_pid = {row["pid"]: row for row in rows}
    assert by_pid[os.getpid()]["role"] == "maître" and by_pid[child.pid]["role"] == "worker"
    assert all(row["peak_mb"] > 1 and row["met"] for row in rows)
    assert rows[0]["pid"] == os.getpid()
    assert memory_lines(rows[:1], target_mb=100000)[0].startswith(
        f"  pytest maître (pid {os.getpid()}) : pic ")
    assert not MemorySampler.report(sampler, target_mb=1)[0]["met"]


@pytest.fixture
def tiny_server():
    """A local HTTP server answering 200 on /ok and 404 elsewhere, on a free port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            status = 200 if self.path == "/ok" else 404
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_with_the_report_script_against_a_local_server(tiny_server):
    figures = generators.run_wrk(tiny_server, "/ok", {}, connections=2, duration=0.5)  # → 1 s
    assert figures["requests"] > 0
    assert figures["non_2xx_3xx"] == 0
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    missing = generators.run_wrk(tiny_server, "/absent", {}, connections=2, duration=1)
    assert missing["non_2xx_3xx"] == missing["requests"] > 0


def test_python_client_against_a_local_server(tiny_server):
    figures = generators.run_python_client(tiny_server, "/ok", {}, connections=2, duration=0.5)
    assert figures["requests"] > 0
    assert figures["non_2xx_3xx"] == 0
    missing = generators.run_python_client(tiny_server, "/absent", {}, connections=2, duration=0.3)
    assert missing["non_2xx_3xx"] == missing["requests"] > 0


def test_only_the_races_email_deliveries_are_taken_out_of_the_queue():
    def message(task, argsrepr):
        return json.dumps({"body": "", "headers": {"task": task, "argsrepr": argsrepr}})

    assert race.is_email_task_for(message("accounts.tasks.send_email", "[642]"), [641, 642])
    assert race.is_email_task_for(message("accounts.tasks.send_email", "(642,)"), [642])
    assert not race.is_email_task_for(message("accounts.tasks.send_email", "[6420]"), [642])
    assert not race.is_email_task_for(message("academy.tasks.send_reminders", "[642]"), [642])
    assert not race.is_email_task_for(b"not json", [642])


def fake_races(monkeypatch, outcomes):
    """race.race answering, in turn, (confirmed, rate) for 20 seats and 200 people."""
    answers = iter(outcomes)

    def fake(ports, people, seats, login_keys):
        confirmed, rate = next(answers)
        return {"people": people, "seats": seats, "confirmed": confirmed,
                "waitlisted": people - confirmed, "pending": 0, "errors": 0,
                "error_kinds": [], "seconds": people / rate, "enrolments_per_second": rate}

    monkeypatch.setattr(race, "race", fake)


def test_repeated_races_keep_the_best_throughput_and_print_every_one(monkeypatch):
    fake_races(monkeypatch, [(20, 120.0), (20, 160.0), (20, 140.0)])
    result = race.races(8000, 200, 20, [], repeat=3)
    assert result["enrolments_per_second"] == 160.0 and result["rates"] == [120, 160, 140]
    assert race.race_met(result, 200, 20)
    line = race.race_line(result, True)
    assert "meilleure de 3 courses : 120, 160, 140 inscriptions/s" in line


def test_a_race_that_gave_a_seat_twice_fails_whatever_the_others_did(monkeypatch):
    fake_races(monkeypatch, [(20, 190.0), (21, 200.0), (20, 180.0)])
    result = race.races(8000, 200, 20, [], repeat=3)
    assert result["confirmed"] == 21 and not race.race_met(result, 200, 20)
