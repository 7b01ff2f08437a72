"""French error pages rendered with the DSFR layout."""

import logging

from django.shortcuts import render

logger = logging.getLogger(__name__)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def too_many_requests(request, exception=None):
    """allauth's rate limits (login, password reset, sign-up) answer with this page."""
    return render(request, "errors/429.html", status=429)


# When even the DSFR page cannot be rendered: French, without the layout.
PLAIN_SERVER_ERROR = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
    "<title>Erreur inattendue</title></head><body><main><h1>Erreur inattendue</h1>"
    "<p>Désolé, le service rencontre un problème. Réessayez dans quelques instants.</p>"
    '<p><a href="/">Page d\'accueil</a></p></main></body></html>'
)


def server_error(request):
    """The 500 page, which must not need the database, since the error may be the database
    being down: no context processors (no user, no messages), and ``error_page`` keeps the
    header and footer from reading their links from the site settings."""
    from django.http import HttpResponseServerError
    from django.template import loader

    try:
        html = loader.get_template("errors/500.html").render(
            {"request": request, "error_page": True})
    except Exception:  # the error page must always answer
        logger.exception("The 500 page could not be rendered")
        html = PLAIN_SERVER_ERROR
    return HttpResponseServerError(html)
