"""What search engines and Lighthouse read on every page: a description (the Wagtail page's
own, else its summary or introduction, else the site's), a breadcrumb whose current page is
a real link (aria-current), and a robots.txt that blocks sign-in pages, not "Mon espace"
(signed-in only: a crawler is redirected to the sign-in page, itself blocked)."""

import re

import pytest

from tests import factories as make

pytestmark = pytest.mark.django_db


def description(response):
    found = re.findall(r'<meta name="description" content="([^"]*)">',
                       response.content.decode())
    assert len(found) == 1, found
    return found[0]


def test_a_course_page_is_described_by_its_summary_and_its_breadcrumb_links_itself(client):
    course = make.course("Piloter la transition", summary="Construire une stratégie locale.")
    response = client.get(course.url)
    assert description(response) == "Construire une stratégie locale."
    assert (f'<a class="fr-breadcrumb__link" href="{course.url}" aria-current="page">'
            in response.content.decode())


def test_the_search_description_comes_first(client):
    course = make.course("Budget", summary="Résumé.", search_description="Pour les moteurs.")
    assert description(client.get(course.url)) == "Pour les moteurs."


def test_pages_outside_wagtail_get_the_site_description(client):
    text = description(client.get("/recherche/"))
    assert text.startswith("Agence nationale de la cohésion des territoires : formations")


def test_robots_txt_blocks_sign_in_pages_not_my_space(client):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /comptes/" in body
    assert "/espace/" not in body
    response = client.get("/espace/")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/")
