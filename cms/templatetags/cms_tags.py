from django import template
from django.conf import settings
from django.core.cache import cache
from wagtail.models import Site

from cms import page_cache
from cms.models import SiteNavigation

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_links(context, which):
    """The header ("header") or footer ("footer") links edited in the admin settings.

    Returns dicts with label, url and whether it is the current section. Every page shows
    both menus: they are read once per site and cache version (``page_cache``: publishing
    and any edit of a cms model renew it), then only the current section is worked out."""
    request = context.get("request")
    if request is None:
        return []
    menus = getattr(request, "_navigation_menus", None)
    if menus is None:
        key = f"navigation:{page_cache.VERSION.current()}:{request.get_host()}"
        menus = cache.get(key)
        if menus is None:
            menus = _menus(request)
            cache.set(key, menus, timeout=settings.ANONYMOUS_PAGE_CACHE_SECONDS)
        request._navigation_menus = menus
    return [{"label": label, "url": url,
             "current": url != "/" and request.path.startswith(url)}
            for label, url in menus.get(which, [])]


def _menus(request):
    """{"header": [(label, url)], "footer": [...]} of the request's site ({} without one)."""
    site = Site.find_for_request(request)
    if site is None:
        return {}
    navigation = SiteNavigation.for_site(site)
    menus = {}
    for which, field in (("header", navigation.header_links),
                         ("footer", navigation.footer_links)):
        links = menus[which] = []
        for block in field:
            value = block.value
            page = value.get("page")
            if page is not None and not page.live:
                continue
            url = page.get_url(request) if page is not None else value.get("url")
            if url:
                links.append((value["label"], url))
    return menus


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context, page_obj, query_string=""):
    """DSFR pagination keeping the other query parameters (filters) in every link."""
    prefix = f"?{query_string}&" if query_string else "?"
    paginator = page_obj.paginator
    numbers = paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    return {"page_obj": page_obj, "prefix": prefix, "numbers": numbers,
            "ellipsis": paginator.ELLIPSIS}


@register.inclusion_tag("includes/breadcrumb.html", takes_context=True)
def breadcrumb(context, page):
    ancestors = [p for p in page.get_ancestors().specific() if p.depth > 1]
    return {"ancestors": ancestors, "page": page, "request": context.get("request")}
