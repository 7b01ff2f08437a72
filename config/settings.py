"""Settings, driven by environment variables.

With nothing set, the platform runs on SQLite with Celery tasks executed eagerly, so that
``make run`` works on a bare machine. ``DATABASE_URL`` switches to PostgreSQL and
``CELERY_BROKER_URL`` (or ``REDIS_URL``) to Redis with real workers.
``DJANGO_ENV=production`` refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.origins import origin_of

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"

if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not env(name)]
    if missing:
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production needs these environment variables: {', '.join(missing)}"
        )

# Debug mode (tracebacks, the public development key below) is opt-in: `make run` sets
# DEBUG=1 for development on this machine, never in production, and in debug the site
# answers only loopback clients (config.debug). Without DEBUG, a SECRET_KEY of one's own
# is required: the development key is in the repository, so anyone could sign sessions
# and password reset links with it. The test suite makes a random one per run
# (config/test_settings.py).
DEBUG = env_bool("DEBUG")
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("DEBUG cannot be on with DJANGO_ENV=production")
PUBLIC_DEVELOPMENT_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = env("SECRET_KEY") or (PUBLIC_DEVELOPMENT_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", PUBLIC_DEVELOPMENT_KEY):
    raise ImproperlyConfigured(
        "DEBUG is off: set SECRET_KEY to a secret value of your own (the development key "
        "is public). For development on this machine, set DEBUG=1 instead (`make run` does)."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Project apps first so their templates override third-party ones.
    "accounts",
    "territories",
    "cms",
    "academy",
    "advisors",
    "calendars",  # after the feature apps: its "Mon espace" block comes last
    "dashboards",  # above academy and advisors: reads both, neither imports it
    "opendata",  # above academy and advisors: /donnees/ and the API read both
    "privacy",  # above the feature apps: export and erasure read them all
    "demo",
    "ops",  # health endpoints, request ids and logs, error reporting, deployment
    "config",  # its runserver refuses other machines in debug (config/debug.py)
    # Design system
    "dsfr",
    "widget_tweaks",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "corsheaders",
    "ninja",  # serves the API docs' Swagger UI from our own static files
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
]

MIDDLEWARE = [
    # /sante/ and /sante/pret/ for the supervisors, before host checks and redirects.
    "ops.health.HealthCheckMiddleware",
    # X-Request-ID in and out, in log lines, tasks and emails; slow requests logged.
    "ops.requestlog.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.debug.LoopbackOnlyInDebugMiddleware",  # in debug, this machine only
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    # NUL and lone surrogates in the path, query string or posted fields: a French 400.
    "config.bad_input.RejectUnreadableInputMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMfaRequiredMiddleware",
    "accounts.middleware.AdminAccessMiddleware",  # 403 instead of a login loop
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: around a kept page, every middleware above runs as around a rendered one.
    "cms.page_cache.AnonymousPageCacheMiddleware",
]
# Wagtail pages kept for anonymous visitors (cms/page_cache.py); publishing and enrolments
# forget them at once, the clock after this long.
ANONYMOUS_PAGE_CACHE_SECONDS = int(env("ANONYMOUS_PAGE_CACHE_SECONDS", "300"))

if PRODUCTION:
    # Static files are collected and served by WhiteNoise; runserver serves them in development.
    MIDDLEWARE.insert(3, "whitenoise.middleware.WhiteNoiseMiddleware")

# The open-data API is read-only and public: any site may call it from a browser.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "config.context_processors.platform",
            ],
            # French dates everywhere ("1er décembre", "9 h"): fr_date, fr_time, fr_deadline…
            "builtins": ["calendars.templatetags.french_dates"],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves a small team (`make run`): readers do not wait for a
    # writer (WAL), a writer waits for another up to 20 s instead of failing, and every
    # transaction takes the write lock as it begins (IMMEDIATE), so two that read then
    # write cannot both hold a read lock and fail "database is locked" (SQLite gives up at
    # once there, whatever the timeout). Tested with 20 concurrent writers.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
# New accounts land on the elected officials' onboarding (mandates), which can be skipped.
ACCOUNT_SIGNUP_REDIRECT_URL = "/espace/profil-elu/?bienvenue=1"

# --- django-allauth -------------------------------------------------------------------------
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
# Password reset and sign-up answer the same whether the address has an account or not:
# the owner of a known address is told by email instead (docs/security.md).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Académie des territoires] "
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupNamesForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
ACCOUNT_RATE_LIMITS = {
    # Per client address only, across accounts. Failures per account are slowed down per
    # account and address by accounts.lockout (progressive delays), never for everyone.
    "login_failed": "30/5m/ip",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "reset_password_from_key": "20/h/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "login_unlock": "10/h/ip,3/h/key",  # unlock links (accounts.lockout)
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP secrets and recovery-code seeds are encrypted in the database (accounts.mfa_crypto):
# comma-separated Fernet keys, the first encrypts, all decrypt (rotation: docs/security.md).
# Without it, a key derived from SECRET_KEY (required and secret in production).
MFA_ENCRYPTION_KEYS = env_list("MFA_ENCRYPTION_KEYS")
MFA_TOTP_ISSUER = "ANCT"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False

# ProConnect (OpenID Connect), enabled only when configured.
PROCONNECT_CLIENT_ID = env("PROCONNECT_CLIENT_ID", "")
PROCONNECT_SECRET = env("PROCONNECT_SECRET", "")
PROCONNECT_SERVER_URL = env(
    "PROCONNECT_SERVER_URL", "https://auth.agentconnect.gouv.fr/api/v2/.well-known/openid-configuration"
)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": (
            [
                {
                    "provider_id": "proconnect",
                    "name": "ProConnect",
                    "client_id": PROCONNECT_CLIENT_ID,
                    "secret": PROCONNECT_SECRET,
                    "settings": {
                        "server_url": PROCONNECT_SERVER_URL,
                        "token_auth_method": "client_secret_post",
                        "scope": ["openid", "email", "given_name", "usual_name"],
                    },
                }
            ]
            if PROCONNECT_CLIENT_ID and PROCONNECT_SECRET
            else []
        )
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
# Front-end packages installed by npm (package.json), served under /static/vendor/<name>/.
STATICFILES_DIRS += [
    (f"vendor/{name}", BASE_DIR / "node_modules" / path)
    for name, path in [("leaflet", "leaflet/dist")]
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
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
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

# --- Wagtail --------------------------------------------------------------------------------
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

# --- Platform -------------------------------------------------------------------------------
# The one public address of the platform: allauth's emails, the Wagtail site's hostname and
# port (synchronised after every migrate, accounts.site), feeds, notices. In production it
# defaults to https:// and the first of ALLOWED_HOSTS, never to a development address.
SITE_URL = env("SITE_URL") or (
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = SITE_URL
DIRECTORY_TILE_URL = env("DIRECTORY_TILE_URL", "")  # e.g. an OSM tile server's {z}/{x}/{y}.png
SERVICE_NAME = "Agence nationale de la cohésion des territoires"
SERVICE_TAGLINE = "Académie des territoires · Conseillers numériques"
# The host named in the "Mentions légales" (name, address, telephone), set by each deployment.
HOSTING_PROVIDER = env("HOSTING_PROVIDER", "")
# Gross monthly legal minimum wage (SMIC, full time): no advisor contract may pay less.
ADVISOR_MINIMUM_MONTHLY_SALARY = Decimal("1823.03")
# Business register (API Recherche d'entreprises) checking a structure's SIRET and
# prefilling its name and address; empty (development, tests): not asked. Production:
# https://recherche-entreprises.api.gouv.fr/search
SIRENE_SEARCH_URL = env("SIRENE_SEARCH_URL", "")
SIRENE_SEARCH_TIMEOUT = float(env("SIRENE_SEARCH_TIMEOUT", "2"))

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Académie des territoires <academie@anct.gouv.fr>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "media" / "emails"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 20

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or env("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "default")
CELERY_TIMEZONE = TIME_ZONE
# Workers and beat log through LOGGING below (JSON lines with the request id in production).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A request publishing a task must not hang when Redis does not answer: connect within 3 s
# (the default waits for the system's TCP timeout). Messages wait in the outbox meanwhile.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3}
# Beat writes a heartbeat that /sante/pret/ reads (ops.health): silent this long, not ready.
CELERY_BEAT_SCHEDULER = "ops.beat.HeartbeatScheduler"
HEALTH_BEAT_MAX_AGE = int(env("HEALTH_BEAT_MAX_AGE", "300"))
CELERY_BEAT_SCHEDULE = {
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "accounts-flush-outbox": {
        # Emails queued while the broker was down, or whose worker died (accounts.outbox).
        "task": "accounts.tasks.flush_outbox",
        "schedule": 60.0,
    },
    "academy-send-reminders": {
        "task": "academy.tasks.send_reminders",
        "schedule": crontab(minute=5),  # hourly
    },
    "academy-send-surveys": {
        "task": "academy.tasks.send_surveys",
        "schedule": crontab(hour=18, minute=0),
    },
    "advisors-send-prefect-digests": {
        # New applications of their territory, once a day, to each préfet.
        "task": "advisors.tasks.send_prefect_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "dashboards-take-daily-snapshots": {
        # The dashboards' indicators of every département, for their history.
        "task": "dashboards.tasks.take_daily_snapshots",
        "schedule": crontab(hour=23, minute=30),
    },
    "advisors-rebuild-activity-rollups": {
        # The dashboards' activity totals, recomputed from the reports once a week.
        "task": "advisors.tasks.rebuild_activity_rollups",
        "schedule": crontab(day_of_week="sunday", hour=2, minute=40),
    },
    "cms-publish-scheduled": {
        # Pages and snippets whose "go live" / "expiry" dates have passed.
        "task": "cms.tasks.publish_scheduled",
        "schedule": 60.0,
    },
    "privacy-purge-inactive-accounts": {
        # Monthly: warns accounts unused for 3 years, erases them 30 days later.
        "task": "privacy.tasks.purge_inactive_accounts",
        "schedule": crontab(day_of_month=1, hour=4, minute=40),
    },
}

# --- Caches ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
# With Redis stopped, the site goes on: reads are misses, writes are skipped (and forgotten
# once Redis answers), one warning a minute; rate limits and sign-in failure counts are
# kept in each process's memory meanwhile (config/cache.py, docs/faults.md).
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": 1, "socket_timeout": 2,  # seconds; Redis answers in < 1 ms
    "RETRY_AFTER": 5,  # seconds without trying Redis after a failure
    "LOG_EVERY": 60,
    "LOCAL_KEY_PREFIXES": ["allauth:rl:", "throttle_", "login-failures"],
}
CACHES = {
    "default": (
        {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": REDIS_CACHE_OPTIONS}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions live in the database, never in the cache: Redis down logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Security -------------------------------------------------------------------------------
# See docs/security.md for what each protection does and where it is tested.
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# No page is meant to be framed; Wagtail's preview views set SAMEORIGIN on their own responses.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Videos editors may embed (cms VideoBlock): their players' origins, in frame-src.
VIDEO_EMBED_ORIGINS = env_list(
    "VIDEO_EMBED_ORIGINS",
    "https://www.dailymotion.com,https://geo.dailymotion.com,https://www.youtube-nocookie.com,"
    "https://player.vimeo.com",
)
_proconnect_origin = origin_of(PROCONNECT_SERVER_URL) if PROCONNECT_CLIENT_ID else None
# Content-Security-Policy (django-csp 4): the public site runs only our own scripts and styles,
# and inline ones only with the response's nonce; no 'unsafe-inline'. The Wagtail admin gets
# ADMIN_CONTENT_SECURITY_POLICY instead (config.security).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],  # + the directory's tile server, added per request
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *VIDEO_EMBED_ORIGINS],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        # A login with ProConnect posts here then is redirected to ProConnect.
        "form-action": [SELF, *filter(None, [_proconnect_origin])],
    }
}
# Wagtail 8's admin still writes inline scripts and styles (widgets, choosers, previews): it
# keeps 'unsafe-inline' for those two, and everything else as strict; its previews are framed
# by the admin itself. Only staff with TOTP reach it.
ADMIN_URL_PREFIX = "/admin/"
ADMIN_CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": [SELF, "'unsafe-inline'"],
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:", "blob:"],
    "frame-ancestors": [SELF],
}
# Browser features no page uses are switched off (config.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    "accelerometer": [], "autoplay": [], "camera": [], "display-capture": [],
    "geolocation": [], "gyroscope": [], "magnetometer": [], "microphone": [],
    "midi": [], "payment": [], "usb": [],
    "fullscreen": ["self", *VIDEO_EMBED_ORIGINS],  # embedded videos may go full screen
}
# Reverse proxies in front of the application that append to X-Forwarded-For (nginx: 1).
# One setting read by django-ninja (API throttling), allauth (login and reset limits) and
# accounts.network.client_ip; with 0, the header is ignored and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Error reports to Sentry or a compatible service, only when SENTRY_DSN is set; personal
# data scrubbed before sending (ops.errors).
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    from ops import errors as _errors

    _errors.init(SENTRY_DSN, env("SENTRY_ENVIRONMENT", "production" if PRODUCTION else "dev"),
                 float(env("SENTRY_TRACES_SAMPLE_RATE", "0")))

# One JSON object per line in production (LOG_FORMAT=json|text), each with its request id.
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "text")
SLOW_REQUEST_MS = int(env("SLOW_REQUEST_MS", "500"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.requestlog.RequestIdFilter"}},
    "formatters": {"json": {"()": "ops.requestlog.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             **({"formatter": "json"} if LOG_FORMAT == "json" else {})}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail's per-edit and per-task lines; the audit log in the database keeps them.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},  # one line per task otherwise
    },
}
