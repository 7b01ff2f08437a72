import time

from django import template
from django.conf import settings
from django.core.cache import cache
from wagtail.models import Site

from cms import page_cache
from cms.models import SiteNavigation

register = template.Library()

# The menus last read, per host, under one cache version: {"version": ..., host: (menus,
# monotonic expiry)}. The version is already kept a quarter of a second per process
# (``CacheVersion``), so a menu edited in the admin shows as soon as it did before; this only
# saves the Redis read and the unpickling of every signed-in page.
_menus_memo = {}


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
        menus = request._navigation_menus = _cached_menus(request)
    return [{"label": label, "url": url,
             "current": url != "/" and request.path.startswith(url)}
            for label, url in menus.get(which, [])]


def _cached_menus(request):
    """The menus of the request's site under the current cms version: from this process's
    memo, else the shared cache, else the database."""
    global _menus_memo
    version = page_cache.VERSION.current()
    host = request.get_host()
    memo = _menus_memo
    if memo.get("version") != version:
        memo = _menus_memo = {"version": version}
    remembered = memo.get(host)
    now = time.monotonic()
    if remembered is not None and remembered[1] > now:
        return remembered[0]
    key = f"navigation:{version}:{host}"
    menus = cache.get(key)
    if menus is None:
        menus = _menus(request)
        cache.set(key, menus, timeout=settings.ANONYMOUS_PAGE_CACHE_SECONDS)
    memo[host] = (menus, now + settings.ANONYMOUS_PAGE_CACHE_SECONDS)
    return menus


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
