"""Open data at /donnees/: service points in the national "lieux de médiation numérique"
schema (validated with frictionless against our copy of schema.json), structures and
academy sessions, in CSV and JSON, public data only."""

import csv
import datetime
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from frictionless import Resource, Schema

from academy.models import Format
from advisors.models import Application, Closure, Contract, OpeningRange, PlaceService, Structure
from opendata import exports, service_points, structures
from tests import factories as academy_make
from tests.advisors import factories as make

POSTAL_CODES = {"Paris": ["75001", "75002"], "Beauvais": ["60000"], "Compiègne": ["60200"],
                "Lille": ["59000", "59800"]}


def build_dataset():
    """A small realistic deployment: two validated structures (Oise, Nord), one still
    applying (Paris); service points with every optional field, a minimal itinerant one,
    a hidden one; advisors active, ended and awaiting validation; sessions of a published
    course (on site and remote) and of an unpublished one."""
    communes = make.geography()
    for name, codes in POSTAL_CODES.items():
        communes[name].postal_codes = codes
        communes[name].save()
    beauvais = make.validated_structure(
        communes["Beauvais"], posts=3, name="Mairie de Beauvais",
        contact_first_name="Gaëlle", contact_last_name="Contactbeauvais",
        contact_email="gaelle.contact@beauvais.fr")
    lille = make.validated_structure(
        communes["Lille"], posts=2, name="Association Lille Numérique",
        kind=Structure.Kind.ASSOCIATION, contact_last_name="Contactlille",
        contact_email="direction@lille-numerique.fr")
    paris = make.structure(communes["Paris"], name="Candidat parisien",
                           contact_last_name="Contactparis")
    make.application(paris, Application.Status.CREATED)

    advisors = [make.advisor(first_name="Léa", last_name=f"Secretnom{i}",
                             email=f"lea.secretnom{i}@conseiller-numerique.fr",
                             phone=f"061234567{i}") for i in range(5)]
    today = timezone.localdate()
    make.contract(beauvais, advisors[0])
    make.contract(beauvais, advisors[1], kind=Contract.Kind.CDI)
    make.contract(beauvais, advisors[2], start=today - timedelta(days=500),
                  end=today - timedelta(days=100))  # over
    make.contract(beauvais, advisors[3], status=Contract.Status.SUBMITTED)  # not validated
    make.contract(lille, advisors[4])

    full = make.service_point(
        beauvais, advisors=advisors[:2], name="Médiathèque du centre",
        address="12 rue de la Madeleine", latitude=49.4295, longitude=2.0807,
        access="free", phone="03 44 00 00 00", email="mediatheque@beauvais.fr",
        website="https://www.beauvais.fr/mediatheque", booking_url="https://rdv.example.fr/b",
        services=[PlaceService.ADMINISTRATIVE_PROCEDURES, PlaceService.HEALTH_PROCEDURES,
                  PlaceService.EVERYDAY_TOOLS, PlaceService.REPAIR, PlaceService.SAFE_USE,
                  PlaceService.DIGITAL_CULTURE, PlaceService.EQUIPMENT])
    for weekday in range(5):
        OpeningRange.objects.create(service_point=full, weekday=weekday, period="am",
                                    opens=datetime.time(9), closes=datetime.time(12))
    OpeningRange.objects.create(service_point=full, weekday=2, period="pm",
                                opens=datetime.time(14), closes=datetime.time(17, 30))
    Closure.objects.create(service_point=full, start=today + timedelta(days=10),
                           end=today + timedelta(days=12), reason="Travaux")
    Closure.objects.create(service_point=full, start=today - timedelta(days=40),
                           end=today - timedelta(days=39))  # over: not in the hours
    minimal = make.service_point(beauvais, name="Bus numérique", address="",
                                 commune=communes["Compiègne"], is_itinerant=True,
                                 access="appointment", services=[PlaceService.PARENTING])
    compiegne = make.service_point(
        beauvais, advisors=advisors[1:2], name="Mairie de Compiègne",
        commune=communes["Compiègne"], latitude=49.4179, longitude=2.8261,
        # An advisor's own email and phone are never published.
        email=advisors[1].email, phone=advisors[1].phone,
        services=[PlaceService.INTERNET_ACCESS, PlaceService.LEISURE])
    lille_point = make.service_point(
        lille, advisors=advisors[4:], name="Maison de quartier Wazemmes",
        commune=communes["Lille"], latitude=50.6292, longitude=3.0573,
        services=[PlaceService.PROFESSIONAL_INTEGRATION, PlaceService.UNDERSTANDING_DIGITAL])
    hidden = make.service_point(beauvais, name="Bureau caché", is_public=False,
                                latitude=49.43, longitude=2.08)

    course = academy_make.course("Transition numérique des territoires",
                                 themes=[academy_make.theme("Numérique")])
    on_site = academy_make.session(course, communes["Beauvais"], days=20, capacity=12,
                                   address="Hôtel de ville", trainers="Jean Formateursecret",
                                   contact_email="organisateur.secret@anct.gouv.fr")
    remote = academy_make.session(course, days=40, capacity=30,
                                  remote_url="https://webconf.example.fr/lien-prive")
    draft = academy_make.course("Formation en préparation", publish=False)
    unpublished = academy_make.session(draft, communes["Lille"], days=25)
    return {
        "communes": communes, "structures": {"beauvais": beauvais, "lille": lille,
                                             "paris": paris},
        "advisors": advisors,
        "points": {"full": full, "minimal": minimal, "compiegne": compiegne,
                   "lille": lille_point, "hidden": hidden},
        "sessions": {"on_site": on_site, "remote": remote, "unpublished": unpublished},
        "course": course,
    }


SECRETS = ["Secretnom", "secretnom", "Contactbeauvais", "Contactlille", "Contactparis",
           "gaelle.contact@beauvais.fr", "direction@lille-numerique.fr", "Formateursecret",
           "organisateur.secret", "lien-prive", "0612345671", "+33612345671", "Dominique",
           "Martin", "Candidat parisien"]


@pytest.fixture
def dataset(db):
    academy_make.ensure_site()
    return build_dataset()


def download(client, slug, extension):
    response = client.get(reverse("opendata:download", args=[slug, extension]))
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8"), response


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_fields_are_those_of_the_national_schema():
    assert service_points.SERVICE_POINT_FIELDS == service_points.schema_field_names()
    assert service_points.SCHEMA_PATH.is_relative_to(service_points.SCHEMA_DIR)
    assert "shared" not in str(
        service_points.SCHEMA_PATH.relative_to(service_points.SCHEMA_DIR.parent))


def test_service_points_csv_conforms_to_the_national_schema(client, dataset, tmp_path):
    text, response = download(client, "lieux-mediation-numerique", "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="lieux-mediation-numerique.csv"' in response["Content-Disposition"]
    path = tmp_path / "lieux.csv"
    path.write_text(text, encoding="utf-8")
    schema = Schema.from_descriptor(
        json.loads(service_points.SCHEMA_PATH.read_text(encoding="utf-8")))
    report = Resource("lieux.csv", basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = csv_rows(text)
    assert list(rows[0]) == service_points.SERVICE_POINT_FIELDS
    assert report.tasks[0].stats["rows"] == 4


def test_service_point_rows_map_our_data_to_the_schema(client, dataset):
    rows = {row["nom"]: row for row in csv_rows(
        download(client, "lieux-mediation-numerique", "csv")[0])}
    points, structures = dataset["points"], dataset["structures"]
    assert set(rows) == {"Médiathèque du centre", "Bus numérique", "Mairie de Compiègne",
                         "Maison de quartier Wazemmes"}  # never the hidden one
    full = rows["Médiathèque du centre"]
    assert full["id"] == str(points["full"].pk)
    assert full["pivot"] == structures["beauvais"].siret
    assert (full["commune"], full["code_postal"], full["code_insee"]) == (
        "Beauvais", "60000", "60057")
    assert full["adresse"] == "12 rue de la Madeleine"
    assert (full["latitude"], full["longitude"]) == ("49.4295", "2.0807")
    assert full["typologie"] == "MUNI"
    assert full["telephone"] == "+33344000000"
    assert full["courriels"] == "mediatheque@beauvais.fr"
    assert full["site_web"] == "https://www.beauvais.fr/mediatheque"
    closure = points["full"].closures.get(reason="Travaux")
    months = service_points.OSM_MONTHS
    assert full["horaires"] == (
        "Mo,Tu,Th,Fr 09:00-12:00; We 09:00-12:00,14:00-17:30; PH off; "
        f"{closure.start.year} {months[closure.start.month - 1]} {closure.start.day:02d}-"
        f"{closure.end.year} {months[closure.end.month - 1]} {closure.end.day:02d} off")
    assert full["services"] == (
        "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien|"
        "Utilisation sécurisée du numérique|Compréhension du monde numérique|"
        "Accès internet et matériel informatique|"
        "Acquisition de matériel informatique à prix solidaire")
    assert full["itinerance"] == "Fixe"
    assert full["structure_parente"] == "Mairie de Beauvais"
    assert full["dispositif_programmes_nationaux"] == "Conseillers numériques"
    assert full["frais_a_charge"] == "Gratuit"
    assert full["modalites_acces"] == (
        "Se présenter|Téléphoner|Contacter par mail|Prendre un RDV en ligne")
    assert full["prise_rdv"] == "https://rdv.example.fr/b"
    assert full["date_maj"] == timezone.localdate().isoformat()

    minimal = rows["Bus numérique"]
    assert minimal["itinerance"] == "Itinérant"
    assert minimal["adresse"] == "Compiègne"  # required: an itinerant point's commune
    assert minimal["code_postal"] == "60200"
    assert minimal["latitude"] == minimal["longitude"] == minimal["horaires"] == ""
    assert minimal["services"] == "Parentalité et éducation avec le numérique"
    assert minimal["modalites_acces"] == ""  # by appointment, no way to book given

    # An advisor's own email and phone are left out.
    compiegne = rows["Mairie de Compiègne"]
    assert compiegne["courriels"] == compiegne["telephone"] == ""
    assert rows["Maison de quartier Wazemmes"]["typologie"] == "ASSO"


def test_json_holds_the_same_rows_as_csv(client, dataset):
    for slug in exports.DATASETS:
        text, _ = download(client, slug, "csv")
        csv_data = csv_rows(text)
        json_text, response = download(client, slug, "json")
        assert response["Content-Type"].startswith("application/json")
        json_data = json.loads(json_text)
        assert len(json_data) == len(csv_data) > 0
        as_text = [{key: "" if value is None else str(value) for key, value in row.items()}
                   for row in json_data]
        assert as_text == csv_data
    lieux = json.loads(download(client, "lieux-mediation-numerique", "json")[0])
    full = next(row for row in lieux if row["nom"] == "Médiathèque du centre")
    assert full["latitude"] == 49.4295
    minimal = next(row for row in lieux if row["nom"] == "Bus numérique")
    assert minimal["latitude"] is None and minimal["horaires"] is None


def test_no_personal_data_in_any_file(client, dataset):
    for slug in exports.DATASETS:
        for extension in ("csv", "json"):
            text, _ = download(client, slug, extension)
            for secret in SECRETS:
                assert secret not in text, (slug, extension, secret)
            for advisor in dataset["advisors"]:
                assert advisor.email not in text
                assert advisor.last_name not in text


def test_structures_counts(client, dataset, django_assert_max_num_queries):
    rows = {row["nom"]: row for row in csv_rows(download(client, "structures", "csv")[0])}
    assert set(rows) == {"Mairie de Beauvais", "Association Lille Numérique"}
    beauvais = rows["Mairie de Beauvais"]
    assert beauvais["siret"] == dataset["structures"]["beauvais"].siret
    assert (beauvais["type"], beauvais["type_libelle"]) == ("commune", "Commune")
    assert (beauvais["code_insee"], beauvais["commune"]) == ("60057", "Beauvais")
    assert (beauvais["code_departement"], beauvais["departement"]) == ("60", "Oise")
    # 3 granted; active: 2 (one contract over, one awaiting validation)
    assert (beauvais["postes_attribues"], beauvais["conseillers_actifs"]) == ("3", "2")
    lille = rows["Association Lille Numérique"]
    assert (lille["postes_attribues"], lille["conseillers_actifs"]) == ("2", "1")
    # Counts come from the query, not from one query per row.
    with django_assert_max_num_queries(3):
        assert len(list(structures.structure_rows())) == 2
    with django_assert_max_num_queries(4):
        assert len(list(service_points.service_point_rows())) == 4


def test_sessions_file(client, dataset):
    rows = {row["id"]: row for row in csv_rows(download(client, "sessions", "csv")[0])}
    sessions = dataset["sessions"]
    assert set(rows) == {str(sessions["on_site"].pk), str(sessions["remote"].pk)}
    on_site = rows[str(sessions["on_site"].pk)]
    assert on_site["formation"] == "Transition numérique des territoires"
    assert on_site["lieu"] == "Hôtel de ville"
    assert (on_site["commune"], on_site["code_insee"], on_site["code_departement"]) == (
        "Beauvais", "60057", "60")
    assert (on_site["format"], on_site["format_libelle"]) == (Format.ON_SITE,
                                                              "En présentiel")
    assert (on_site["places"], on_site["places_restantes"]) == ("12", "12")
    assert (on_site["statut"], on_site["statut_libelle"]) == ("scheduled", "Programmée")
    assert datetime.datetime.fromisoformat(on_site["debut"]) == sessions["on_site"].start
    remote = rows[str(sessions["remote"].pk)]
    assert remote["lieu"] == "À distance" and remote["commune"] == ""


def test_open_data_page(client, dataset):
    response = client.get(reverse("opendata:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Données ouvertes" in page
    assert page.count("Licence Ouverte 2.0") >= 3
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in page
    for slug in exports.DATASETS:
        assert reverse("opendata:download", args=[slug, "csv"]) in page
        assert reverse("opendata:download", args=[slug, "json"]) in page
    assert "Dernière mise à jour" in page
    assert reverse("opendata:schema") in page


def test_schema_download_and_unknown_dataset(client, db):
    response = client.get(reverse("opendata:schema"))
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content))["name"] == "standard-mediation-num"
    assert client.get("/donnees/inconnu.csv").status_code == 404
    assert client.get("/donnees/structures.xml").status_code == 404


def test_a_formula_comes_out_inert_and_numbers_as_the_schema_wants(client, dataset):
    """The open data CSV keeps the schema's dialect (",", no BOM, "+33…" phones) but a text
    that a spreadsheet would run is prefixed with "'"."""
    point = dataset["points"]["full"]
    point.name = '=HYPERLINK("http://x")'
    point.save()
    text, response = download(client, "lieux-mediation-numerique", "csv")
    assert not text.startswith("\ufeff") and text.startswith("id,pivot,nom,")
    row = next(row for row in csv_rows(text) if row["id"] == str(point.pk))
    assert row["nom"] == '\'=HYPERLINK("http://x")'
    assert row["telephone"] == "+33344000000"
    assert exports.csv_value("-1.55") == "-1.55" and exports.csv_value("@cmd") == "'@cmd"
    assert exports.csv_value(None) == "" and exports.csv_value(True) == "true"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_datasets_are_declared_exports_anyone_may_run():
    from core.exports import Export, discover

    for slug, export_class in exports.DATASETS.items():
        assert issubclass(export_class, Export) and export_class.slug == slug
        assert export_class.verbose_name and export_class.allowed(None)
        # In the registry (so the injection test reads them), in the schema's own dialect.
        assert discover()[export_class.identifier] is export_class
        assert (export_class.csv_delimiter, export_class.csv_bom) == (",", False)


@pytest.mark.django_db
def test_each_dataset_is_offered_as_a_spreadsheet_with_its_schema_columns(client):
    from io import BytesIO

    from openpyxl import load_workbook

    page = client.get(reverse("opendata:index")).content.decode()
    for slug, export_class in exports.DATASETS.items():
        url = reverse("opendata:download", args=[slug, "xlsx"])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f"{slug}.xlsx")
        sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
        assert [cell.value for cell in next(sheet.iter_rows())] == list(export_class.fields)


def test_the_spreadsheet_gets_dates_where_the_schema_writes_iso_text():
    assert exports.spreadsheet_value("2026-12-06") == datetime.date(2026, 12, 6)
    moment = exports.spreadsheet_value("2026-10-27T09:00:00+01:00")
    assert moment.utcoffset() == timedelta(hours=1) and moment.hour == 9
    assert exports.spreadsheet_value("+33344000000") == "+33344000000"
    assert exports.spreadsheet_value("2026") == "2026"
