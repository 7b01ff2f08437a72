import pytest

from privacy.register import ROWS

pytestmark = pytest.mark.django_db


def test_personal_data_register_lists_each_category_and_the_rights(client):
    response = client.get("/donnees-personnelles/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Données personnelles</h1>" in html
    for heading in ["Responsable du traitement", "Ce que nous conservons", "Vos droits",
                    "Cookies", "Comptes inutilisés"]:
        assert heading in html, heading
    row_header = '<th scope="row" class="fr-cell--multiline">'
    assert html.count(row_header) == len(ROWS)
    for category in ["Compte", "Mandats d'élu", "Inscriptions et présences",
                     "Conseillers numériques : données professionnelles",
                     "Comptes rendus d'activité", "Journaux techniques"]:
        assert row_header + category.replace("'", "&#x27;") in html, category
    for column in ["Finalité", "Base légale", "Durée de conservation", "Destinataires"]:
        assert f'<th scope="col">{column}</th>' in html
    assert 'href="/espace/donnees/"' in html
    assert "Aucune donnée personnelle des personnes accompagnées" in html


def test_accessibility_statement_states_its_compliance_honestly(client):
    response = client.get("/accessibilite/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Déclaration d'accessibilité</h1>" in html
    for heading in ["État de conformité", "Contenus non accessibles",
                    "Établissement de cette déclaration", "Voies de recours"]:
        assert f">{heading}</h2>" in html, heading
    assert "<strong>non conforme</strong>" in html
    assert "Aucun audit de conformité n'a encore été réalisé" in html
    assert "Défenseur des droits" in html and "Libre réponse 71120" in html


def test_footer_links_the_accessibility_statement_and_the_register(client):
    html = client.get("/").content.decode()
    assert 'href="/accessibilite/">Accessibilité : non conforme</a>' in html
    assert 'href="/donnees-personnelles/">Données personnelles</a>' in html


def test_the_open_data_page_keeps_its_address(client):
    from django.urls import resolve

    assert resolve("/donnees/").namespace != "privacy"
    assert resolve("/donnees-personnelles/").url_name == "register"
