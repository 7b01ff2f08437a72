"""bench/lighthouse.py's reading of Lighthouse's JSON report: scores, the audits that cost
points, console errors, page weight per type, the verdicts against 95/100/100/100 and no
console error, the tables. Neither gunicorn nor Lighthouse is run here."""

from bench import lighthouse


def report(performance=0.97, accessibility=1.0, best_practices=1.0, seo=1.0, **audits):
    base_audits = {
        "first-contentful-paint": {"score": 0.93, "numericValue": 1712.4,
                                   "scoreDisplayMode": "numeric", "title": "FCP",
                                   "displayValue": "1,7 s"},
        "cumulative-layout-shift": {"score": 1, "numericValue": 0.01234,
                                    "scoreDisplayMode": "numeric", "title": "CLS"},
        "meta-description": {"score": 1, "scoreDisplayMode": "binary",
                             "title": "Document has a meta description"},
        "robots-txt": {"score": None, "scoreDisplayMode": "notApplicable", "title": "robots"},
        "structured-data": {"score": None, "scoreDisplayMode": "manual", "title": "manual"},
        "has-hsts": {"score": 0, "scoreDisplayMode": "binary", "title": "HSTS"},
        "errors-in-console": {"score": 1, "scoreDisplayMode": "binary",
                              "details": {"items": []}},
        "network-requests": {"details": {"items": [
            {"resourceType": "Document", "transferSize": 10_000, "resourceSize": 40_000},
            {"resourceType": "Stylesheet", "transferSize": 90_000, "resourceSize": 700_000},
            {"resourceType": "Stylesheet", "transferSize": 3_000, "resourceSize": 9_000},
            {"resourceType": "Script", "transferSize": 25_000, "resourceSize": 100_000},
            {"resourceType": "Font", "transferSize": 40_000, "resourceSize": 40_000},
            {"resourceType": "Image", "transferSize": 2_000, "resourceSize": 2_000},
            {"resourceType": "Fetch", "transferSize": 500, "resourceSize": None},
        ]}},
        **audits,
    }
    return {
        "lighthouseVersion": "12.8.2", "requestedUrl": "http://127.0.0.1:8301/",
        "finalDisplayedUrl": "http://127.0.0.1:8301/",
        "configSettings": {"formFactor": "mobile"},
        "environment": {"benchmarkIndex": 1234.5},
        "categories": {
            "performance": {"score": performance, "auditRefs": [
                {"id": "first-contentful-paint", "weight": 10},
                {"id": "cumulative-layout-shift", "weight": 25}]},
            "accessibility": {"score": accessibility, "auditRefs": []},
            "best-practices": {"score": best_practices, "auditRefs": [
                {"id": "errors-in-console", "weight": 1}, {"id": "has-hsts", "weight": 0}]},
            "seo": {"score": seo, "auditRefs": [
                {"id": "meta-description", "weight": 1}, {"id": "robots-txt", "weight": 1},
                {"id": "structured-data", "weight": 0}]},
        },
        "audits": base_audits,
    }


def test_scores_are_read_out_of_100_and_a_missing_one_is_unknown():
    summary = lighthouse.summarize(report(performance=0.954, seo=None))
    assert summary["scores"] == {"performance": 95, "accessibility": 100,
                                 "best-practices": 100, "seo": None}
    assert lighthouse.verdicts(summary) == {"performance": True, "accessibility": True,
                                            "best-practices": True, "seo": None,
                                            "console": True}
    assert not lighthouse.all_met([summary])


def test_each_target_is_checked_against_its_own_minimum():
    assert lighthouse.all_met([lighthouse.summarize(report(performance=0.95))])
    missed = lighthouse.verdicts(lighthouse.summarize(report(performance=0.94,
                                                             accessibility=0.99)))
    assert missed["performance"] is False and missed["accessibility"] is False
    assert not lighthouse.all_met([])


def test_a_console_error_misses_the_target_even_with_full_scores():
    errors = {"score": 0, "scoreDisplayMode": "binary", "title": "Errors logged",
              "details": {"items": [{"source": "network",
                                     "description": "Failed to load resource: 404",
                                     "sourceLocation": {"url": "http://127.0.0.1/x.png"}}]}}
    summary = lighthouse.summarize(report(**{"errors-in-console": errors}))
    assert summary["console_errors"] == [{"source": "network",
                                          "description": "Failed to load resource: 404",
                                          "url": "http://127.0.0.1/x.png"}]
    assert lighthouse.verdicts(summary)["console"] is False
    assert not lighthouse.all_met([summary])


def test_failing_audits_leave_out_weightless_informative_and_not_applicable_ones():
    missing = {"score": 0, "scoreDisplayMode": "binary",
               "title": "Document does not have a meta description"}
    unlabelled = {"score": 0, "scoreDisplayMode": "binary", "title": "Links have no name",
                  "details": {"items": [{"node": {
                      "selector": "nav > a.fr-link", "snippet": "<a class=\"fr-link\">",
                      "explanation": "Fix any of the following:\n  Element has no text"}}]}}
    data = report(**{"meta-description": missing, "link-name": unlabelled})
    data["categories"]["accessibility"]["auditRefs"] = [{"id": "link-name", "weight": 7}]
    summary = lighthouse.summarize(data)
    assert [a["id"] for a in summary["failing"]["seo"]] == ["meta-description"]
    assert summary["failing"]["best-practices"] == []  # has-hsts: weight 0
    assert summary["failing"]["accessibility"][0]["items"] == [
        "nav > a.fr-link — Fix any of the following:"]
    assert [a["id"] for a in summary["failing"]["performance"]] == ["first-contentful-paint"]
    text = lighthouse.format_findings([("Accueil", summary)])
    assert "[SEO] meta-description" in text and "nav > a.fr-link" in text


def test_page_weight_is_summed_in_all_and_per_type():
    weight = lighthouse.summarize(report())["weight"]
    assert weight["total"] == {"transfer": 170_500, "resource": 891_000, "requests": 7}
    assert weight["css"] == {"transfer": 93_000, "resource": 709_000, "requests": 2}
    assert weight["js"]["transfer"] == 25_000
    assert weight["fonts"]["transfer"] == 40_000
    assert weight["images"] == {"transfer": 2_000, "resource": 2_000, "requests": 1}


def test_metrics_and_machine_speed_are_kept():
    summary = lighthouse.summarize(report())
    assert summary["metrics"] == {"first-contentful-paint": 1712,
                                  "cumulative-layout-shift": 0.012}
    assert summary["benchmark_index"] == 1234
    assert summary["form_factor"] == "mobile"


def test_the_median_run_by_performance_is_kept():
    runs = [lighthouse.summarize(report(performance=p)) for p in (0.90, 0.99, 0.96)]
    assert lighthouse.median_run(runs)["scores"]["performance"] == 96
    unknown = [lighthouse.summarize(report(performance=None))]
    assert lighthouse.median_run(unknown) is unknown[0]


def test_tables_show_marks_and_kilobytes():
    rows = [("Accueil", lighthouse.summarize(report())),
            ("Catalogue", lighthouse.summarize(report(performance=0.80, seo=None)))]
    scores = lighthouse.format_scores(rows).splitlines()
    assert "Performance (≥ 95)" in scores[0] and "SEO (≥ 100)" in scores[0]
    assert "97 ✓" in scores[2] and "0 ✓" in scores[2]
    assert "80 ✗" in scores[3] and "— ?" in scores[3]
    weights = lighthouse.format_weights(rows).splitlines()
    assert "167 Ko" in weights[2]  # 170,500 bytes
    assert "91 Ko (692 Ko)" in weights[2]  # CSS transferred (uncompressed)


def test_arguments_default_to_port_8301_one_run_and_no_map_tiles(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.setattr(lighthouse.shutil, "which", lambda path: path)
    args = lighthouse.parse_args(["--only", "home,my_space"])
    assert args.database_url == lighthouse.DEFAULT_DATABASE
    assert args.port == 8301 and args.runs == 1 and not args.map_tiles
    assert args.only == "home,my_space" and args.secret_key
