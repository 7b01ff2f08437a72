"""Static files, media and private files, on local disk or S3-compatible object storage."""

from pathlib import Path

from .environment import BASE_DIR, PRODUCTION, env

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
# Front-end packages installed by npm (package.json), served under /static/vendor/<name>/.
STATICFILES_DIRS += [
    (f"vendor/{name}", BASE_DIR / "node_modules" / path)
    for name, path in [("leaflet", "leaflet/dist"),
                       ("leaflet.markercluster", "leaflet.markercluster/dist")]
    if (BASE_DIR / "node_modules" / path).exists()
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Files only some people may read (dashboard exports): outside MEDIA_ROOT, so that serving
# /media/ (Wagtail images) never serves them; downloaded through views that check the
# requester (accounts.private_files), or handed to nginx by X-Accel-Redirect when
# PRIVATE_FILES_ACCEL_REDIRECT names an `internal` location aliasing PRIVATE_MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private")))
PRIVATE_FILES_ACCEL_REDIRECT = env("PRIVATE_FILES_ACCEL_REDIRECT", "")  # e.g. /_private/
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "accounts.private_files.PrivateStorage",  # in PRIVATE_MEDIA_ROOT
    },
    "staticfiles": {
        "BACKEND": (
            "config.static_storage.ManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# With several machines, uploads go to S3-compatible object storage (django-storages):
# documents and images in AWS_STORAGE_BUCKET_NAME, private files (exports, attendance
# sheets) in AWS_PRIVATE_STORAGE_BUCKET_NAME, never public, streamed by the checking views.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", "")
AWS_PRIVATE_STORAGE_BUCKET_NAME = env("AWS_PRIVATE_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL") or None  # e.g. https://s3.fr-par.scw.cloud
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME") or None
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are read from the environment by boto3.
_S3_COMMON = {"endpoint_url": AWS_S3_ENDPOINT_URL, "region_name": AWS_S3_REGION_NAME,
              "file_overwrite": False, "default_acl": None}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        **_S3_COMMON, "bucket_name": AWS_STORAGE_BUCKET_NAME, "querystring_auth": False}}
if AWS_PRIVATE_STORAGE_BUCKET_NAME:
    STORAGES["private"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        **_S3_COMMON, "bucket_name": AWS_PRIVATE_STORAGE_BUCKET_NAME,
        "querystring_auth": True, "querystring_expire": 60}}
