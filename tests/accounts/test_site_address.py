"""The platform's address comes from SITE_URL alone: allauth's emails (site name, domain,
links), the Wagtail site (hostname, port: pages' full URLs, RSS) agree with it; and the login
page leads to the password reset."""

import re
from xml.etree import ElementTree

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from wagtail.models import Site

from accounts.models import User
from accounts.site import sync_wagtail_site
from cms.models import NewsIndexPage, NewsPage
from tests import factories as make

pytestmark = pytest.mark.django_db

SITE = "https://academie.anct.gouv.fr"


@pytest.fixture
def on_the_site(settings):
    settings.SITE_URL = SITE
    sync_wagtail_site()


def test_the_login_page_offers_the_password_reset(client):
    html = client.get("/comptes/login/").content.decode()
    assert re.search(r'<a [^>]*href="/comptes/password/reset/"[^>]*>Mot de passe oublié \?</a>',
                     html)


def test_an_account_email_names_the_platform_and_links_to_the_configured_site(
    client, on_the_site, django_capture_on_commit_callbacks
):
    user = User.objects.create_user(email="elu@mairie.fr", password="x", first_name="É",
                                    last_name="L")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        # The request reached the application server by another name, as behind a proxy.
        client.post("/comptes/password/reset/", {"email": "elu@mairie.fr"},
                    HTTP_HOST="127.0.0.1")
    [message] = mail.outbox
    assert message.body.startswith("Bonjour,")
    assert "c'est  !" not in message.body and " sur ." not in message.body
    assert f"L'équipe de la plateforme Académie des territoires\n{SITE}" in message.body
    links = re.findall(r"https?://\S+", message.body)
    assert links[0].startswith(f"{SITE}/comptes/password/reset/key/")
    assert all(link.startswith(SITE) for link in links)


def test_the_wagtail_site_and_the_news_feed_use_the_configured_address(client, on_the_site):
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("academie.anct.gouv.fr", 443, SITE)
    index = make.home().add_child(instance=NewsIndexPage(title="Actualités",
                                                         slug="actualites"))
    news = index.add_child(instance=NewsPage(title="Ouverture", slug="ouverture",
                                             summary="Les inscriptions sont ouvertes."))
    news.save_revision().publish()
    assert news.full_url == f"{SITE}/actualites/ouverture/"
    feed = ElementTree.fromstring(
        client.get("/actualites/rss/", HTTP_HOST="127.0.0.1").content)
    assert feed.find("channel/link").text == f"{SITE}/actualites/"
    assert feed.find("channel/item/link").text == f"{SITE}/actualites/ouverture/"


def test_a_new_database_gets_its_site_from_site_url(settings):
    """What the migration and the test factories create; `migrate` aligns existing ones."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    sync_wagtail_site()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("127.0.0.1", 8000,
                                                          "http://127.0.0.1:8000")


def test_the_sign_up_confirmation_names_the_site(client, on_the_site,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/comptes/signup/", {
            "first_name": "Marie", "last_name": "Curie", "email": "marie@mairie.fr",
            "password1": "Radium-Polonium-1898", "password2": "Radium-Polonium-1898"})
    [message] = mail.outbox
    assert "compte sur academie.anct.gouv.fr." in message.body
    assert f"{SITE}/comptes/confirm-email/" in message.body
