"""The site as deployed: static files collected through the manifest storage and served by
WhiteNoise under gunicorn with ``DJANGO_ENV=production``, read in Chromium.

The manifest storage rewrites the style sheets (their ``url()`` references) and the scripts
(their source map comment); django-dsfr's ``integrity`` attributes carried the digests of its
package's files, so Chromium refused ``dsfr.min.css`` and ``utility.min.css`` and every page
was plain black on white. No test loaded a page with production static files until these.
"""

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from . import production
from .conftest import database_url_for_another_process
from .crawler import Crawl
from .test_crawl import demo_urls, report

pytestmark = pytest.mark.django_db
DSFR_FILES = ("dsfr-site.css", "dsfr-utility.css", "dsfr.module.min.js")


@pytest.fixture(scope="package")
def collected_static(demo_data):
    """The static files as ``collectstatic`` writes them for production (kept between runs
    while the sources do not change)."""
    env = production.production_env("sqlite:///unused")
    production.collect_static(env)
    return production.STATIC_ROOT


@pytest.fixture(scope="package")
def production_site(collected_static, demo_data, demo_media, django_db_blocker,
                    tmp_path_factory):
    """gunicorn with production settings, on the demo database; yields its base URL."""
    with django_db_blocker.unblock():
        database_url = database_url_for_another_process(tmp_path_factory.mktemp("crawl-db"))
    with production.gunicorn(production.production_env(database_url)) as url:
        yield url
    with django_db_blocker.unblock():
        production.wait_for_other_sessions_to_end()


def sri(path):
    return "sha384-" + base64.b64encode(hashlib.sha384(Path(path).read_bytes()).digest()).decode()


def test_dsfr_files_carry_the_digest_of_the_files_production_serves(collected_static, settings,
                                                                    demo_db):
    settings.STATIC_ROOT = str(collected_static)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    html = Client(raise_request_exception=False).get("/").content.decode()
    checked = []
    for tag in re.findall(r'<(?:link|script)\b[^>]*\bintegrity="[^"]*"[^>]*>', html):
        url = re.search(r'\b(?:href|src)="([^"]+)"', tag).group(1)
        integrity = re.search(r'\bintegrity="([^"]+)"', tag).group(1)
        name = urlsplit(url).path.removeprefix(settings.STATIC_URL)
        served = Path(collected_static) / name
        assert served.exists(), f"{url} is not among the collected files"
        assert integrity == sri(served), f"{url}: integrity {integrity} is not the served file's"
        checked.append(Path(name).name)
    # dsfr-site.<12 hex digits>.css is dsfr-site.css as collected.
    originals = {re.sub(r"\.[0-9a-f]{12}(?=\.\w+$)", "", name) for name in checked}
    assert set(DSFR_FILES) <= originals, checked


class BrowserLog:
    """Everything Chromium reports that a visitor would suffer from: console errors (CSP
    violations and refused integrity among them), script errors, failed requests and
    answers of 400 and above."""

    def __init__(self, page):
        self.entries = []
        self.where = "?"
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.add(f"script error: {error}"))
        page.on("requestfailed", self.request_failed)
        page.on("response", self.response)

    def request_failed(self, request):
        # ERR_ABORTED: a late request (favicon, lazy image) cut short by the next navigation.
        if request.failure != "net::ERR_ABORTED":
            self.add(f"request failed: {request.url} ({request.failure})")

    def add(self, text):
        self.entries.append(f"{self.where}: {text}")

    def console(self, message):
        if message.type == "error":
            self.add(f"console: {message.text}")

    def response(self, response):
        if response.status >= 400:
            self.add(f"{response.status} for {response.url}")


def production_page(browser, width=1280):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900},
                                  extra_http_headers=production.FORWARDED)
    page = context.new_page()
    page.set_default_timeout(45_000)
    return context, page


def anonymous_crawl(base_url):
    """The anonymous crawl (menus and links, then every URL pattern with a demo object),
    run against the production server itself: its answers and texts are checked as in
    test_crawl, and its HTML pages are the ones opened in Chromium. (Rendering them in this
    process instead would hold, in the test's transaction, the image renditions gunicorn
    then waits for.)"""
    crawl = Crawl(production.http_client(base_url), limit=150, outside=("/admin/",))
    crawl.run(["/"])
    for name, url in demo_urls().items():
        if url not in crawl.visits:
            crawl.visit(url, source=f"(pattern {name})")
    return list(crawl.visits.values())


@pytest.mark.browser
def test_anonymous_pages_load_cleanly_in_chromium_under_production_settings(
        production_site, browser, demo_db):
    visits = anonymous_crawl(production_site)
    problems = report("anonymous, production", visits)
    urls = [visit.url for visit in visits
            if visit.status == 200 and visit.content_type.startswith("text/html")]
    assert len(urls) > 20, urls
    context, page = production_page(browser)
    log = BrowserLog(page)
    try:
        for url in urls:
            log.where = url
            page.goto(production_site + url, wait_until="load")
        log.where = "/"
        page.goto(production_site + "/", wait_until="load")
        # The DSFR style sheet applied: Marianne, and its grid's container width.
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        container_width = page.evaluate(
            "getComputedStyle(document.querySelector('.fr-container')).maxWidth")
    finally:
        context.close()
    assert not problems + log.entries, "\n" + "\n".join(problems + log.entries)
    assert "Marianne" in font, font
    assert container_width != "none", "the DSFR grid has no style"


@pytest.mark.browser
def test_a_visitor_reads_a_course_with_the_site_styled_under_production_settings(
        production_site, browser, screenshot, demo_db):
    context, page = production_page(browser)
    log = BrowserLog(page)
    try:
        log.where = "/"
        page.goto(production_site + "/")
        screenshot(page, "production-home")
        page.get_by_role("link", name="Formations", exact=True).first.click()
        log.where = page.url
        page.wait_for_url(re.compile(r"/formations/$"))
        assert page.get_by_role("heading", name="Formations", level=1).is_visible()
        screenshot(page, "production-catalogue")
        # A course card's title (the breadcrumb's current page is also a link to /formations/).
        page.locator("main .fr-card__title a[href^='/formations/']").first.click()
        page.wait_for_url(re.compile(r"/formations/[\w-]+/$"))
        log.where = page.url
        assert page.get_by_role("heading", level=1).is_visible()
        screenshot(page, "production-course")
        assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    finally:
        context.close()
    assert not log.entries, "\n" + "\n".join(log.entries)
