"""The DSFR utility classes the site loads (static/css/dsfr-utility.css): those the project
names, all of them, taken from the DSFR's own stylesheet (config dsfr_utility_css)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from config.management.commands.dsfr_utility_css import (
    OUTPUT,
    SOURCE,
    build,
    parse_blocks,
    serialize,
    subset,
    used_classes,
)

SAMPLE = (".fr-icon-a:after,.fr-icon-a:before{mask-image:url(../icons/x/a.svg)}"
          ".fr-icon-b:before{mask-image:url(../icons/x/b.svg)}"
          ".fr-background-alt--grey{background-color:#f6f6f6!important}"
          "@media print{.fr-icon-a:before{display:none}.fr-icon-b:before{display:none}}"
          "@media (min-width:48em){.fr-icon-b:before{width:2rem}}")


def test_a_rule_is_kept_for_the_used_classes_only_with_its_at_rule():
    kept = serialize(subset(parse_blocks(SAMPLE), {"fr-icon-a", "fr-background-alt--grey"}))
    assert kept == (".fr-icon-a:after,.fr-icon-a:before{mask-image:url(../icons/x/a.svg)}"
                    ".fr-background-alt--grey{background-color:#f6f6f6!important}"
                    "@media print{.fr-icon-a:before{display:none}}")


def test_parsing_then_writing_back_gives_the_same_css():
    assert serialize(parse_blocks(SAMPLE)) == SAMPLE


def test_icon_urls_point_at_the_dsfr_icons_from_static_css(tmp_path):
    (tmp_path / "page.html").write_text('<a class="fr-link fr-icon-a">')
    css = build(tmp_path, "/*! DSFR v1.2.3 */" + SAMPLE)
    assert "url(../dsfr/dist/icons/x/a.svg)" in css
    assert "fr-icon-b" not in css
    assert css.startswith("/*! DSFR v1.2.3 ")


def test_the_generated_file_is_up_to_date():
    """Using a new icon (or another utility class) without running
    ``manage.py dsfr_utility_css`` fails here, not as an empty square on the page."""
    call_command("dsfr_utility_css", "--check")


def test_every_icon_the_templates_name_is_styled_and_its_image_exists():
    css = (Path(settings.BASE_DIR) / OUTPUT).read_text()
    icons = {name for name in used_classes(settings.BASE_DIR)
             if re.fullmatch(r"fr-icon-[a-z0-9-]+", name)
             and f".{name}:" in Path(finders.find(SOURCE)).read_text()}
    assert {"fr-icon-arrow-left-line", "fr-icon-download-line", "fr-icon-theme-fill"} <= icons
    for icon in icons:
        assert f".{icon}:before" in css, icon
    for url in re.findall(r"url\(\.\./([^)]+)\)", css):
        assert finders.find(url), url


@pytest.mark.django_db
def test_pages_link_the_subset_not_the_whole_utility_stylesheet():
    html = Client().get("/").content.decode()
    assert "/static/css/dsfr-utility.css" in html
    assert "utility.min.css" not in html
