"""Files that only some people may read (dashboard exports).

They live in the ``private`` storage (``PRIVATE_MEDIA_ROOT``), outside ``MEDIA_ROOT``: the
web server's ``/media/`` location, which must serve Wagtail's images to everyone, cannot reach
them, and they have no public URL. A view that has checked the requester answers with
``serve``: the file itself, or, when ``PRIVATE_FILES_ACCEL_REDIRECT`` is set (production
behind nginx), an empty response whose ``X-Accel-Redirect`` header tells nginx to send the
file from an ``internal`` location, so that no Python worker is tied up by a large download.

    location /_private/ {            # PRIVATE_FILES_ACCEL_REDIRECT=/_private/
        internal;                    # unreachable from outside: only this header leads here
        alias /srv/anct/private/;    # PRIVATE_MEDIA_ROOT
    }
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, HttpResponse
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """A file system storage in ``PRIVATE_MEDIA_ROOT``, without URLs: its files are only
    served through views."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":  # tests point it at a temporary directory
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks "
                         "the requester (accounts.private_files.serve).")


def private_storage():
    """The storage of private ``FileField``s (callable, so that settings are read at use)."""
    return storages["private"]


def serve(fieldfile, *, filename: str, content_type: str):
    """The download of a private file the caller has allowed the requester to read."""
    accel = getattr(settings, "PRIVATE_FILES_ACCEL_REDIRECT", "")
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(fieldfile.name)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=filename,
                                content_type=content_type)
    response["Cache-Control"] = "private, no-store"  # never kept by a shared cache
    return response



def check_private_root(app_configs=None, **kwargs):
    """System check: the private files must not lie inside the public media directory."""
    from pathlib import Path

    from django.core.checks import Error

    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    public = Path(settings.MEDIA_ROOT).resolve()
    if private == public or public in private.parents:
        return [Error(
            "PRIVATE_MEDIA_ROOT is inside MEDIA_ROOT: exports would be served to anyone "
            "under /media/.", hint="Choose a directory outside MEDIA_ROOT.",
            id="accounts.E001")]
    return []
