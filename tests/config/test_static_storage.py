"""Static URLs and integrity attributes are worked out once per process under the manifest
storage (production), never while the manifest may change (development, DEBUG)."""

import base64
import hashlib
import json

import pytest
from django.template import Context, Template

from config.static_storage import ManifestStaticFilesStorage


@pytest.fixture
def manifest_root(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.0123456789ab.css").write_text("body { color: red }")
    (tmp_path / "staticfiles.json").write_text(json.dumps({
        "paths": {"css/a.css": "css/a.0123456789ab.css"}, "version": "1.1", "hash": "x"}))
    return tmp_path


def sri(text):
    return "sha384-" + base64.b64encode(hashlib.sha384(text.encode()).digest()).decode()


def test_a_url_is_looked_up_in_the_manifest_once(manifest_root, settings, monkeypatch):
    settings.DEBUG = False
    storage = ManifestStaticFilesStorage(location=manifest_root, base_url="/static/")
    assert storage.url("css/a.css") == "/static/css/a.0123456789ab.css"
    monkeypatch.setattr(storage, "hashed_files", {})  # a second look-up would fail
    assert storage.url("css/a.css") == "/static/css/a.0123456789ab.css"
    with pytest.raises(ValueError):  # a name missing from the manifest is never remembered
        storage.url("css/missing.css")
    settings.DEBUG = True  # unhashed names under DEBUG, as before
    assert storage.url("css/a.css") == "/static/css/a.css"


def test_the_integrity_of_a_manifest_file_is_read_once_per_storage(manifest_root, settings):
    settings.DEBUG = False
    settings.STATIC_ROOT = str(manifest_root)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "config.static_storage.ManifestStaticFilesStorage"}}
    template = Template('{% load static static_integrity %}'
                        '<link href="{% static "css/a.css" %}"{% integrity_of "css/a.css" %}>')
    expected = (f'<link href="/static/css/a.0123456789ab.css" '
                f'integrity="{sri("body { color: red }")}">')
    assert template.render(Context()) == expected
    served = manifest_root / "css" / "a.0123456789ab.css"
    served.write_text("changed")  # named by its content: never changes while served
    assert template.render(Context()) == expected
    # Another storage (a deployment, a test's settings) reads the files again.
    settings.STORAGES = {**settings.STORAGES}
    assert sri("changed") in template.render(Context())


def test_without_a_manifest_an_edited_file_gets_its_new_digest(tmp_path, settings):
    (tmp_path / "b.css").write_text("one")
    settings.STATICFILES_DIRS = [str(tmp_path)]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    template = Template('{% load static_integrity %}{% integrity_of "b.css" %}')
    assert sri("one") in template.render(Context())
    (tmp_path / "b.css").write_text("two, longer")
    assert sri("two, longer") in template.render(Context())
