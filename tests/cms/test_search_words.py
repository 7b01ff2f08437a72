"""Site search and catalogue search: every word is matched as the start of a word, without
regard to accents or case, on SQLite (FTS5) as on PostgreSQL (french_unaccent); what is not a
word (quotes, operators, invisible marks) never reaches the full-text engine."""

import pytest

from cms.search import query_words
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses():
    make.course("Cybersécurité des collectivités",
                objectives="<ul><li>Réagir à une attaque informatique</li></ul>")
    make.course("Construire le budget communal",
                objectives="<ul><li>Préparer le débat d'orientation budgétaire</li></ul>")


def found_on_search_page(client, text):
    response = client.get("/recherche/", {"q": text})
    assert response.status_code == 200
    return [page.title for page in response.context["results"] or []]


def found_in_catalogue(client, text):
    response = client.get("/formations/", {"q": text})
    assert response.status_code == 200
    return [course.title for course in response.context["courses"]]


WORD_STARTS = ["cyber", "Cyber", "cybersecurite", "CYBERSÉCURITÉ", "collectivites",
               "cyber collec", "attaq"]
NOT_WORDS = ['"', "'", '"cyber', "cyber\"", "«cyber»", "(cyber", "cyber)", "cyber*", "*",
             "-cyber", "NEAR(cyber)", "cyber:", "\u200fcyber\u200e", "\u202ecyber", "^cyber",
             "cyber & !", "\\", "''", "%", "_", "cyber OR", "{cyber}", "cyber^2", "`cyber`"]


def test_a_word_start_finds_the_course_whatever_its_accents(client, courses):
    for text in WORD_STARTS:
        assert found_on_search_page(client, text) == ["Cybersécurité des collectivités"], text
        assert found_in_catalogue(client, text) == ["Cybersécurité des collectivités"], text


def test_every_word_must_match(client, courses):
    assert found_on_search_page(client, "cyber budget") == []
    assert found_in_catalogue(client, "cyber budget") == []


def test_quotes_operators_and_marks_never_break_the_search(client, courses):
    for text in NOT_WORDS:
        found = found_on_search_page(client, text)
        assert found_in_catalogue(client, text) == found, text
        if query_words(text) == ["cyber"]:
            assert found == ["Cybersécurité des collectivités"], text


def test_punctuation_alone_finds_nothing_and_says_so(client, courses):
    html = client.get("/recherche/", {"q": '"'}).content.decode()
    assert "Aucun résultat pour « &quot; »" in html


def test_query_words_keep_letters_and_digits_only():
    assert query_words('"cyber-sécurité" 2026 OR ‏x_y') == ["cyber", "sécurité", "2026", "OR",
                                                            "x", "y"]
    assert len(query_words("mot " * 50)) == 10
    assert query_words("a" * 1000) == ["a" * 40]


@pytest.mark.parametrize("url", ["/recherche/?q=%00", "/formations/?q=cyber%00",
                                 "/calendrier/formations.ics?theme=%00",
                                 "/conseillers/?q=%00", "/recherche/?q%00=x"])
def test_a_nul_character_gets_a_french_400_page(client, courses, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "caractère invisible" in response.content.decode()


def test_the_api_refuses_a_nul_character_in_its_own_format(client):
    response = client.get("/api/v1/lieux?departement=%00")
    assert response.status_code == 400
    assert "caractère invisible" in response.json()["detail"]


def test_a_nul_character_in_a_posted_field_gets_the_french_400(client, courses):
    from tests.advisors import factories as people

    client.force_login(people.user(email="claire@example.fr"))
    response = client.post("/espace/profil-elu/", {"mandates-TOTAL_FORMS": "1",
                                                   "mandates-INITIAL_FORMS": "0",
                                                   "mandates-0-authority": "Beau\x00vais"})
    assert response.status_code == 400
    assert "caractère invisible" in response.content.decode()
