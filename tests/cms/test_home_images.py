"""The home page's images: the hero is fetched first and at the width its column needs, the
cards below it wait until the visitor scrolls near them; all keep their place reserved
(width and height), so that nothing moves while they arrive."""

import re

import pytest

from tests import factories as make
from tests.cms.test_illustrations import illustrated, picture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def images(html):
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
            for tag in re.findall(r"<img\b[^>]*>", html)]


def test_hero_image_comes_first_sized_for_its_column(client):
    home = make.home()
    home.hero_image = picture("Carte des territoires")
    home.save_revision().publish()
    hero, = [img for img in images(client.get("/").content.decode())
             if img.get("class") == "fr-responsive-img"]
    assert hero["fetchpriority"] == "high"
    assert "loading" not in hero
    assert hero["width"] and hero["height"]
    widths = sorted(int(w) for w in re.findall(r" (\d+)w", hero["srcset"]))
    assert widths == [400, 600]
    assert hero["sizes"] == "(min-width: 48em) 40vw, 100vw"


def test_home_cards_load_their_picture_when_scrolled_near_and_the_catalogue_at_once(client):
    course = illustrated("Revitaliser son centre-bourg")
    home = make.home()
    home.highlighted_pages = [("page", course)]
    home.save_revision().publish()
    card, = [img for img in images(client.get("/").content.decode())
             if img.get("class") == "fr-responsive-img"]
    assert card["loading"] == "lazy"
    assert card["width"] == "600" and card["height"] == "338"
    catalogue_card, = [img for img in images(client.get("/formations/").content.decode())
                       if img.get("class") == "fr-responsive-img"]
    assert "loading" not in catalogue_card
