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


@pytest.fixture(autouse=True)
def site_tree(request):
    """Browser tests use real transactions; an earlier one may have flushed the page tree."""
    if "django_db_setup" in request.fixturenames or request.node.get_closest_marker("django_db"):
        from tests.factories import ensure_site

        request.getfixturevalue("_django_db_helper")
        ensure_site()


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
