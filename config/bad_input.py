"""One place that turns away input no page can use: the NUL character (PostgreSQL can
neither store nor compare it: every query that carries one fails with a DataError) and lone
UTF-16 surrogates (not encodable in UTF-8), in the path, the query string, or the fields of a
posted form. No keyboard types them; a request that holds one gets a French 400 page instead
of reaching views, forms and queries that would each have to guard against it."""

import re

from django.http import JsonResponse
from django.shortcuts import render

UNREADABLE = re.compile("[\x00\ud800-\udfff]")


def is_unreadable(text):
    return bool(text) and UNREADABLE.search(text) is not None


def _any_unreadable(data):
    return any(is_unreadable(key) or any(is_unreadable(value) for value in values)
               for key, values in data.lists())


def bad_request(request, exception=None, *, reason=None):
    """The French 400 page (also Django's ``handler400``); the API answers in its own
    format, ``{"detail": "…"}``."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": reason or "Requête illisible."}, status=400)
    return render(request, "errors/400.html", {"reason": reason}, status=400)


REASON = ("Votre demande contient un caractère invisible qui n'est pas accepté (caractère nul "
          "ou caractère mal encodé). Retirez-le de votre saisie ou de l'adresse, puis "
          "réessayez.")


class RejectUnreadableInputMiddleware:
    """The path and query string are checked for every request; the posted fields after the
    CSRF check, and not for views exempt from it (which may read their body themselves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_unreadable(request.path_info) or _any_unreadable(request.GET):
            return bad_request(request, reason=REASON)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if (request.method == "POST" and not getattr(view, "csrf_exempt", False)
                and _any_unreadable(request.POST)):
            return bad_request(request, reason=REASON)
        return None
