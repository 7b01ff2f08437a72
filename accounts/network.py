"""The client's address, read the same way as django-ninja and allauth read it.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each appends the address it received the
request from to ``X-Forwarded-For``: the client is the entry that many places from the end.
Entries further left were written by the client itself and are never believed. With no
trusted proxy, the header is ignored."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    # Fewer entries than proxies: the request did not come through all of them.
    candidate = entries[-count] if len(entries) >= count else entries[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
