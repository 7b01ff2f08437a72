"""Wagtail: search, moderation, documents and images accepted, admin login."""

from .database import DATABASES

WAGTAIL_SITE_NAME = "Agence nationale de la cohésion des territoires"
WAGTAIL_I18N_ENABLED = False
# The database backend uses PostgreSQL full text search (French stemming after unaccent, a
# configuration made by cms.0004) on PostgreSQL and SQLite's FTS5 in the embedded default.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "french_unaccent"
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
# Documents are always sent by Wagtail's view (/documents/<id>/<name>), which applies the
# collection's privacy first; never a link into MEDIA_ROOT/documents, which the web server
# must not serve (docs/security.md, "Documents").
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
# Uploads in the admin: documents' content must match their extension (cms.documents), sizes
# are bounded; images are opened by Pillow (Wagtail) and SVG, which can carry scripts, is not
# among the accepted formats.
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.documents.DocumentForm"
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40 * 1000 * 1000
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False  # allauth's reset (rate limited) is the only one
# No avatars from Gravatar: staff email hashes stay here, and the admin loads no other site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False  # nor asks releases.wagtail.org from the staff's browser
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
