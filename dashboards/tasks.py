"""Celery tasks of the dashboards: the daily snapshots and the large exports."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="dashboards.tasks.take_daily_snapshots")
def take_daily_snapshots(on=None):
    """Records today's indicators of every département. Idempotent: a second run the same
    day updates the day's rows (one upsert), never adds rows."""
    import datetime

    from .indicators import SNAPSHOT_FIELDS, snapshot_values
    from .models import DailySnapshot

    day = datetime.date.fromisoformat(on) if isinstance(on, str) else (on or timezone.localdate())
    rows = [DailySnapshot(date=day, **values) for values in snapshot_values(day)]
    DailySnapshot.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["date", "department"],
        update_fields=[*SNAPSHOT_FIELDS, "updated_at"])
    return len(rows)


@shared_task(name="dashboards.tasks.build_export")
def build_export(job_id):
    from .exports import run_export_job

    return run_export_job(job_id)
