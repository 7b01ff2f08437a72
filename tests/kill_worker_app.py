"""The project's Celery app, with reminders slowed down (0.5 s each, inside their
transaction) so that a test can SIGKILL the worker in the middle of a run."""

import time

from celery.signals import task_prerun

from config.celery import app  # noqa: F401  (celery -A tests.kill_worker_app)


@task_prerun.connect
def _slow_reminders(**kwargs):
    import academy.emails

    if getattr(academy.emails.notify, "slowed", False):
        return
    notify = academy.emails.notify

    def slow_notify(*args, **kwargs):
        notify(*args, **kwargs)
        time.sleep(0.5)

    slow_notify.slowed = True
    academy.emails.notify = slow_notify
