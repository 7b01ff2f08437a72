from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Page

from .search import search_pages


@require_GET
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /comptes/",
        "Disallow: /espace/",
        f"Sitemap: {sitemap_url}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


SEARCH_PAGE_SIZE = 10


@require_GET
def search(request):
    """Site search over published pages (courses included), with Wagtail search."""
    query = request.GET.get("q", "").strip()[:200]
    results = None
    if query:
        found = search_pages(Page.objects.live().public(), query)
        if found is None:  # punctuation only: nothing to look for
            found = Page.objects.none()
        results = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        results.object_list = [page.specific for page in results.object_list]
    return TemplateResponse(request, "cms/search.html", {
        "query": query,
        "results": results,
        "query_string": urlencode({"q": query}),
    })
