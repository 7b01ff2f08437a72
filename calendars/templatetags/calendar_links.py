"""``{% webcal path %}``: a calendar's subscription address (webcal://host/path), next to
its download link, so calendar applications subscribe and keep the events up to date."""

from urllib.parse import urlsplit

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def webcal(context, path):
    request = context.get("request")
    host = request.get_host() if request is not None else urlsplit(settings.SITE_URL).netloc
    return f"webcal://{host}{path}"
