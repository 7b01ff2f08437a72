"""The dashboards' Celery tasks carry the dashboards' names, and the beat schedule names
only tasks the worker knows (a renamed task would otherwise be silently never run)."""

from django.conf import settings

from config.celery import app


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()  # what a worker imports at start
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)
    assert "dashboards.tasks.take_daily_snapshots" in scheduled
    assert "advisors.tasks.rebuild_activity_rollups" in scheduled


def test_the_dashboards_tasks_have_their_own_names():
    app.loader.import_default_modules()
    names = {name for name in app.tasks if "dashboard" in name or "snapshot" in name}
    assert names == {"dashboards.tasks.take_daily_snapshots", "dashboards.tasks.build_export"}
