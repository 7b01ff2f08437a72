from email.utils import parseaddr
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Page, Site

from .models import NewsPage
from .search import search_pages


@require_GET
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Not /espace/: only signed-in people see it, a crawler gets the redirect to the
        # sign-in page under /comptes/; a Disallow there made Lighthouse's SEO audit (and
        # search consoles) report "Mon espace" as a page blocked from indexing.
        "Disallow: /comptes/",
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


# The site's sections that are not Wagtail pages, as (heading, [(label, URL name)]).
SITEMAP_SECTIONS = [
    ("Services", [
        ("Annuaire des conseillers numériques", "directory:search"),
        ("Espace Conseillers numériques", "advisors:home"),
        ("Candidater pour accueillir un conseiller numérique", "advisors:apply"),
        ("Données ouvertes", "opendata:index"),
        ("Rechercher", "search"),
    ]),
    ("Mon compte", [
        ("Se connecter", "account_login"),
        ("Créer un compte", "account_signup"),
        ("Mon espace", "accounts:home"),
        ("Mon profil d'élu", "official_profile"),
    ]),
    ("Informations", [
        ("Mentions légales", "legal_notice"),
        ("Accessibilité : non conforme", "privacy:accessibility"),
        ("Données personnelles", "privacy:register"),
    ]),
]


def _page_tree(request):
    """The live, public pages of the request's site as nested {"page", "url", "children"}."""
    site = Site.find_for_request(request)
    if site is None:
        return []
    root = site.root_page
    pages = (Page.objects.descendant_of(root, inclusive=True).live().public()
             .not_type(NewsPage)  # each news item is reached from the news index
             .order_by("path"))
    nodes, by_path = [], {}
    for page in pages:
        node = {"page": page, "url": page.get_url(request), "children": []}
        parent = by_path.get(page.path[:-Page.steplen])
        if page.pk == root.pk:
            nodes.append(node)
        elif parent is not None:
            parent["children"].append(node)
        else:
            continue  # under a page that is not shown (draft or private)
        by_path[page.path] = node
    return nodes


@require_GET
def site_map(request):
    """The HTML "Plan du site": every published page, then the site's other sections."""
    sections = [(heading, [(label, reverse(name)) for label, name in links])
                for heading, links in SITEMAP_SECTIONS]
    return TemplateResponse(request, "cms/site_map.html", {
        "tree": _page_tree(request), "sections": sections})


@require_GET
def legal_notice(request):
    """ "Mentions légales": publisher, publication director, host, licence, contact."""
    contact = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return TemplateResponse(request, "cms/legal_notice.html", {
        "hosting_provider": settings.HOSTING_PROVIDER, "contact_email": contact})
