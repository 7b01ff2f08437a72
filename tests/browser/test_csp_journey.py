"""The Content-Security-Policy in a real browser: Chromium enforces the headers, and on each
main page nothing is refused (every refusal is a console error) while the scripts moved to
static files still do their job."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from accounts.roles import Role
from tests import factories as site
from tests.advisors import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


def visit(context, url):
    """Opens ``url``; returns the page and the list of CSP refusals it logged."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    refusals = []
    page.on("console", lambda message: refusals.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, refusals


def test_main_pages_run_under_the_policy_without_a_single_refusal(live_server, browser):
    for role in Role:  # an earlier transactional test may have flushed the role groups
        Group.objects.get_or_create(name=role)
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude, beauvais.postal_codes = 49.43, 2.08, ["60000"]
    beauvais.save()
    course = site.course(title="Budget communal")
    site.session(course, commune=beauvais)
    structure = make.validated_structure(beauvais, posts=2)
    make.service_point(structure, name="Médiathèque", latitude=49.435, longitude=2.085)
    advisor = make.advisor()
    make.contract(structure, advisor)
    make.activity_report(advisor, beauvais, structure)
    base = live_server.url

    visitor = browser.new_context(locale="fr-FR")
    for path in ("/", "/formations/", course.url, "/comptes/login/"):
        page, refusals = visit(visitor, base + path)
        assert refusals == [], path
        # The DSFR's script (with the nonce) ran: it marks the document.
        assert page.evaluate("document.documentElement.hasAttribute('data-fr-js')"), path
    page, refusals = visit(visitor, base + "/conseillers/?q=Beauvais")
    assert refusals == []
    page.wait_for_selector("#directory-map .leaflet-marker-icon")  # Leaflet's map works
    visitor.close()

    office = browser.new_context(locale="fr-FR")
    sign_in(office, live_server, make.admin())
    page, refusals = visit(office, base + "/tableau-de-bord/national/")
    assert refusals == []
    # The SVG bars replaced the inline widths: the longest fills its track.
    tracks = [box["width"] for box in
              (t.bounding_box() for t in page.locator(".dashboard-bar__track").all())]
    fills = [box["width"] for box in
             (f.bounding_box() for f in page.locator(".dashboard-bar__fill").all())]
    assert tracks and min(tracks) > 100
    assert max(fills) == pytest.approx(max(tracks), abs=1)
    office.close()

    desk = browser.new_context(locale="fr-FR")
    sign_in(desk, live_server, make.user())
    for path, field in (("/espace/profil-elu/", "[data-authority-input]"),
                        ("/conseillers-numeriques/candidater/", "[data-commune-input]")):
        page, refusals = visit(desk, base + path)
        assert refusals == [], path
        # The suggestions script (now a static file) attached its <datalist>.
        assert page.locator(field).first.get_attribute("list"), path
    desk.close()


def test_the_wagtail_admin_works_under_its_own_policy(live_server, browser):
    """The admin's relaxed policy ('unsafe-inline' for scripts and styles, nothing else) is
    enough for Wagtail: its editor, listings, choosers' pages and our import page log no
    refusal."""
    for role in Role:
        Group.objects.get_or_create(name=role)
    home = site.home()
    staff = site.staff_user(Role.ANCT_ADMIN)
    staff.is_superuser = True
    staff.save()
    context = browser.new_context(locale="fr-FR")
    sign_in(context, live_server, staff)
    for path in ("/admin/", f"/admin/pages/{home.pk}/edit/", f"/admin/pages/{home.pk}/",
                 "/admin/images/", "/admin/images/add/", "/admin/documents/add/",
                 "/admin/advisors_import/", "/admin/users/"):
        page, refusals = visit(context, live_server.url + path)
        assert refusals == [], (path, refusals)
        assert page.locator("main, #main").count() >= 1, path
    context.close()
