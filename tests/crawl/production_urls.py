"""The platform's URLs, and ``/media/`` served from ``MEDIA_ROOT`` as the production web
server does in front of gunicorn (``location /media/``, docs/security.md): the demo's
images are public files, never served by Django in production."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from config.urls import urlpatterns as platform_urlpatterns

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *platform_urlpatterns,
]
