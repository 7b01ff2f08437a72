"""HTTP security: cookies, headers, Content-Security-Policy, Permissions-Policy, trusted
proxies, and HTTPS with HSTS in production (docs/security.md)."""

from csp.constants import NONCE, NONE, SELF

from config.origins import origin_of

from .accounts import PROCONNECT_CLIENT_ID, PROCONNECT_SERVER_URL
from .environment import PRODUCTION, env, env_bool, env_list

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
# Pages (exact paths) opening a feature: the directory's "Autour de moi" asks the browser's
# position, with the visitor's permission, for one search (never stored).
PERMISSIONS_POLICY_PATHS = {"/conseillers/": {"geolocation": ["self"]}}
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
