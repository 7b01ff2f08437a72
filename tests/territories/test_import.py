import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from territories.models import Commune, Department, Epci, Region

from .conftest import write_dataset

pytestmark = pytest.mark.django_db


def run_import(data_dir):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_territories", data_dir=data_dir, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_loads_regions_departments_current_communes_and_epci(dataset):
    run_import(dataset)
    assert Region.objects.count() == 2  # the overseas collectivity is out of scope
    assert Department.objects.count() == 2
    assert set(Commune.objects.values_list("insee_code", flat=True)) == {
        "60057", "60059", "34032"
    }
    beauvais = Commune.objects.get(insee_code="60057")
    assert beauvais.department.code == "60"
    assert beauvais.epci == Epci.objects.get(siren="200067999")
    assert beauvais.postal_codes == ["60000"]


def test_second_import_changes_nothing_and_says_so(dataset):
    run_import(dataset)
    before = list(Commune.objects.values_list("id", "name", "population"))
    out, _ = run_import(dataset)
    assert "Aucun changement" in out
    assert list(Commune.objects.values_list("id", "name", "population")) == before


def test_import_updates_a_changed_population(tmp_path, dataset):
    run_import(dataset)
    communes = json.loads((dataset / "communes.json").read_text())
    communes[0]["population"] = 56000
    (dataset / "communes.json").write_text(json.dumps(communes))
    out, _ = run_import(dataset)
    assert "1 mis à jour" in out
    assert Commune.objects.get(insee_code="60057").population == 56000


def test_bad_rows_are_reported_and_the_rest_is_imported(tmp_path):
    write_dataset(tmp_path, communes=[
        {"code": "60057", "nom": "Beauvais", "departement": "60", "type": "commune-actuelle"},
        {"code": "99999", "nom": "Nulle part", "departement": "99", "type": "commune-actuelle"},
        {"nom": "Sans code", "departement": "60", "type": "commune-actuelle"},
    ])
    _, err = run_import(tmp_path)
    assert "département inconnu '99'" in err
    assert "code ou nom manquant" in err
    assert list(Commune.objects.values_list("insee_code", flat=True)) == ["60057"]


def test_missing_file_fails_with_one_line_and_changes_nothing(dataset):
    run_import(dataset)
    (dataset / "communes.json").unlink()
    with pytest.raises(CommandError, match="Fichier introuvable.*aucune donnée modifiée"):
        run_import(dataset)
    assert Commune.objects.count() == 3


def test_corrupt_file_fails_and_leaves_the_database_empty(dataset):
    (dataset / "epci.json").write_text("{ pas du json")
    with pytest.raises(CommandError, match="Fichier illisible"):
        run_import(dataset)
    assert not Region.objects.exists() and not Commune.objects.exists()


def test_lookup_finds_the_largest_matching_commune_first(dataset):
    run_import(dataset)
    results = Client().get("/territoires/communes/?q=beauv").json()["results"]
    assert [r["insee_code"] for r in results] == ["60057", "60059"]
    assert results[0]["label"] == "Beauvais (60)"


@pytest.mark.parametrize("query", ["bézi", "BEZI", "Beziers", "34500", "345"])
def test_lookup_ignores_accents_and_case_and_accepts_postal_codes(dataset, query):
    run_import(dataset)
    results = Client().get("/territoires/communes/", {"q": query}).json()["results"]
    assert results[0]["name"] == "Béziers"


@pytest.mark.parametrize("query", ["", "b", "zzzz"])
def test_lookup_returns_nothing_for_short_or_unknown_queries(dataset, query):
    run_import(dataset)
    assert Client().get("/territoires/communes/", {"q": query}).json() == {"results": []}


def test_lookup_respects_the_limit(dataset):
    run_import(dataset)
    response = Client().get("/territoires/communes/", {"q": "beau", "limit": "1"})
    assert len(response.json()["results"]) == 1


def test_real_package_import_has_the_whole_of_france():
    data_dir = Path(settings.BASE_DIR) / "node_modules/@etalab/decoupage-administratif/data"
    assert data_dir.is_dir(), "npm ci must install @etalab/decoupage-administratif first"
    run_import(data_dir)
    assert Region.objects.count() == 18
    assert Department.objects.count() == 101
    assert Commune.objects.count() > 34_000
    assert Epci.objects.count() > 1_200
    first = Client().get("/territoires/communes/?q=beauv").json()["results"][0]
    assert (first["name"], first["insee_code"]) == ("Beauvais", "60057")
    assert Commune.objects.filter(latitude__isnull=True).count() < 20


def test_import_places_communes_from_the_bounding_boxes_and_is_idempotent(dataset):
    out, _ = run_import(dataset)
    beauvais = Commune.objects.get(insee_code="60057")
    # The middle of Beauvais' box, from @etalab/fr-bounding-boxes: close to the town centre.
    assert beauvais.latitude == pytest.approx(49.43, abs=0.03)
    assert beauvais.longitude == pytest.approx(2.09, abs=0.03)
    assert Commune.objects.filter(latitude__isnull=True).count() == 0
    assert "Coordonnées : 3 communes situées (3 mises à jour)" in out
    out, _ = run_import(dataset)
    assert "(0 mises à jour)" in out


def test_a_commune_nouvelle_is_placed_over_its_former_communes(tmp_path):
    boxes = tmp_path / "boxes.json"
    boxes.write_text(json.dumps([
        {"id": "fr:commune:60057", "bbox": [2.0, 49.0, 2.2, 49.2]},
        {"id": "fr:commune:60058", "bbox": [2.2, 49.2, 2.4, 49.4]},
    ]))
    write_dataset(tmp_path, communes=[
        {"code": "60057", "nom": "Beauvais", "departement": "60", "type": "commune-actuelle",
         "zone": "metro"},
        {"code": "60058", "nom": "Ancienne", "departement": "60", "type": "commune-deleguee",
         "chefLieu": "60057", "zone": "metro"},
        {"code": "60059", "nom": "Beauvoir", "departement": "60", "type": "commune-actuelle",
         "zone": "metro"},
    ])
    from io import StringIO

    out = StringIO()
    call_command("import_territories", data_dir=tmp_path, boxes_file=boxes, stdout=out)
    assert Commune.objects.get(insee_code="60057").coordinates == (49.2, 2.2)
    assert Commune.objects.get(insee_code="60059").coordinates is None
    assert "1 sans coordonnées" in out.getvalue()


def test_skip_if_loaded_still_places_communes_loaded_before_coordinates(dataset, monkeypatch):
    from io import StringIO

    from territories.management.commands import import_territories as command

    run_import(dataset)
    Commune.objects.update(latitude=None, longitude=None)
    monkeypatch.setattr(command, "UNPLACED_TOLERATED", 2)
    out = StringIO()
    call_command("import_territories", data_dir=dataset, skip_if_loaded=True, stdout=out)
    assert "import ignoré" in out.getvalue()
    assert "Coordonnées : 3 communes situées (3 mises à jour)" in out.getvalue()
    assert not Commune.objects.filter(latitude__isnull=True).exists()
    out = StringIO()
    call_command("import_territories", data_dir=dataset, skip_if_loaded=True, stdout=out)
    assert "Coordonnées" not in out.getvalue()


def test_an_import_that_changes_the_geography_says_so_once_and_an_unchanged_one_does_not(
        dataset, django_capture_on_commit_callbacks):
    from territories.signals import geography_imported

    heard = []

    def listener(**kwargs):
        heard.append(kwargs)

    geography_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run_import(dataset)
        assert len(heard) == 1
        with django_capture_on_commit_callbacks(execute=True):
            run_import(dataset)  # nothing changed
        assert len(heard) == 1
    finally:
        geography_imported.disconnect(listener)
