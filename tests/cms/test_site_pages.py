"""Pages every State site has: an HTML site map and the legal notice, linked from the footer."""

import re

import pytest
from django.test import override_settings

from cms.models import NewsIndexPage, NewsPage
from tests import factories as make

pytestmark = pytest.mark.django_db


def footer_links(html):
    footer = html[html.index('<footer'):]
    return dict((label, href) for href, label in re.findall(
        r'<a class="fr-footer__bottom-link" href="([^"]+)">([^<]+)</a>', footer))


def test_footer_links_to_the_html_site_map_and_the_legal_notice(client):
    links = footer_links(client.get("/").content.decode())
    assert links["Plan du site"] == "/plan-du-site/"
    assert links["Mentions légales"] == "/mentions-legales/"


def test_site_map_lists_published_pages_nested_and_the_other_sections(client):
    course = make.course("Gérer une crise sur son territoire")
    make.course("Formation en préparation", publish=False)
    news_index = make.home().add_child(instance=NewsIndexPage(title="Actualités",
                                                              slug="actualites"))
    news_index.add_child(instance=NewsPage(title="Une actualité parmi d'autres",
                                           slug="une", summary="Résumé"))
    response = client.get("/plan-du-site/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Plan du site</h1>" in html
    assert f'<a href="{course.url}">Gérer une crise sur son territoire</a>' in html
    # The course sits in the list under its catalogue.
    catalogue = html.index('<a href="/formations/">Formations</a>')
    assert html.index("Gérer une crise") > catalogue
    assert "<ul>" in html[catalogue:html.index("Gérer une crise")]
    assert "Formation en préparation" not in html
    assert "Une actualité parmi d'autres" not in html  # reached from the news index
    for label, url in [("Mentions légales", "/mentions-legales/"),
                       ("Accessibilité : non conforme", "/accessibilite/"),
                       ("Données personnelles", "/donnees-personnelles/"),
                       ("Annuaire des conseillers numériques", "/conseillers/"),
                       ("Mon espace", "/espace/")]:
        assert f'<a href="{url}">{label}</a>' in html


def test_legal_notice_names_the_publisher_the_director_and_the_host(client):
    with override_settings(HOSTING_PROVIDER="Hébergeur Exemple SAS\n1 rue de l'Exemple, Lille"):
        html = client.get("/mentions-legales/").content.decode()
    assert "<h1>Mentions légales</h1>" in html
    assert "Agence nationale de la cohésion des territoires" in html
    assert "Directeur de la publication" in html
    assert "Hébergeur Exemple SAS<br>1 rue de l&#x27;Exemple, Lille" in html
    assert "etalab-2.0" in html
