"""A small in-process stand-in for ``celery beat``, for machines without a broker.

``make run`` has no Redis: tasks run eagerly, and nothing would run the periodic jobs of
``CELERY_BEAT_SCHEDULE`` (reminders, surveys, scheduled publishing, digests, purges).
``manage.py run_scheduler`` reads that same schedule and runs each job when it is due, in
its own process, with the due-time rules of Celery's own schedules (intervals and crontabs).
With a broker configured it only sends the due jobs to the workers, as beat would.

Like beat without its schedule file, it remembers the last run in memory only: a job is
first due one interval (or at the first crontab time) after the scheduler starts."""

import copy
import logging
from dataclasses import dataclass, field
from datetime import datetime

from celery.schedules import maybe_schedule
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass
class Entry:
    name: str
    task: str
    schedule: object
    last_run_at: datetime
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)


class Scheduler:
    """Runs the due entries of a beat schedule each time ``tick(now)`` is called."""

    def __init__(self, app, beat_schedule, start=None):
        self.app = app
        app.loader.import_default_modules()  # every app's tasks.py, as a worker would
        self.now = start or timezone.now()
        self.entries = []
        for name, spec in beat_schedule.items():
            schedule = copy.copy(maybe_schedule(spec["schedule"], app=app))
            # Celery asks its schedules for the time through nowfun: the scheduler's clock.
            schedule.nowfun = lambda: self.now
            self.entries.append(Entry(
                name=name, task=spec["task"], schedule=schedule, last_run_at=self.now,
                args=tuple(spec.get("args", ())), kwargs=dict(spec.get("kwargs", {})),
                options=dict(spec.get("options", {})),
            ))

    def tick(self, now=None):
        """Runs every entry due at ``now``; returns their names and the seconds until the
        next check."""
        self.now = now or timezone.now()
        ran, next_check = [], 60.0
        for entry in self.entries:
            due, seconds = entry.schedule.is_due(entry.last_run_at)
            if due:
                entry.last_run_at = self.now
                self.run(entry)
                ran.append(entry.name)
            next_check = min(next_check, seconds)
        return ran, max(next_check, 1.0)

    def run(self, entry):
        task = self.app.tasks[entry.task]
        try:
            if self.app.conf.task_always_eager:
                task.apply(entry.args, entry.kwargs, **entry.options)
            else:
                task.apply_async(entry.args, entry.kwargs, **entry.options)
        except Exception:  # one failing job must not stop the others
            logger.exception("Periodic job %s (%s) failed", entry.name, entry.task)
        else:
            logger.info("Periodic job %s (%s) done", entry.name, entry.task)
