"""Debug mode answers only this machine.

Django's debug pages show tracebacks, settings and SQL, and debug mode accepts the public
development key (config/settings/environment.py). So with ``DEBUG`` on, ``runserver``
refuses a non-loopback address (``config/management/commands/runserver.py``), and every
request from a client that is not this machine is refused (whatever server runs the
site)."""

import ipaddress

from django.conf import settings
from django.http import HttpResponseForbidden

REFUSAL = ("Mode débogage : ce serveur de développement ne répond qu'aux navigateurs de "
           "cette machine.")


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1 (IPv4-mapped too) and "localhost"; anything else, "0.0.0.0" and
    host names included, is not."""
    if address == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class LoopbackOnlyInDebugMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not is_loopback(request.META.get("REMOTE_ADDR", "")):
            return HttpResponseForbidden(REFUSAL, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
