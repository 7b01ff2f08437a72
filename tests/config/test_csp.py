"""Content-Security-Policy (django-csp, nonces) and the other security headers, on the pages
people use. Each page's HTML is parsed: a script without the response's nonce, an inline
style (attribute or <style> without nonce), an event-handler attribute or a javascript: URL
fails the test, as the browser would refuse them."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from dashboards.models import ExportJob
from tests import factories as make
from tests.advisors import factories as advisors

pytestmark = pytest.mark.django_db

DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class PageAudit(HTMLParser):
    """Collects what a strict CSP would block in a page."""

    def __init__(self, nonce):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems = []
        self.scripts = 0
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs.items())}>"
        if "style" in attrs:
            self.problems.append(f"style attribute: {where}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"event handler attribute: {where}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL: {where}")
        if tag == "script":
            self.scripts += 1
            if (attrs.get("type") or "").lower() not in DATA_SCRIPT_TYPES and attrs.get(
                "nonce"
            ) != self.nonce:
                self.problems.append(f"script without the response's nonce: {where}")
        if tag == "style" and attrs.get("nonce") != self.nonce:
            self.problems.append(f"style element without the response's nonce: {where}")


def policy(response):
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in (part.strip() for part in header.split(";"))
        if directive
    }


def audit(response):
    """Asserts the page's CSP is the strict one with a nonce, and the page obeys it."""
    assert response.status_code == 200, response.status_code
    csp = policy(response)
    nonces = [s for s in csp["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1, csp["script-src"]
    nonce = nonces[0][len("'nonce-"):-1]
    assert csp["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert csp["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"][0] == "'self'"
    assert csp["connect-src"] == ["'self'"]
    page = PageAudit(nonce)
    page.feed(response.content.decode())
    assert page.problems == []
    assert page.scripts >= 2  # the DSFR's module and nomodule scripts at least
    return csp


@pytest.fixture
def site(db):
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude, beauvais.postal_codes = 49.43, 2.08, ["60000"]
    beauvais.save()
    course = make.course(title="Budget communal")
    make.session(course, commune=beauvais)
    structure = advisors.validated_structure(beauvais, posts=2)
    advisors.service_point(structure, name="Médiathèque", latitude=49.435, longitude=2.085)
    advisor = advisors.advisor()
    advisors.contract(structure, advisor)
    advisors.activity_report(advisor, beauvais, structure)  # the dashboards draw bars
    return {"course": course, "communes": communes, "structure": structure}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


PUBLIC_PAGES = ["/", "/formations/", "/conseillers/", "/conseillers/?q=Beauvais",
                "/comptes/login/", "/comptes/signup/", "/comptes/password/reset/",
                "/recherche/?q=budget"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_a_strict_nonce_policy_and_obey_it(site, path):
    audit(Client().get(path))


def test_the_api_docs_run_swagger_from_our_static_files_only(site):
    """Ninja's Swagger page has no inline code: scripts come from /static/ ('self'), its
    settings from a JSON block; so it needs no nonce."""
    response = Client().get("/api/v1/docs")
    csp = policy(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert csp["script-src"] == ["'self'"]
    page = PageAudit(nonce=None)
    page.feed(response.content.decode())
    assert all("without the response's nonce" in p and "src=" in p for p in page.problems)


def test_a_course_page(site):
    audit(Client().get(site["course"].url))


def test_the_directory_map_tiles_host_is_the_only_other_image_source(site, settings):
    settings.DIRECTORY_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    csp = audit(Client().get("/conseillers/?q=Beauvais"))
    assert csp["img-src"] == ["'self'", "data:", "https://*.tiles.example.org"]


def test_without_a_tile_server_images_come_from_the_site_only(site, settings):
    settings.DIRECTORY_TILE_URL = ""
    assert audit(Client().get("/conseillers/"))["img-src"] == ["'self'", "data:"]


def test_a_dashboard_and_an_export_page(site):
    admin = advisors.admin()
    client = signed_in(admin)
    response = client.get("/tableau-de-bord/national/")
    audit(response)
    assert 'class="dashboard-bar__fill"' in response.text  # bars drawn, without style=
    job = ExportJob.objects.create(requester=admin, level="national", progress=40,
                                   status=ExportJob.Status.RUNNING)
    audit(client.get(f"/tableau-de-bord/exports/{job.pk}/"))


def test_the_elected_officials_profile_and_a_structure_form(site):
    client = signed_in(advisors.user())
    audit(client.get("/espace/profil-elu/"))
    audit(client.get("/espace/"))
    audit(client.get("/conseillers-numeriques/candidater/"))


def test_each_request_gets_its_own_nonce(site):
    first, second = (policy(Client().get("/formations/"))["script-src"][1] for _ in range(2))
    assert first != second


def test_the_error_pages_too(site):
    audit_404 = Client().get("/pas-de-page-ici/")
    assert audit_404.status_code == 404
    assert "'unsafe-inline'" not in audit_404["Content-Security-Policy"]


def test_the_audit_catches_what_the_browser_would_block():
    """The checker itself: each forbidden construct is reported."""
    for html in ['<div style="color:red"></div>', "<script>alert(1)</script>",
                 '<script nonce="other">x()</script>', "<style>p{}</style>",
                 '<a href="javascript:alert(1)">x</a>', '<button onclick="x()">x</button>']:
        page = PageAudit("abc")
        page.feed(html)
        assert page.problems, html
    page = PageAudit("abc")
    page.feed('<script nonce="abc" src="/static/x.js"></script>'
              '<script type="application/json" id="d">{}</script>')
    assert page.problems == []


def test_the_admin_has_its_own_policy_still_closed_to_other_sites(site):
    from tests import factories

    client = signed_in(factories.staff_user(__import__("accounts.roles").roles.Role.ANCT_ADMIN))
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["frame-ancestors"] == ["'self'"]  # Wagtail frames its own previews
    assert csp["object-src"] == ["'none'"] and csp["default-src"] == ["'self'"]
    assert not any(s.startswith("'nonce-") for s in csp["script-src"])


# --- the other headers ---------------------------------------------------------------------
def test_security_headers_on_every_page(site):
    response = Client().get("/formations/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = dict(
        re.match(r"([\w-]+)=\((.*)\)", item.strip()).groups()
        for item in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert permissions[feature] == "", feature
    assert permissions["fullscreen"].startswith("self")
