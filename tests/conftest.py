import os

import pytest

# One Chromium for the whole run (journeys and crawl share it).
pytest_plugins = ["tests.browser.fixtures"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def eager_celery(settings):
    """Run tasks in-process unless a test asks for the real worker."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def _private_files_in_a_temporary_directory(tmp_path_factory):
    """Private files (dashboard exports) written by tests stay out of the project."""
    from django.test import override_settings

    with override_settings(PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private")):
        yield


@pytest.fixture(autouse=True)
def _locmem_cache_isolated(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    from core.cache_versions import forget_local_versions

    cache.clear()
    forget_local_versions()


@pytest.fixture
def worker_database_url():
    """The test database as another process opens it. A worker cannot open SQLite's
    in-memory test database, so worker tests skip there; CI runs them on PostgreSQL."""
    from tests.celery_worker import test_database_url

    database_url = test_database_url()
    if database_url is None:
        pytest.skip("a worker process cannot open SQLite's in-memory test database")
    return database_url


@pytest.fixture
def celery_worker(tmp_path, worker_database_url):
    """A real worker on the real Redis broker, consuming a queue of its own and reading the
    test database; this process publishes to that queue instead of running tasks eagerly.
    Use with ``django_db(transaction=True)`` so that the worker sees the data."""
    from tests.celery_worker import CeleryWorker, publishing_to

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = CeleryWorker(mail_dir, worker_database_url)
    with publishing_to(worker.broker, worker.queue):
        worker.start()
        try:
            yield worker
        finally:
            worker.stop()
