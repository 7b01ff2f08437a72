"""The platform's URLs, plus ``/bench/nu/``: a view that touches neither the database nor a
template, the ceiling of what gunicorn and the middleware can serve on this machine."""

from django.http import HttpResponse
from django.urls import include, path

BARE_PATH = "/bench/nu/"


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path(BARE_PATH.strip("/") + "/", bare, name="bench_bare"),
    path("", include("config.urls")),
]
