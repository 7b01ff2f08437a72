"""DailySnapshot and ExportJob moved from the advisors app to the dashboards app
(``advisors.0007`` and ``dashboards.0001``) by changing Django's state only.

A database at the schema before the move, with data written through the models as they were
then (snapshots, a finished export job with its file), migrated forward keeps every row, and
the dashboards show the same figures and serve the same exports."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from dashboards import indicators
from dashboards.indicators import Territory
from dashboards.models import DailySnapshot, ExportJob
from tests.advisors import factories as make

from .test_dashboards import period

BEFORE_THE_MOVE = [("advisors", "0006_private_export_files"), ("dashboards", None)]
MOVED = {"dailysnapshot": DailySnapshot, "exportjob": ExportJob}


def _migrate(targets=None):
    """Migrates to ``targets`` (every app's last migration by default); returns the models
    as they are at that point."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    # (app, None) means "none of that app's migrations": not a node of the graph.
    return executor.loader.project_state([node for node in targets if node[1]]).apps


@pytest.fixture
def old_models(transactional_db, settings, tmp_path):
    """The database as it was before the move, put back at the latest schema afterwards
    (whatever the test's outcome), for the tests that follow."""
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = tmp_path, tmp_path / "private"
    try:
        yield _migrate(BEFORE_THE_MOVE)  # the content types go back to advisors too
    finally:
        _migrate()
        ContentType.objects.clear_cache()


def _figures(client, data):
    """What the dashboards show and export, read afresh (no cached figure)."""
    cache.clear()
    national, region = Territory("national"), Territory("region", data["hdf"])
    today = timezone.localdate()
    table = client.get(reverse("dashboards:table_export",
                               args=["region", "32", "historique", "csv"]))
    return {
        "summary": indicators.summary(national, *period()),
        "breakdown": indicators.breakdown("department", region, *period()),
        "history": indicators.history(region, on=today),
        "history_csv": table.content,
        "page": client.get(reverse("dashboards:region", args=["32"])).status_code,
    }


def _rows():
    return {name: list(model.objects.order_by("pk").values()) for name, model in MOVED.items()}


@pytest.mark.skip(reason=(
    "Checked the one-time move of issue 17 on the schema of its day (green in stop 23's CI). "
    "Later migrations (advisors 0009 onwards) add columns that today's models and "
    "indicators read, so the database put back before the move can no longer be filled "
    "and read with today's code; the move itself is in migrations nobody replays again."))
def test_the_move_keeps_every_row_figure_and_export(old_models, data, client):
    with pytest.raises(LookupError):
        old_models.get_model("dashboards", "DailySnapshot")
    assert ContentType.objects.filter(app_label="advisors", model="exportjob").exists()
    OldSnapshot = old_models.get_model("advisors", "DailySnapshot")
    OldExportJob = old_models.get_model("advisors", "ExportJob")
    User = old_models.get_model("accounts", "User")
    today = timezone.localdate()
    departments = [data["oise"], data["nord"]]
    for months_ago in range(3):  # a month-end snapshot of each département, three months
        day = (today.replace(day=1) - datetime.timedelta(days=31 * months_ago)).replace(day=1)
        for n, department in enumerate(departments):
            OldSnapshot.objects.create(date=day, department_id=department.pk,
                                       granted_posts=10 + n + months_ago, active=5 + n,
                                       occupied_posts=6, accompaniments=100 * (3 - months_ago),
                                       people=150)
    prefect = make.prefect(region=data["hdf"])
    job = OldExportJob.objects.create(
        requester=User.objects.get(pk=prefect.pk), level="region", territory_code="32",
        status="done", progress=100, finished_at=timezone.now())
    job.file.save(f"{job.pk.hex}/activite-region-32.xlsx", ContentFile(b"PK\x03\x04 xlsx"))
    client.force_login(prefect)
    rows_before, figures_before = _rows(), _figures(client, data)
    assert len(rows_before["dailysnapshot"]) == 6 and len(rows_before["exportjob"]) == 1
    assert figures_before["history"]  # the snapshots are read

    new_models = _migrate()

    assert new_models.get_model("dashboards", "DailySnapshot")._meta.db_table == (
        "advisors_dailysnapshot")
    with pytest.raises(LookupError):
        new_models.get_model("advisors", "ExportJob")
    assert _rows() == rows_before
    assert _figures(client, data) == figures_before
    moved = ExportJob.objects.get()
    download = client.get(reverse("dashboards:export_download", args=[moved.pk]))
    assert b"".join(download.streaming_content) == b"PK\x03\x04 xlsx"
    # Permissions and admin history follow the models: their content types moved too.
    for model in MOVED:
        assert ContentType.objects.filter(app_label="dashboards", model=model).count() == 1
        assert not ContentType.objects.filter(app_label="advisors", model=model).exists()
