"""The public read-only API at /api/v1/: filters, distance ordering, pagination, French
errors, CORS, rate limiting, and a schemathesis run against its OpenAPI document."""

import pytest
from django.urls import reverse

from academy.models import Audience, Format
from advisors.models import PlaceService, ServicePoint

from .test_opendata import build_dataset

API = "/api/v1"


@pytest.fixture
def dataset(db):
    from tests import factories as academy_make

    academy_make.ensure_site()
    return build_dataset()


def get(client, path, **params):
    return client.get(f"{API}{path}", params)


def names(response):
    assert response.status_code == 200, response.content
    return [item["nom"] for item in response.json()["items"]]


def test_service_points_and_filters(client, dataset):
    response = get(client, "/lieux")
    body = response.json()
    assert body["count"] == 4
    assert "Bureau caché" not in names(response)  # hidden from the public
    full = next(i for i in body["items"] if i["nom"] == "Médiathèque du centre")
    assert full["pivot"] == dataset["structures"]["beauvais"].siret
    assert full["code_postal"] == "60000" and full["latitude"] == 49.4295
    assert full["services"].startswith("Aide aux démarches administratives|")
    assert full["distance_km"] is None

    assert sorted(names(get(client, "/lieux", departement="59"))) == [
        "Maison de quartier Wazemmes"]
    assert sorted(names(get(client, "/lieux", commune="60159"))) == [
        "Bus numérique", "Mairie de Compiègne"]
    assert names(get(client, "/lieux", service=PlaceService.PARENTING)) == ["Bus numérique"]
    assert sorted(names(get(client, "/lieux", service=PlaceService.LEISURE,
                            departement="60"))) == ["Mairie de Compiègne"]
    assert names(get(client, "/lieux", departement="75")) == []


def test_near_sorts_by_distance(client, dataset):
    response = get(client, "/lieux", near="49.43,2.08")
    items = response.json()["items"]
    # The itinerant point without coordinates has no distance: left out.
    assert [i["nom"] for i in items] == ["Médiathèque du centre", "Mairie de Compiègne",
                                         "Maison de quartier Wazemmes"]
    distances = [i["distance_km"] for i in items]
    assert distances == sorted(distances)
    assert distances[0] < 1
    assert 50 < distances[1] < 56  # Beauvais → Compiègne, about 54 km
    assert names(get(client, "/lieux", near="49.43,2.08", rayon_km=60)) == [
        "Médiathèque du centre", "Mairie de Compiègne"]


def test_pagination(client, dataset):
    first = get(client, "/lieux", page_size=3).json()
    second = get(client, "/lieux", page_size=3, page=2).json()
    assert first["count"] == second["count"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(ids)) == 4
    assert get(client, "/lieux", page=9).json()["items"] == []
    too_big = get(client, "/lieux", page_size=101)
    assert too_big.status_code == 400
    assert "page_size" in too_big.json()["detail"]


def test_errors_in_french(client, dataset):
    hidden = dataset["points"]["hidden"]
    response = get(client, f"/lieux/{hidden.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Lieu introuvable."}
    assert get(client, "/lieux/999999999").json() == {"detail": "Lieu introuvable."}
    full = dataset["points"]["full"]
    assert get(client, f"/lieux/{full.pk}").json()["nom"] == "Médiathèque du centre"

    for params, fragment in [
        ({"near": "nord"}, "near"),
        ({"near": "95,2"}, "latitude entre -90 et 90"),
        ({"rayon_km": 10}, "rayon_km s'utilise avec near"),
        ({"departement": "Oise"}, "departement"),
        ({"service": "inconnu"}, "service"),
        ({"page": 0}, "page"),
    ]:
        response = get(client, "/lieux", **params)
        assert response.status_code == 400, params
        assert fragment in response.json()["detail"], (params, response.json())
    response = get(client, "/lieux/abc")
    assert response.status_code == 400
    assert "Paramètres invalides" in response.json()["detail"]
    response = get(client, "/sessions", theme="inconnu")
    assert response.status_code == 400
    assert response.json()["detail"] == "Filtre inconnu : theme=inconnu."


def test_structures(client, dataset):
    items = get(client, "/structures").json()["items"]
    assert [(i["nom"], i["postes_attribues"], i["conseillers_actifs"]) for i in items] == [
        ("Association Lille Numérique", 2, 1), ("Mairie de Beauvais", 3, 2)]
    assert set(items[0]) == {"siret", "nom", "type", "type_libelle", "code_insee", "commune",
                             "code_departement", "departement", "code_region", "region",
                             "postes_attribues", "conseillers_actifs"}
    assert names(get(client, "/structures", departement="60")) == ["Mairie de Beauvais"]
    assert names(get(client, "/structures", type="association")) == [
        "Association Lille Numérique"]
    assert get(client, "/structures", type="inconnu").status_code == 400


def test_sessions_with_catalogue_filters(client, dataset):
    sessions = dataset["sessions"]

    def ids(**params):
        response = get(client, "/sessions", **params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    both = [sessions["on_site"].pk, sessions["remote"].pk]
    assert ids() == both  # never the unpublished course's
    assert ids(departement="60") == [sessions["on_site"].pk]
    assert ids(region="32") == [sessions["on_site"].pk]
    assert ids(theme="numerique") == both
    assert ids(format=Format.ON_SITE) == both
    assert ids(format=Format.REMOTE) == []
    assert ids(audience=Audience.ELECTED_OFFICIALS) == both
    item = get(client, "/sessions").json()["items"][0]
    assert item["formation"] == "Transition numérique des territoires"
    assert (item["places"], item["places_restantes"]) == (12, 12)
    assert "trainers" not in item and "remote_url" not in item


def test_department_statistics(client, dataset, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = get(client, "/statistiques/departements")
    rows = {row["code_departement"]: row for row in response.json()["items"]}
    assert rows["60"] == {"code_departement": "60", "departement": "Oise", "code_region": "32",
                          "structures_validees": 1, "postes_attribues": 3,
                          "conseillers_actifs": 2, "lieux_publics": 3}
    assert rows["59"]["structures_validees"] == 1 and rows["59"]["lieux_publics"] == 1
    assert rows["75"]["structures_validees"] == 0  # still applying
    only = get(client, "/statistiques/departements", region="11").json()["items"]
    assert [row["code_departement"] for row in only] == ["75"]


def test_cors_open_on_get(client, dataset):
    response = client.get(f"{API}/lieux", HTTP_ORIGIN="https://carte.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_rate_limited(client, db, settings):
    settings.API_RATE_LIMIT = "3/min"
    for _ in range(3):
        assert get(client, "/structures").status_code == 200
    response = get(client, "/structures")
    assert response.status_code == 429
    assert response.json() == {"detail": "Trop de requêtes : réessayez dans un instant."}
    # Another address has its own allowance.
    assert client.get(f"{API}/structures", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_openapi_and_docs(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) == {f"{API}/lieux", f"{API}/lieux/{{lieu_id}}",
                                    f"{API}/structures", f"{API}/sessions",
                                    f"{API}/statistiques/departements"}
    assert client.get(f"{API}/docs").status_code == 200
    assert reverse("api-v1:openapi-json") == f"{API}/openapi.json"


SCHEMATHESIS_EXAMPLES = 60  # per operation and per generation mode


def test_schemathesis_conformance(dataset, settings):
    """Generated requests for every operation of the OpenAPI document, valid ones
    (positive) and invalid ones (negative: wrong types, out of range, unknown values):
    never a 5xx, every invalid request refused with a 4xx, and every answer matches the
    document (status code, content type, headers, body schema)."""
    from django.core import signals
    from django.db import close_old_connections

    from config.wsgi import application

    settings.API_RATE_LIMIT = "100000/min"
    # As Django's test client does: the test's transaction must outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        ran, operations = _run_schemathesis(application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    by_mode = {mode: sum(1 for _, m in ran if m == mode) for mode in ("positive", "negative")}
    print(f"schemathesis: {len(ran)} cases over {len(operations)} operations ({by_mode})")
    assert len(operations) == 5  # every operation of the document
    for operation in operations:
        for mode in ("positive", "negative"):
            assert sum(1 for op, m in ran if (op, m) == (operation, mode)) >= 10, (
                operation, mode)


def _run_schemathesis(application):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance,
              negative_data_rejection]
    ran, operations = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(operation, mode, checks, ran)
    return ran, operations


def _fuzz_operation(operation, mode, checks, ran):
    """One Hypothesis run per operation and mode (a function of its own, so that each
    run's test function closes over its own operation and mode)."""
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hypothesis_settings

    @hypothesis_settings(max_examples=SCHEMATHESIS_EXAMPLES, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        # WSGI answers are read as sent: ask for them uncompressed (browsers get gzip).
        case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})
        ran.append((operation.label, mode.value))

    check()


def test_lists_read_a_bounded_number_of_queries(client, dataset,
                                                django_assert_max_num_queries):
    """A page costs the same few queries whatever its length (count, rows, prefetches)."""
    for path, params in [("/lieux", {}), ("/lieux", {"near": "49.43,2.08"}),
                         ("/structures", {}), ("/sessions", {"departement": "60"})]:
        with django_assert_max_num_queries(6):
            response = get(client, path, page_size=100, **params)
        assert response.status_code == 200


def test_a_page_is_built_once_and_a_change_shows_at_once(client, dataset,
                                                         django_assert_num_queries,
                                                         django_capture_on_commit_callbacks):
    first = get(client, "/lieux", departement="60")
    assert first["X-Api-Cache"] == "miss"
    with django_assert_num_queries(0):  # read back: no query at all
        again = get(client, "/lieux", departement="60")
    assert again["X-Api-Cache"] == "hit" and again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]

    point = ServicePoint.objects.get(name="Mairie de Compiègne")
    with django_capture_on_commit_callbacks(execute=True):
        point.name = "Mairie annexe de Compiègne"
        point.save()
    assert "Mairie annexe de Compiègne" in names(get(client, "/lieux", departement="60"))
    # Another query is another page.
    assert get(client, "/lieux", departement="59")["X-Api-Cache"] == "miss"


def test_errors_are_never_kept(client, dataset):
    for _ in range(2):
        response = get(client, "/lieux", rayon_km="5")
        assert response.status_code == 400 and "X-Api-Cache" not in response


# --- Kept answers and the rate limit, as the bench's load meets them ----------------------

def test_statistics_are_kept_until_their_figures_change(client, dataset,
                                                        django_assert_num_queries,
                                                        django_capture_on_commit_callbacks):
    from dashboards import cache as dashboards_cache

    first = get(client, "/statistiques/departements")
    assert first["X-Api-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert get(client, "/statistiques/departements")["X-Api-Cache"] == "hit"
    # The dashboards' figures renewed alone (an amendment, an extension): built again.
    dashboards_cache.bump()
    assert get(client, "/statistiques/departements")["X-Api-Cache"] == "miss"
    point = ServicePoint.objects.get(name="Mairie de Compiègne")
    with django_capture_on_commit_callbacks(execute=True):
        point.delete()
    rows = {row["code_departement"]: row for row in
            get(client, "/statistiques/departements").json()["items"]}
    assert rows["60"]["lieux_publics"] == 2


def test_a_kept_answer_read_by_another_process_is_as_fresh(client, dataset):
    """Each process keeps a copy of what it read; a version renewed through another instance
    makes it unused once this process reads the version again (within a second)."""
    from django.core.cache import cache

    from core.cache_versions import forget_local_versions
    from opendata import cache as kept

    get(client, "/structures")
    assert get(client, "/structures")["X-Api-Cache"] == "hit"
    cache.set(kept.VERSION.key, "renouvelee-ailleurs", timeout=None)
    forget_local_versions()
    assert get(client, "/structures")["X-Api-Cache"] == "miss"


def _throttle(clock):
    from opendata.api import PublicRateThrottle

    throttle = PublicRateThrottle()
    throttle.timer = lambda: clock[0]
    return throttle


def _ask(throttle, address="10.0.0.9"):
    from django.test import RequestFactory

    return throttle.allow_request(RequestFactory().get(f"{API}/lieux", REMOTE_ADDR=address))


def test_the_limit_holds_whatever_the_number_of_processes(db, settings):
    """Two processes (two throttles) taking requests by reservations: together never more
    than the limit, and all of it when one address asks enough."""
    settings.API_RATE_LIMIT = "500/min"  # reservations of 5
    clock = [6_000_000.0]
    first, second = _throttle(clock), _throttle(clock)
    allowed = sum(_ask(first) + _ask(second) for _ in range(400))
    assert allowed == 500
    assert _ask(first, "10.0.0.10") and _ask(second, "10.0.0.10")  # another address


def test_the_limit_holds_across_the_end_of_a_window(db, settings):
    settings.API_RATE_LIMIT = "3/min"
    clock = [6_000_000.0 + 59.5]  # the last half-second of a minute's window
    throttle = _throttle(clock)
    assert [_ask(throttle) for _ in range(4)] == [True, True, True, False]
    clock[0] += 1  # the next window: the last one still counts almost whole
    assert not _ask(throttle)
    clock[0] += 60  # a minute later: allowed again
    assert _ask(throttle)


def test_refused_requests_are_not_counted(db, settings):
    from django.core.cache import cache

    settings.API_RATE_LIMIT = "3/min"
    clock = [6_000_000.0]
    throttle = _throttle(clock)
    assert [_ask(throttle) for _ in range(10)] == [True] * 3 + [False] * 7
    assert cache.get(f"throttle_api_10.0.0.9_60_{int(clock[0] // 60)}") == 3
    assert throttle.wait() == 60
