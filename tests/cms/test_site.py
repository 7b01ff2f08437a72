import pytest

pytestmark = pytest.mark.django_db


def test_home_page_uses_the_state_design_system(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in html
    assert "fr-header" in html and "fr-footer" in html
    assert "Agence nationale de la cohésion des territoires" in html
    assert 'href="#content"' in html  # skip link
    assert "fr-theme-modal" in html  # light/dark switch
    assert "dsfr" in html and ".css" in html


def test_unknown_page_answers_a_french_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_robots_txt_points_to_the_sitemap(client):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_lists_the_home_page(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert "<loc>" in response.content.decode()


def test_server_error_page_is_french_and_shows_no_trace(rf):
    from config.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur inattendue" in html and "Traceback" not in html


def test_account_pages_use_dsfr_forms(client):
    html = client.get("/comptes/login/").content.decode()
    assert 'class="fr-input"' in html and "fr-btn" in html and "fr-header" in html
