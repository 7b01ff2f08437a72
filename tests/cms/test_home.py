"""The home page: a title that names the agency once, key figures counted rather than typed."""

import re

import pytest
from django.core.exceptions import ValidationError

from cms.blocks import KeyFigureBlock
from tests import factories as make

pytestmark = pytest.mark.django_db


def set_figures(*figures):
    home = make.home()
    home.key_figures = [("figure", figure) for figure in figures]
    home.save_revision().publish()


def figures_shown(client):
    html = client.get("/").content.decode()
    return re.findall(r'<p class="fr-h2 fr-mb-1v">([^<]*)</p><p class="fr-tile__detail">'
                      r'([^<]*)</p>', html)


def test_home_page_title_names_the_agency_once(client):
    html = client.get("/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title.count("Agence nationale de la cohésion des territoires") == 1
    assert title.startswith("Académie des territoires · Conseillers numériques")


def test_course_count_follows_the_catalogue(client):
    set_figures({"computed": "academy-courses", "figure": "12",
                 "label": "formations au catalogue"},
                {"computed": "", "figure": "4 000",
                 "label": "conseillers numériques financés"})
    for n in range(13):
        make.course(f"Formation {n}")
    make.course("Brouillon", publish=False)
    assert figures_shown(client) == [("13", "formations au catalogue"),
                                     ("4 000", "conseillers numériques financés")]

    make.course("Quatorzième formation")
    assert figures_shown(client)[0] == ("14", "formations au catalogue")


def test_session_and_region_counts_leave_out_cancelled_and_past_sessions(client):
    communes = make.geography()
    course = make.course("Gérer une crise")
    make.session(course, communes["Beauvais"])
    make.session(course, communes["Beauvais"], days=60)
    make.session(course, None, days=20)
    make.session(course, communes["Beauvais"], days=40, status="cancelled")
    make.session(course, communes["Beauvais"], days=-10)
    set_figures({"computed": "academy-sessions", "figure": "", "label": "sessions à venir"},
                {"computed": "academy-regions", "figure": "", "label": "régions"})
    assert figures_shown(client) == [("3", "sessions à venir"), ("1", "régions")]


def test_a_figure_needs_a_number_or_a_count():
    block = KeyFigureBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"computed": "", "figure": "", "label": "formations"}))
    assert block.clean(block.to_python(
        {"computed": "academy-courses", "figure": "", "label": "formations"}))
