"""Pages are sent compressed to the browsers that accept it (Lighthouse measured an 80 kB
course page sent as is), and still whole to those that do not."""

import gzip

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client):
    response = client.get("/recherche/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"<html" in gzip.decompress(response.content)


def test_a_client_without_accept_encoding_gets_the_page_as_is(client):
    response = client.get("/recherche/")
    assert not response.has_header("Content-Encoding")
    assert b"<html" in response.content


def test_gzip_sits_below_whitenoise_so_static_files_are_not_compressed_again():
    middleware = settings.MIDDLEWARE
    gzip_at = middleware.index("django.middleware.gzip.GZipMiddleware")
    assert middleware.index("django.middleware.security.SecurityMiddleware") < gzip_at
    if "whitenoise.middleware.WhiteNoiseMiddleware" in middleware:
        assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < gzip_at
