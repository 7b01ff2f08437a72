"""``run_scheduler`` runs the periodic jobs of CELERY_BEAT_SCHEDULE with no broker (make run)."""

import time
from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from cms.scheduler import Scheduler
from config.celery import app
from tests import factories as make

pytestmark = pytest.mark.django_db


def test_a_scheduled_page_goes_live_when_the_beat_job_falls_due():
    """The real schedule's minute job publishes a page whose go-live date has passed."""
    start = timezone.now()
    scheduler = Scheduler(app, settings.CELERY_BEAT_SCHEDULE, start=start)
    course = make.course("Formation programmée", publish=False)
    course.go_live_at = timezone.now() + timedelta(seconds=1)
    course.save_revision().publish()
    course.refresh_from_db()
    assert not course.live  # waiting for its date
    time.sleep(1.2)  # its date passes (the job reads the real clock)

    ran, _ = scheduler.tick(start + timedelta(seconds=30))
    # (Jobs every 5 or 15 minutes may fall due here if a quarter-hour passes: not this one.)
    assert "cms-publish-scheduled" not in ran
    course.refresh_from_db()
    assert not course.live

    ran, _ = scheduler.tick(start + timedelta(seconds=61))
    assert "cms-publish-scheduled" in ran
    course.refresh_from_db()
    assert course.live


def test_a_daily_job_runs_at_its_hour_once():
    beat = {"digests": {"task": "advisors.tasks.send_prefect_digests",
                        "schedule": crontab(hour=7, minute=0)}}
    # crontab hours are Paris time: start at 6:59 in Paris.
    start = timezone.localtime().replace(hour=6, minute=59, second=0, microsecond=0)
    scheduler = Scheduler(app, beat, start=start)
    assert scheduler.tick(start + timedelta(seconds=30))[0] == []
    assert scheduler.tick(start + timedelta(minutes=1, seconds=1))[0] == ["digests"]
    assert scheduler.tick(start + timedelta(minutes=2))[0] == []
    assert scheduler.tick(start + timedelta(days=1, minutes=1, seconds=1))[0] == ["digests"]


def test_a_failing_job_does_not_stop_the_others():
    beat = {"broken": {"task": "cms.tasks.publish_scheduled", "schedule": 10.0,
                       "args": ("unexpected",)},
            "outbox": {"task": "accounts.tasks.flush_outbox", "schedule": 10.0}}
    start = timezone.now()
    scheduler = Scheduler(app, beat, start=start)
    assert scheduler.tick(start + timedelta(seconds=11))[0] == ["broken", "outbox"]
