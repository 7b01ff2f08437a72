"""News and programme pages give their dates the French way ("1er décembre 2026")."""

from datetime import date

import pytest

from cms.models import NewsIndexPage, NewsPage
from tests import factories as make

pytestmark = pytest.mark.django_db


def test_a_news_page_and_its_card_say_1er_for_the_first_of_the_month(client):
    index = NewsIndexPage(title="Actualités", slug="actualites")
    make.home().add_child(instance=index)
    index.save_revision().publish()
    page = NewsPage(title="Ouverture des inscriptions", slug="ouverture",
                    summary="Les inscriptions sont ouvertes.", date=date(2026, 12, 1))
    index.add_child(instance=page)
    page.save_revision().publish()

    news = client.get(page.url).content.decode()
    assert 'Publié le <time datetime="2026-12-01">1er décembre 2026</time>' in news
    listing = client.get(index.url).content.decode()
    assert "1er décembre 2026" in listing and "1 décembre" not in listing
