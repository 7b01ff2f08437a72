"""The dashboards' map draws the overseas territories as insets, and coverage is written per
100,000 inhabitants with the population's source, never rounded away to "0,0"."""

import html as entities
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from dashboards.charts import choropleth
from dashboards.templatetags.dashboards_figures import coverage
from territories import outlines
from territories.models import POPULATION_SOURCE_YEAR, Commune, Department, Region

pytestmark = pytest.mark.django_db

OVERSEAS_DEPARTMENTS = ["971", "972", "973", "974", "976"]


@pytest.mark.parametrize(("value", "text"), [
    (None, "—"), (0, "0"), (0.0874, "0,087"), (0.0012, "0,0012"), (2.456, "2,5"),
    (3.3898, "3,4"), (12.34, "12,3"), (250.0, "250,0"),
])
def test_coverage_keeps_two_significant_digits_below_ten(value, text):
    assert coverage(value) == text


def test_a_small_real_coverage_is_never_written_zero():
    for value in (0.04, 0.004, 0.0004):
        assert coverage(value) not in ("0", "0,0", "0,00")


def test_the_national_page_writes_coverage_per_100000_with_the_population_year(client, admin,
                                                                              data):
    client.force_login(admin)
    html = entities.unescape(client.get(reverse("dashboards:national")).content.decode())
    assert "Conseillers en poste pour 100 000 habitants" in html
    assert "10 000 habitants" not in html
    # 2 advisors for 2,289,000 inhabitants: 0.087 per 100,000, not "0,0".
    assert re.search(r"<td>0,087 \(2\s289\s000 habitants ; populations légales "
                     rf"{POPULATION_SOURCE_YEAR} de l'Insee", html)
    assert "Pour 100 000 habitants" in html  # the map's table
    assert "<td>3,4</td>" in html  # Oise: 2 advisors, 59,000 inhabitants


def shapes_of(chart):
    return {shape["code"]: shape for shape in chart["paths"]}


def test_the_choropleth_draws_the_five_overseas_departements_as_insets():
    rows = [{"code": "60", "name": "Oise", "active": 4},
            {"code": "974", "name": "La Réunion", "active": 2}]
    chart = choropleth(rows, "active", "Conseillers en poste", lambda code: f"/d/{code}/")
    shapes = shapes_of(chart)
    for code in OVERSEAS_DEPARTMENTS:
        assert shapes[code]["path"].startswith("M")
    assert [inset["name"] for inset in chart["insets"]] == [
        "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    # Below metropolitan France: the map grows taller than the package's 585.
    assert int(chart["view_box"].split()[3]) > 585
    assert shapes["974"]["url"] == "/d/974/" and shapes["974"]["fill"] != "#f6f6f6"
    assert shapes["974"]["title"] == "La Réunion (974) : 2 conseillers en poste"
    assert shapes["971"]["url"] == "" and "hors du territoire" in shapes["971"]["title"]


def test_collectivities_are_insets_only_where_the_data_holds_them():
    without = choropleth([{"code": "60", "active": 1}], "active", "Conseillers en poste")
    assert "975" not in shapes_of(without)
    with_spm = choropleth([{"code": "60", "active": 1}, {"code": "975", "active": 1}],
                          "active", "Conseillers en poste")
    assert "975" in shapes_of(with_spm)
    assert "Saint-Pierre-et-Miquelon" in [inset["name"] for inset in with_spm["insets"]]


def test_the_national_page_shows_overseas_insets(client, admin, data):
    region = Region.objects.create(code="01", name="Guadeloupe")
    guadeloupe = Department.objects.create(code="971", name="Guadeloupe", region=region)
    Commune.objects.create(insee_code="97105", name="Basse-Terre", department=guadeloupe,
                           population=10000)
    client.force_login(admin)
    html = client.get(reverse("dashboards:national")).content.decode()
    assert 'aria-label="Guadeloupe (971) : 0 conseillers en poste"' in html
    for name in ("Martinique", "Guyane", "La Réunion", "Mayotte"):
        assert f">{name}</text>" in html
    assert "outre-mer en encarts" in html


def test_the_outlines_hold_every_departement_and_the_overseas_collectivities():
    codes = set(outlines.features())
    assert {f"{n:02d}" for n in range(1, 96) if n != 20} <= codes
    assert {"2A", "2B", *OVERSEAS_DEPARTMENTS, "975", "977", "978", "986", "987",
            "988"} <= codes
    name, polygons = outlines.features()["60"]
    lons = [lon for polygon in polygons for ring in polygon for lon, _lat in ring]
    lats = [lat for polygon in polygons for ring in polygon for _lon, lat in ring]
    # The Oise between 1.69°E and 3.17°E, 49.06°N and 49.76°N (its real box, within 2 km).
    assert name == "Oise"
    assert abs(min(lons) - 1.69) < 0.03 and abs(max(lons) - 3.17) < 0.03
    assert abs(min(lats) - 49.06) < 0.02 and abs(max(lats) - 49.76) < 0.02


def test_build_outlines_rebuilds_the_served_file_from_the_npm_packages(tmp_path):
    target = tmp_path / "departements.geojson"
    call_command("build_outlines", output=str(target), stdout=open("/dev/null", "w"))
    assert json.loads(target.read_text()) == json.loads(outlines.FILE.read_text())
