"""Request ids, slow requests and JSON logs.

Every request gets an id: the caller's ``X-Request-ID`` when it is a plausible one (a proxy
or load balancer's), else a new one; it is sent back in the response's ``X-Request-ID``,
added to every log line written while the request runs, carried into the Celery tasks the
request publishes (a message header) and from there into their log lines and the emails they
send (an ``X-Request-ID`` header). A request slower than ``SLOW_REQUEST_MS`` is logged with
its route pattern (``/inscriptions/<int:session_id>/``, never the values in the path).
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.conf import settings

HEADER = "X-Request-ID"
CELERY_HEADER = "anct_request_id"
ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

current_request_id = contextvars.ContextVar("request_id", default=None)
slow_logger = logging.getLogger("ops.slow_requests")


def new_request_id():
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if ACCEPTED.match(given) else new_request_id()
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed_ms = (time.perf_counter() - started) * 1000
            if elapsed_ms > settings.SLOW_REQUEST_MS:
                match = getattr(request, "resolver_match", None)
                route = ("/" + match.route) if match is not None and match.route else (
                    "(page Wagtail)" if match is not None else "(aucune route)")
                slow_logger.warning(
                    "Slow request: %s %s took %d ms", request.method, route, elapsed_ms,
                    extra={"route": route, "method": request.method,
                           "status": response.status_code,
                           "duration_ms": round(elapsed_ms)})
            response[HEADER] = request_id
            return response
        finally:
            current_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (or None) to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and key not in entry and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) \
                    else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# --- Celery: the id travels with the task ---------------------------------------------------
def add_request_id_to_task(headers=None, **kwargs):
    request_id = current_request_id.get()
    if request_id and headers is not None:
        headers[CELERY_HEADER] = request_id


_task_tokens = {}


def take_request_id_from_task(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, CELERY_HEADER, None) or (
        (task.request.headers or {}).get(CELERY_HEADER) if task is not None else None)
    _task_tokens[task_id] = current_request_id.set(request_id)


def forget_task_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        current_request_id.reset(token)


def connect_celery_signals():
    from celery import signals

    signals.before_task_publish.connect(add_request_id_to_task, weak=False)
    signals.task_prerun.connect(take_request_id_from_task, weak=False)
    signals.task_postrun.connect(forget_task_request_id, weak=False)


# --- Emails: the id in a header -------------------------------------------------------------
def tag_emails_with_request_id():
    from django.core.mail.message import EmailMessage

    if getattr(EmailMessage.message, "_adds_request_id", False):
        return
    original = EmailMessage.message

    def message(self, *args, **kwargs):
        built = original(self, *args, **kwargs)
        request_id = current_request_id.get()
        if request_id and HEADER not in built:
            built[HEADER] = request_id
        return built

    message._adds_request_id = True
    EmailMessage.message = message
