"""The dashboards' tables and large export are declared with ``core.exports``: French Excel
CSV (BOM, ';'), and a territory's name that looks like a formula comes out inert."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import EXPORTS, discover
from dashboards.exports import TABLES, run_export_job
from dashboards.models import ExportJob

pytestmark = pytest.mark.django_db
PAYLOAD = '=HYPERLINK("http://x")'


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = tmp_path, tmp_path / "private"


def test_every_table_is_a_declared_export():
    discover()
    for table, export_class in TABLES.items():
        assert EXPORTS[export_class.identifier] is export_class and export_class.table == table
    assert "dashboards.activity_reports" in EXPORTS


def test_a_formula_in_a_territory_name_comes_out_inert(client, admin, data):
    data["oise"].name = PAYLOAD
    data["oise"].save()
    client.force_login(admin)
    response = client.get(reverse("dashboards:table_export",
                                  args=["region", "32", "repartition", "csv"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert f"'{PAYLOAD}".replace('"', '""') in response.content.decode("utf-8-sig")
    response = client.get(reverse("dashboards:table_export",
                                  args=["region", "32", "repartition", "xlsx"]))
    cells = [cell for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()
             for cell in row if cell.value == PAYLOAD]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_the_large_export_writes_inert_typed_cells(admin, data):
    data["s1"].name = PAYLOAD
    data["s1"].save()
    job = ExportJob.objects.create(requester=admin, level="department", territory_code="60")
    assert run_export_job(job.pk) == ExportJob.Status.DONE
    job.refresh_from_db()
    assert job.progress == 100 and job.file.name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(job.file.read())).active
    rows = list(sheet.iter_rows())
    assert rows[0][0].value == "Date" and len(rows) == 1 + 3  # Oise's three reports
    assert rows[1][0].is_date  # a real date, not text
    named = [row[2] for row in rows[1:] if row[2].value == PAYLOAD]  # S1's two reports
    assert len(named) == 2 and all(cell.quotePrefix for cell in named)
