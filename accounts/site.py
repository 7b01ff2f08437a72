"""The site's public address comes from one setting, ``SITE_URL``: allauth's emails (site
name, domain and links), the Wagtail site (hostname and port, hence pages' full URLs, RSS
and sitemap) and the links written by the apps' own emails and feeds all read it."""

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

SITE_NAME = "Académie des territoires"


@dataclass(frozen=True)
class PlatformSite:
    """What allauth's templates read as ``current_site`` (name and domain)."""

    name: str
    domain: str


def site_parts() -> tuple[str, str, int]:
    """(scheme, hostname, port) of ``SITE_URL``."""
    parts = urlsplit(settings.SITE_URL)
    scheme = parts.scheme or "https"
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, parts.hostname or "localhost", port


def current_site() -> PlatformSite:
    return PlatformSite(name=SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def on_site(url: str) -> str:
    """``url`` with the scheme and host of ``SITE_URL`` (a link built from whatever host the
    request reached, e.g. the application server's address behind the proxy)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


def sync_wagtail_site(site_model=None) -> None:
    """Gives the default Wagtail site the hostname and port of ``SITE_URL`` (after every
    ``migrate``, and wherever a site is created)."""
    if site_model is None:
        from wagtail.models import Site as site_model
    _scheme, hostname, port = site_parts()
    for site in site_model.objects.filter(is_default_site=True).exclude(
            hostname=hostname, port=port):
        site.hostname, site.port = hostname, port
        site.save()  # save(), not update(): Wagtail forgets its cached site root paths


def sync_after_migrate(sender, **kwargs):
    from django.db import DatabaseError

    try:
        sync_wagtail_site()
    except DatabaseError:  # the wagtailcore tables are not there (e.g. migrating to zero)
        pass
