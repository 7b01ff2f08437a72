"""The export writers: what French Excel needs (BOM, ';', decimal commas, Paris times), typed
XLSX cells, JSON, the download headers, progress, and formulas made inert."""

import csv
import datetime
import decimal
import io
import json
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from openpyxl import load_workbook

from core.exports import EXPORTS, Export, content_disposition, export_response

UTC = datetime.UTC
PAYLOADS = ['=HYPERLINK("http://x")', "+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx"]


class Sample(Export):
    identifier = "tests.sample"
    verbose_name = "Exemple"
    permission = "accounts.view_user"
    params = ("extra",)
    formats = ("csv", "xlsx", "json")

    def headers(self):
        return ["Nom", "Créé le", "Jour", "Montant", "Nombre", "Actif", "Thèmes", "Vide"]

    def rows(self):
        yield ["Élodie Gérard", datetime.datetime(2026, 7, 1, 12, 30, tzinfo=UTC),
               datetime.date(2026, 12, 6), decimal.Decimal("12.50"), 3, True, ["a", "b"], None]
        for payload in self.extra or ():
            yield [payload, None, None, None, -4, False, [], None]

    def total(self):
        return 1 + len(self.extra or ())


def csv_rows(data):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))


def test_registry_holds_declared_exports():
    assert EXPORTS["tests.sample"] is Sample
    assert Export not in EXPORTS.values()


def test_csv_is_french_excel_friendly():
    name, content_type, data = Sample().render("csv")
    assert content_type == "text/csv; charset=utf-8"
    assert name.startswith("tests-sample-") and name.endswith(".csv")
    assert b";" in data and b"\r\n" in data
    header, row = csv_rows(data)
    assert header[0] == "Nom" and header[1] == "Créé le"
    # 12:30 UTC on 1 July is 14:30 in Paris (summer time); decimals with a comma.
    assert row == ["Élodie Gérard", "01/07/2026 14:30", "06/12/2026", "12,50", "3", "Oui",
                   "a, b", ""]


def test_csv_winter_time():
    class Winter(Sample):
        def rows(self):
            yield ["x", datetime.datetime(2026, 12, 6, 12, 0, tzinfo=UTC), None, None, None,
                   None, None, None]

    assert csv_rows(Winter().render("csv")[2])[1][1] == "06/12/2026 13:00"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_neutralises_formulas(payload):
    rows = csv_rows(Sample(extra=[payload]).render("csv")[2])
    assert rows[2][0] == "'" + payload
    assert rows[2][4] == "-4"  # a negative number stays a number


def test_xlsx_types_and_formulas():
    data = Sample(extra=PAYLOADS).render("xlsx")[2]
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]][:2] == ["Nom", "Créé le"]
    first = rows[1]
    assert first[0].value == "Élodie Gérard"
    assert first[1].value == datetime.datetime(2026, 7, 1, 14, 30)  # Paris, naive
    assert first[1].is_date and "YYYY" in first[1].number_format.upper()
    assert first[2].value == datetime.datetime(2026, 12, 6) and first[2].is_date
    assert first[3].data_type == "n" and first[3].value == 12.5
    assert first[4].value == 3 and first[5].value == "Oui"
    for payload, row in zip(PAYLOADS, rows[2:], strict=True):
        cell = row[0]
        # Depending on the XML parser, a carriage return may read back as a line feed.
        assert cell.data_type == "s" and cell.value in (payload, payload.replace("\r", "\n"))
        assert cell.quotePrefix
        assert row[4].value == -4
    assert all(cell.data_type != "f" for row in rows for cell in row)


def test_json():
    data = json.loads(Sample(extra=["=1"]).render("json")[2])
    assert data[0]["Créé le"] == "2026-07-01T14:30:00"
    assert data[0]["Montant"] == "12.50" and data[0]["Actif"] is True
    assert data[1]["Nom"] == "=1"


def test_progress_reports_percentages():
    seen = []
    exporter = Sample(extra=["x"] * 9, progress=seen.append)
    exporter.progress_every = 5
    exporter.render("xlsx")
    assert seen == [50, 99, 100]  # 100 once every row is read


def test_unknown_parameter_is_refused():
    with pytest.raises(TypeError):
        Sample(session=1)


def test_content_disposition_keeps_accents():
    header = content_disposition("inscriptions-é.csv")
    assert header == ("attachment; filename=\"inscriptions-_.csv\"; "
                      "filename*=UTF-8''inscriptions-%C3%A9.csv")


def test_streamed_csv_equals_plain():
    plain = Sample().response("csv")
    streamed = Sample().response("csv", streaming=True)
    assert b"".join(streamed.streaming_content) == plain.content
    assert streamed["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.django_db
def test_export_response_checks_permission_and_format(django_user_model):
    request = RequestFactory().get("/")
    request.user = django_user_model.objects.create_user(email="a@example.org", password="x")
    with pytest.raises(PermissionDenied):
        export_response(request, Sample, "csv")
    request.user = django_user_model.objects.create_superuser(email="b@example.org",
                                                              password="x")
    with pytest.raises(Http404):
        export_response(request, Sample, "pdf")
    response = export_response(request, Sample, "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_paris_zone_is_the_default():
    from django.utils import timezone

    assert timezone.get_default_timezone() == zoneinfo.ZoneInfo("Europe/Paris")


def test_another_csv_dialect_still_neutralises():
    class Comma(Sample):
        csv_delimiter = ","
        csv_bom = False

    data = Comma(extra=["=1+1"]).render("csv")[2]
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=","))
    assert rows[1][3] == "12,50" and rows[2][0] == "'=1+1"
