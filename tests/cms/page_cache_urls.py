"""Views of the page cache's tests (tests/cms/test_page_cache.py): kept with ``keep_route``
for the test's duration, each rendering something the cache must never share."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path
from django.utils.cache import patch_vary_headers


def plain(request):
    return HttpResponse(f"<p>Bonjour {request.GET.get('nom', '')}</p>")


def with_form(request):
    return HttpResponse(f'<form><input name="csrfmiddlewaretoken" value="{get_token(request)}">'
                        "</form>")


def varies_on_origin(request):
    response = HttpResponse("<p>Selon l'origine</p>")
    patch_vary_headers(response, ["Origin"])
    return response


urlpatterns = [
    path("essai/simple/", plain, name="test_plain"),
    path("essai/formulaire/", with_form, name="test_with_form"),
    path("essai/origine/", varies_on_origin, name="test_varies_on_origin"),
    path("", include("config.urls")),
]
