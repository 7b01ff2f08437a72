"""The applications and middleware, URLs, templates, and the language and time zone."""

from .environment import BASE_DIR, PRODUCTION, env

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
    # Pages and API answers compressed for the browsers that accept it (an 80 kB course page
    # becomes ~10 kB); below WhiteNoise (inserted above in production), whose static files
    # are compressed ahead of time. Django's gzip pads each answer against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "config.debug.LoopbackOnlyInDebugMiddleware",  # in debug, this machine only
    # Pages kept for anonymous visitors (no session or messages cookie) are answered here,
    # before sessions, CSRF and authentication, with the headers the middleware below gave
    # them when they were rendered (cms/page_cache.py).
    "cms.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Signed-in pages kept whole for the session that saw them, while the versions of what
    # they show hold (core/personal_pages.py): answered here, with the headers the middleware
    # below gave them, a new nonce and the request's own CSRF token.
    "core.personal_pages.PersonalPageCacheMiddleware",
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
]
# Wagtail pages kept for anonymous visitors (cms/page_cache.py); publishing and enrolments
# forget them at once, the clock after this long.
ANONYMOUS_PAGE_CACHE_SECONDS = int(env("ANONYMOUS_PAGE_CACHE_SECONDS", "300"))
# Signed-in pages kept whole (core/personal_pages.py): at most this long, never past midnight.
PERSONAL_PAGE_CACHE_SECONDS = int(env("PERSONAL_PAGE_CACHE_SECONDS", "300"))

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

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
