"""Browser journeys. The ``browser``, ``page`` and ``screenshot`` fixtures live in
``tests/browser/fixtures.py``, registered once for the whole suite by ``tests/conftest.py``:
one Chromium per run, whichever package (journeys, crawl) asks first."""

import pytest


@pytest.fixture(autouse=True)
def migration_data(request):
    """Browser tests use real transactions: an earlier one may have flushed what migrations
    write (the page tree, the role groups, the default questionnaires). Put back here, once
    for every journey, rather than by each test that needs one of them."""
    if "django_db_setup" in request.fixturenames or request.node.get_closest_marker("django_db"):
        from importlib import import_module

        from django.apps import apps
        from django.contrib.auth.models import Group

        from accounts.roles import Role
        from tests.factories import ensure_site

        request.getfixturevalue("_django_db_helper")
        ensure_site()
        for role in Role:
            Group.objects.get_or_create(name=role)
        import_module("academy.migrations.0011_surveys").create_default_sets(apps, None)


@pytest.fixture(autouse=True)
def journey_end_screenshots(request, monkeypatch):
    """Every browser test leaves the page where its journey ends, at 1280 px and 375 px
    (label ``end``; ``end-2``… for a test's further browser contexts), taken when the test
    closes the page's context or, if it does not, after it. Journeys may take more with
    the ``screenshot`` fixture."""
    if "browser" not in request.fixturenames:
        yield
        return
    from playwright.sync_api import Browser, BrowserContext

    take = request.getfixturevalue("screenshot")
    contexts, shot = [], set()
    new_context, close = Browser.new_context, BrowserContext.close

    def shoot(context):
        if id(context) in shot:
            return
        shot.add(id(context))
        pages = [p for p in context.pages if not p.is_closed() and p.url != "about:blank"]
        if pages:
            label = "end" if len(shot) == 1 else f"end-{len(shot)}"
            try:
                take(pages[-1], label)
            except Exception as error:  # noqa: BLE001 (a picture never fails a journey)
                print(f"screenshot of {pages[-1].url} not taken: {error}")

    def tracked_new_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        contexts.append(context)
        return context

    def closing(self, *args, **kwargs):
        shoot(self)
        return close(self, *args, **kwargs)

    monkeypatch.setattr(Browser, "new_context", tracked_new_context)
    monkeypatch.setattr(BrowserContext, "close", closing)
    yield
    for context in contexts:
        if id(context) not in shot:
            try:
                shoot(context)
            except Exception:  # noqa: BLE001 (context already gone with its browser)
                pass
