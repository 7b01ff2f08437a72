"""The production static files storage: WhiteNoise's compressed manifest storage whose URLs
are worked out once per process.

The manifest is read when the storage is created and does not change while the process runs,
so the URL of a name is always the same: every page prints a dozen ``{% static %}`` URLs,
each a manifest look-up, a name cleaning and two URL joins, now a dictionary read."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Enough for every static file the templates name; names past it are not remembered.
MAX_REMEMBERED_URLS = 4096


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._remembered_urls = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:  # DEBUG serves the unhashed names: nothing to keep
            return super().url(name, force)
        url = self._remembered_urls.get(name)
        if url is None:
            url = super().url(name, force)
            if len(self._remembered_urls) < MAX_REMEMBERED_URLS:
                self._remembered_urls[name] = url
        return url
