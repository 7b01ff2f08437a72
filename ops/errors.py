"""Error reports to Sentry or a compatible service (GlitchTip…), only when SENTRY_DSN is set.

Nothing personal leaves: no IP address, cookies, headers that authenticate, posted fields,
query strings, nor user other than its id; email addresses in messages, exception values and
breadcrumbs are masked."""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
MASK = "[masqué]"
SENSITIVE_HEADERS = {"cookie", "authorization", "x-csrftoken", "x-forwarded-for",
                     "x-real-ip", "proxy-authorization"}


def _mask(value):
    if isinstance(value, str):
        return EMAIL.sub(MASK, value)
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(item) for item in value]
    return value


def scrub(event, hint=None):
    request = event.get("request") or {}
    for key in ("cookies", "data", "query_string", "env"):
        request.pop(key, None)
    if "headers" in request:
        request["headers"] = {name: value for name, value in request["headers"].items()
                              if name.lower() not in SENSITIVE_HEADERS}
    if "url" in request:
        request["url"] = request["url"].split("?", 1)[0]
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if user.get("id") else {}
    for key in ("message", "logentry", "exception", "breadcrumbs", "extra"):
        if key in event:
            event[key] = _mask(event[key])
    return event


def init(dsn, environment, traces_sample_rate):
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn, environment=environment, traces_sample_rate=traces_sample_rate,
        send_default_pii=False, max_request_body_size="never", include_local_variables=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=scrub, before_send_transaction=scrub,
    )
