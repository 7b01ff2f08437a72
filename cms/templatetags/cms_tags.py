from django import template
from wagtail.models import Site

from cms.models import SiteNavigation

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_links(context, which):
    """The header ("header") or footer ("footer") links edited in the admin settings.

    Returns dicts with label, url and whether it is the current section."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    navigation = SiteNavigation.for_site(site)
    field = navigation.header_links if which == "header" else navigation.footer_links
    links = []
    for block in field:
        value = block.value
        page = value.get("page")
        if page is not None and not page.live:
            continue
        url = page.get_url(request) if page is not None else value.get("url")
        if not url:
            continue
        current = bool(request and url != "/" and request.path.startswith(url))
        links.append({"label": value["label"], "url": url, "current": current})
    return links


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
