"""The DSFR stylesheet the pages load (static/css/dsfr-site.css): the rules of dsfr.min.css
that can apply to the project's pages, every one of them, in the DSFR's order
(cms dsfr_site_css)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from cms.management.commands.dsfr_site_css import (
    CLASS_IN_SELECTOR,
    OUTPUT,
    SOURCE,
    Usage,
    build,
    parse_blocks,
    project_words,
    required_classes,
    serialize,
    split_selectors,
    subset,
)

SAMPLE = (":root{--a:1}a{color:inherit}"
          "@font-face{font-family:Marianne;src:url(../fonts/M.woff2) format(\"woff2\")}"
          ".fr-btn{color:blue}.fr-btn--secondary{color:white}"
          ".fr-tabs{display:flex}.fr-tabs,.fr-btn:hover{outline:0}"
          ".fr-btn:not(.fr-btn--tertiary){border:0}"
          ".fr-collapse--expanded{max-height:none}.fr-collapse{overflow:hidden}"
          ".fr-alert--info{color:blue}.fr-alert--error{color:red}"
          ":is(.fr-tabs,.fr-btn) span{margin:0}"
          "@media (min-width:48em){.fr-tabs{gap:0}.fr-btn{gap:0}}"
          "@keyframes spin{0%{opacity:0}to{opacity:1}}")
USAGE = Usage({"fr-btn", "fr-collapse"}, {"fr-alert--"}, {"expanded"})


def kept(css, usage=USAGE):
    return serialize(subset(parse_blocks(css), usage))


def test_a_component_no_page_names_loses_its_rules_and_the_others_keep_theirs():
    css = kept(SAMPLE)
    assert ".fr-tabs{" not in css
    assert ".fr-btn{color:blue}" in css
    assert ".fr-btn--secondary" not in css
    # One selector of a list dropped, the others kept; :not() does not require its class.
    assert ".fr-btn:hover{outline:0}" in css
    assert ".fr-btn:not(.fr-btn--tertiary){border:0}" in css
    assert "@media (min-width:48em){.fr-btn{gap:0}}" in css


def test_rules_without_classes_fonts_and_animations_are_kept():
    css = kept(SAMPLE)
    assert css.startswith(":root{--a:1}a{color:inherit}@font-face{font-family:Marianne;")
    assert "@keyframes spin{0%{opacity:0}to{opacity:1}}" in css


def test_a_state_the_dsfr_script_adds_and_a_class_with_a_variable_end_are_kept():
    css = kept(SAMPLE)
    assert ".fr-collapse--expanded{max-height:none}" in css
    assert ".fr-alert--info{color:blue}.fr-alert--error{color:red}" in css


def test_parsing_then_writing_back_gives_the_same_css():
    assert serialize(parse_blocks(SAMPLE)) == SAMPLE


def test_selectors_split_on_their_own_commas_only():
    assert split_selectors(":is(.a,.b) p,.c") == [":is(.a,.b) p", ".c"]
    assert required_classes(".fr-x:not(.fr-y) .fr-z") == ["fr-x", "fr-z"]


def test_font_and_icon_urls_point_at_the_dsfr_files_from_static_css():
    css = build("/*! DSFR v1.2.3 */" + SAMPLE, USAGE)
    assert "url(../dsfr/dist/fonts/M.woff2)" in css
    assert "DSFR v1.2.3" in css


def test_the_generated_file_is_up_to_date():
    """Using a DSFR class no page used before without running ``manage.py dsfr_site_css``
    fails here, not as an unstyled component on the page."""
    call_command("dsfr_site_css", "--check")


def test_every_dsfr_class_the_templates_name_is_styled_as_in_the_whole_stylesheet():
    source = Path(finders.find(SOURCE)).read_text()
    css = (Path(settings.BASE_DIR) / OUTPUT).read_text()
    styled = set(CLASS_IN_SELECTOR.findall(source))
    named, _ = project_words(settings.BASE_DIR)
    used = named & styled
    assert {"fr-header", "fr-card", "fr-btn", "fr-footer", "fr-grid-row"} <= used
    for name in used:
        assert re.search(rf"\.{re.escape(name)}(?![\w-])", css), name
    for url in re.findall(r"url\(\.\./([^)]+)\)", css):
        assert finders.find(url), url


def test_the_site_stylesheet_is_a_fraction_of_the_whole():
    whole = Path(finders.find(SOURCE)).stat().st_size
    assert (Path(settings.BASE_DIR) / OUTPUT).stat().st_size < whole * 0.6


@pytest.mark.django_db
def test_pages_link_the_site_stylesheet_not_the_whole_dsfr_one():
    html = Client().get("/").content.decode()
    assert "/static/css/dsfr-site.css" in html
    assert "dsfr.min.css" not in html
