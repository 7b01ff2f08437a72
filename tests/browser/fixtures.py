"""The one Chromium of a test run and its helpers, registered as a plugin by
``tests/conftest.py`` so that every package shares it. Playwright's sync API allows one
instance per thread: a second session-scoped copy of this fixture (one per conftest that
imported it) failed every later browser test with "Sync API inside the asyncio loop"."""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT_WIDTHS = (1280, 375)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """``screenshot(page, "label")`` writes the page, full length, at 1280 px and at 375 px
    wide to ``<SCREENSHOT_DIR>/<test-name>-<label>-<width>.png`` (default
    ``test-artifacts/screenshots``, kept by CI) and returns the paths. The page's viewport is
    put back afterwards, so a journey can go on."""
    folder = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    def take(page, label):
        label = re.sub(r"[^\w.-]+", "-", label).strip("-")
        previous = page.viewport_size
        paths = []
        try:
            for width in SCREENSHOT_WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                # Let the layout settle at the new width (media queries, sticky header).
                page.wait_for_timeout(150)
                path = folder / f"{test_name}-{label}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
                paths.append(path)
        finally:
            if previous:
                page.set_viewport_size(previous)
        return paths

    return take


def signed_in_page(browser, live_server, user, **options):
    """A new browser context signed in as ``user`` (the session cookie of Django's test
    client) and its page, French by default: ``context, page = signed_in_page(browser,
    live_server, user, viewport=PHONE)``."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    options.setdefault("locale", "fr-FR")
    context = browser.new_context(**options)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page
