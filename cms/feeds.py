from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed


class NewsFeed(Feed):
    """RSS 2.0 feed of the latest published news of one news index."""

    feed_type = Rss201rev2Feed
    language = "fr"

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.index_page

    def title(self, obj):
        return f"{obj.title} — Agence nationale de la cohésion des territoires"

    # Absolute links from the Wagtail site, whose address is SITE_URL (accounts.site), not
    # from whatever host the request reached (e.g. the application server behind the proxy).
    def link(self, obj):
        return obj.get_full_url(self.request)

    def feed_url(self, obj):
        return settings.SITE_URL.rstrip("/") + self.request.path

    def description(self, obj):
        return obj.intro or "Les actualités de l'Agence nationale de la cohésion des territoires."

    def items(self, obj):
        return obj.news()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at
