"""``manage.py run_scheduler``: runs the periodic jobs of CELERY_BEAT_SCHEDULE in-process.

Started beside ``runserver`` by ``make run`` (no broker there); see cms/scheduler.py."""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from cms.scheduler import Scheduler


class Command(BaseCommand):
    help = "Runs the periodic jobs of CELERY_BEAT_SCHEDULE when they are due (no broker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--max-sleep", type=float, default=30.0,
                            help="longest wait between two checks, in seconds")

    def handle(self, *args, max_sleep, **options):
        from config.celery import app

        logging.basicConfig(level=logging.INFO, format="[scheduler] %(message)s")
        scheduler = Scheduler(app, settings.CELERY_BEAT_SCHEDULE)
        mode = "in this process" if app.conf.task_always_eager else "sent to the workers"
        self.stdout.write(f"Scheduler: {len(scheduler.entries)} periodic jobs, run {mode}.")
        try:
            while True:
                # Like a request: a connection the database dropped is replaced, not reused.
                close_old_connections()
                _, wait = scheduler.tick()
                close_old_connections()
                time.sleep(min(wait, max_sleep))
        except KeyboardInterrupt:
            pass
