"""Error reports (Sentry-compatible, only with ``SENTRY_DSN``) and logging."""

from .environment import PRODUCTION, env

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
