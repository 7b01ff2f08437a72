"""Subresource integrity computed from the static files as they are served.

django-dsfr prints the digests of the files in its package. In production the manifest
storage rewrites those files (the ``url()`` references of the style sheets, the source map
comment of the scripts) before WhiteNoise serves them, so the browser found another digest
and refused the file: the whole site lost its styles. ``{% integrity_of name %}`` reads the
copy that is actually served (the hashed copy in ``STATIC_ROOT`` under a manifest storage,
the source file found by the finders otherwise) and prints its digest."""

import base64
import functools
import hashlib
import os

from django import template
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.html import format_html

register = template.Library()


def served_path(name):
    """The file a request for the static file ``name`` gets, or None."""
    storage = staticfiles_storage
    if isinstance(storage, ManifestFilesMixin):
        try:
            path = storage.path(storage.stored_name(name))
        except ValueError:  # not in the manifest
            return None
        return path if os.path.exists(path) else None
    return finders.find(name)


@functools.lru_cache(maxsize=64)
def _digest(path, size, mtime_ns):
    sha = hashlib.sha384()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 16), b""):
            sha.update(chunk)
    return "sha384-" + base64.b64encode(sha.digest()).decode()


def served_integrity(name):
    """``sha384-…`` of the static file ``name`` as served, or None when it is not found
    (the size and modification time are part of the cache key, so an edited source file is
    read again)."""
    path = served_path(name)
    if path is None:
        return None
    stat = os.stat(path)
    return _digest(path, stat.st_size, stat.st_mtime_ns)


# Under a manifest storage the served copies are named by their content and the manifest is
# read once per process: the attribute of each name is worked out once per process (every
# page prints four of them). Without a manifest (development) the file is looked at again.
_manifest_attributes = {}


@receiver(setting_changed)
def _forget_attributes(*, setting, **_kwargs):
    if setting in {"STORAGES", "STATIC_ROOT", "STATIC_URL"}:
        _manifest_attributes.clear()


@register.simple_tag
def integrity_of(name):
    """`` integrity="sha384-…"`` for the static file ``name``, or nothing."""
    manifest = isinstance(staticfiles_storage, ManifestFilesMixin)
    if manifest:
        attribute = _manifest_attributes.get(name)
        if attribute is not None:
            return attribute
    digest = served_integrity(name)
    attribute = format_html(' integrity="{}"', digest) if digest else ""
    if manifest and digest:
        _manifest_attributes[name] = attribute
    return attribute
