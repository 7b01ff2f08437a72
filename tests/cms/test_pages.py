"""Site pages: where each type may live, how blocks render, navigation, RSS, sitemap, search."""

from datetime import timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from wagtail.models import Page, Site

from academy.models import CatalogPage, CoursePage
from cms.models import (
    ContentPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProgrammePage,
    SiteNavigation,
)
from tests import factories as make

pytestmark = pytest.mark.django_db


def add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def news_index():
    return add(make.home(), NewsIndexPage(title="Actualités", slug="actualites"))


def news(index, title, days_ago=0, publish=True):
    page = NewsPage(title=title, slug=title.lower().replace(" ", "-"),
                    summary=f"À propos de {title}.",
                    date=timezone.localdate() - timedelta(days=days_ago))
    index.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        page.unpublish()
    return page


@pytest.mark.parametrize("parent, child, allowed", [
    (HomePage, NewsIndexPage, True),
    (HomePage, CatalogPage, True),
    (HomePage, ProgrammePage, True),
    (HomePage, ContentPage, True),
    (HomePage, NewsPage, False),
    (HomePage, CoursePage, False),
    (NewsIndexPage, NewsPage, True),
    (NewsIndexPage, ContentPage, False),
    (CatalogPage, CoursePage, True),
    (CatalogPage, NewsPage, False),
    (CoursePage, ContentPage, False),
    (ProgrammePage, ContentPage, True),
    (ProgrammePage, ProgrammePage, False),
    (ContentPage, ContentPage, True),
    (NewsPage, NewsPage, False),
])
def test_page_types_can_only_be_created_where_they_belong(parent, child, allowed):
    assert child.can_create_at(parent()) is allowed or (
        allowed and child.max_count == 1
    )
    assert (child in parent.allowed_subpage_models()) is allowed


def test_home_catalogue_and_news_index_are_unique(news_index):
    make.catalog()
    home = make.home()
    assert not NewsIndexPage.can_create_at(home)
    assert not CatalogPage.can_create_at(home)
    assert not HomePage.can_create_at(Page.get_first_root_node())


def test_every_content_block_renders_with_dsfr_markup(client):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Mairie", file=get_test_image_file())
    document = Document.objects.create(title="Programme détaillé",
                                       file=ContentFile(b"%PDF-1.4 test", name="programme.pdf"))
    target = add(make.home(), ContentPage(title="Cible", slug="cible"))
    body = [
        ("text", "<h2>Former les élus</h2><p>Un paragraphe.</p>"),
        ("image", {"image": image.pk, "alt": "La mairie de Beauvais", "decorative": False,
                   "caption": "La mairie"}),
        ("callout", {"title": "Bon à savoir", "text": "Formations gratuites.", "link": "",
                     "link_label": ""}),
        ("highlight", {"text": "Inscriptions ouvertes jusqu'au 15 mars."}),
        ("quote", {"text": "Je veux un État facilitateur.", "author": "Le Président",
                   "source": "Conférence nationale des territoires"}),
        ("accordions", {"items": [{"title": "Qui peut s'inscrire ?",
                                   "body": "<p>Tout élu local.</p>"}]}),
        ("cards", {"cards": [{"page": target.pk, "title": "", "text": "Voir la page",
                              "image": None}]}),
        ("tiles", {"tiles": [{"title": "Conseillers numériques", "text": "Trouver",
                              "page": target.pk, "url": ""}]}),
        ("video", {"title": "Présentation", "url": "https://www.dailymotion.com/embed/video/x1",
                   "transcript": "Bonjour et bienvenue."}),
        ("document", {"document": document.pk, "title": ""}),
        ("table", {"caption": "Calendrier", "table": {
            "first_row_is_table_header": True, "first_col_is_header": False,
            "data": [["Étape", "Date"], ["Ouverture", "1er mars"]]}}),
    ]
    page = add(make.home(), ContentPage(
        title="Tous les blocs", slug="tous-les-blocs",
        body=[{"type": kind, "value": value} for kind, value in body],
    ))
    html = client.get(page.url).content.decode()
    for marker in [
        "Former les élus", 'alt="La mairie de Beauvais"', "fr-callout", "fr-highlight",
        "fr-quote", "fr-accordion", "fr-card", "fr-tile", "Bonjour et bienvenue.",
        "Programme détaillé", "fr-table", "Calendrier", "<figcaption",
    ]:
        assert marker in html, marker


def test_decorative_image_has_empty_alt_and_alt_is_required_otherwise():
    from wagtail.blocks import StructBlockValidationError
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from cms.blocks import ImageBlock

    image = Image.objects.create(title="Décor", file=get_test_image_file())
    block = ImageBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"image": image.pk, "alt": "", "decorative": False}))
    assert "texte alternatif" in str(error.value.block_errors["alt"])

    decorative = block.clean(block.to_python({"image": image.pk, "alt": "",
                                              "decorative": True}))
    assert 'alt=""' in block.render(decorative)


def test_every_block_has_an_admin_preview(client):
    from accounts.roles import Role

    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    for name, block in ContentPage.body.field.stream_block.child_blocks.items():
        assert block.is_previewable, name
        response = client.get(f"/admin/block-preview/?id={block.definition_prefix}")
        assert response.status_code == 200, name
        assert "dsfr" in response.content.decode(), name  # previewed with the DSFR styles


def test_header_and_footer_links_come_from_the_admin_settings(client, news_index):
    navigation = SiteNavigation.for_site(Site.objects.get(is_default_site=True))
    navigation.header_links = [
        {"type": "link", "value": {"label": "Toutes nos actualités", "page": news_index.pk,
                                   "url": ""}},
    ]
    navigation.footer_links = [
        {"type": "link", "value": {"label": "Espace presse", "page": None,
                                   "url": "/espace-presse/"}},
    ]
    navigation.save()
    html = client.get("/actualites/").content.decode()
    assert '<a class="fr-nav__link" href="/actualites/" aria-current="page">' \
           "Toutes nos actualités</a>" in html
    assert 'href="/espace-presse/">Espace presse</a>' in html


def test_an_edited_menu_shows_at_once_on_pages_that_read_it_from_the_cache(client, news_index):
    navigation = SiteNavigation.for_site(Site.objects.get(is_default_site=True))
    navigation.footer_links = [{"type": "link", "value": {"label": "Espace presse",
                                                          "page": None, "url": "/presse/"}}]
    navigation.save()
    assert "Espace presse</a>" in client.get("/conseillers/").content.decode()
    navigation.footer_links = [{"type": "link", "value": {"label": "Foire aux questions",
                                                          "page": None, "url": "/faq/"}}]
    navigation.save()
    html = client.get("/conseillers/").content.decode()
    assert "Foire aux questions</a>" in html and "Espace presse" not in html
    news_index.unpublish()  # a menu entry for an unpublished page disappears
    navigation.header_links = [{"type": "link", "value": {"label": "Toutes nos actualités",
                                                          "page": news_index.pk, "url": ""}}]
    navigation.save()
    assert "Toutes nos actualités" not in client.get("/conseillers/").content.decode()


def test_news_index_lists_published_news_newest_first_and_paginates(client, news_index):
    for n in range(12):
        news(news_index, f"Nouvelle {n:02d}", days_ago=n)
    news(news_index, "Brouillon", publish=False)
    response = client.get("/actualites/")
    titles = [p.title for p in response.context["news_page"]]
    assert titles[0] == "Nouvelle 00" and len(titles) == 10
    assert "Brouillon" not in response.content.decode()
    assert len(client.get("/actualites/?page=2").context["news_page"]) == 2


def test_rss_feed_is_valid_rss_with_published_news_only(client, news_index):
    news(news_index, "Ouverture des inscriptions", days_ago=1)
    news(news_index, "Brouillon secret", publish=False)
    response = client.get("/actualites/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title").startswith("Actualités")
    assert channel.findtext("language") == "fr"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Ouverture des inscriptions"]
    assert items[0].findtext("link").startswith("http://")
    assert parsedate_to_datetime(items[0].findtext("pubDate")).tzinfo is not None
    assert "/actualites/rss/" in client.get("/actualites/").content.decode()


def test_sitemap_lists_published_pages_only(client, news_index):
    news(news_index, "Publiee")
    news(news_index, "Pas publiee", publish=False)
    body = client.get("/sitemap.xml").content.decode()
    assert "/actualites/publiee/" in body
    assert "pas-publiee" not in body


def test_search_finds_a_course_by_a_word_of_its_objectives(client):
    make.course("Gérer une crise sur son territoire",
                objectives="<ul><li>Actualiser son plan communal de sauvegarde</li></ul>")
    make.course("Formation non publiée",
                objectives="<ul><li>Plan communal de sauvegarde</li></ul>", publish=False)
    response = client.get("/recherche/?q=sauvegarde")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gérer une crise sur son territoire" in html
    assert "Formation non publiée" not in html
    assert "1 résultat pour « sauvegarde »" in html


def test_search_finds_news_and_says_when_nothing_matches(client, news_index):
    news(news_index, "Conseillers numériques dans la Creuse")
    assert "Conseillers numériques dans la Creuse" in client.get(
        "/recherche/?q=Creuse").content.decode()
    html = client.get("/recherche/?q=zzzintrouvable").content.decode()
    assert "Aucun résultat pour « zzzintrouvable »" in html


def test_programme_page_lists_its_courses(client):
    programme = add(make.home(), ProgrammePage(
        title="Académie des territoires", slug="academie", intro="Former les élus."))
    make.course("Construire le budget communal", programme_page=programme)
    html = client.get("/academie/").content.decode()
    assert "Construire le budget communal" in html
    assert "Les formations du programme" in html


def test_search_uses_french_stemming_on_postgresql(client):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("French stemming comes from PostgreSQL's full text search")
    make.course("Financer ses projets",
                objectives="<ul><li>Mobiliser les financements européens</li></ul>")
    html = client.get("/recherche/?q=financement").content.decode()
    assert "Financer ses projets" in html
