"""The header and footer menus are kept by each process under the cms cache version: a
page reads neither the database nor the shared cache for them, and an edit (in this
process or another instance) shows as soon as the version changes."""

from unittest import mock

import pytest
from django.core.cache import cache
from wagtail.models import Site

from cms import page_cache
from cms.models import SiteNavigation
from cms.templatetags import cms_tags
from core.cache_versions import forget_local_versions

pytestmark = pytest.mark.django_db


def set_footer(label, url):
    navigation = SiteNavigation.for_site(Site.objects.get(is_default_site=True))
    navigation.footer_links = [{"type": "link", "value": {"label": label, "page": None,
                                                          "url": url}}]
    navigation.save()


def navigation_reads():
    reads = []
    real_get = cache.get

    def get(key, *args, **kwargs):
        if str(key).startswith("navigation:"):
            reads.append(key)
        return real_get(key, *args, **kwargs)
    return reads, mock.patch.object(cms_tags.cache, "get", side_effect=get)


def test_the_menus_are_read_once_per_process_and_version(admin_client):
    set_footer("Espace presse", "/presse/")
    reads, patch = navigation_reads()
    with patch:  # signed in: pages that are not kept whole by the page cache
        assert "Espace presse</a>" in admin_client.get("/conseillers/").content.decode()
        assert "Espace presse</a>" in admin_client.get("/conseillers/").content.decode()
    assert len(reads) <= 1


def test_an_edit_in_another_instance_shows_once_the_version_is_read_again(client):
    set_footer("Espace presse", "/presse/")
    assert "Espace presse</a>" in client.get("/conseillers/").content.decode()
    # Another instance edits the menu: the database changes and the shared version is
    # renewed; this process sees it when its local copy of the version is read again.
    SiteNavigation.objects.filter(pk=SiteNavigation.for_site(
        Site.objects.get(is_default_site=True)).pk).update(footer_links=[])
    cache.set(page_cache.VERSION_KEY, "renewed-by-another-instance", timeout=None)
    forget_local_versions()
    assert "Espace presse" not in client.get("/conseillers/").content.decode()


def test_the_menus_expire_like_the_shared_entry(rf, settings):
    set_footer("Espace presse", "/presse/")
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0  # kept no time at all

    def footer():
        return [link["label"] for link in
                cms_tags.navigation_links({"request": rf.get("/")}, "footer")]
    assert footer() == ["Espace presse"]
    SiteNavigation.objects.update(footer_links=[])  # not a save: the version is the same
    version = page_cache.VERSION.current()
    cache.delete(f"navigation:{version}:testserver")
    assert footer() == []
