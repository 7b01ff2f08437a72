"""Security headers the project adds on top of Django's SecurityMiddleware (HSTS, nosniff,
Referrer-Policy, COOP) and XFrameOptionsMiddleware. See docs/security.md."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

from config.origins import origin_of


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with two project rules:

    - the Wagtail admin (``settings.ADMIN_URL_PREFIX``) answers with
      ``settings.ADMIN_CONTENT_SECURITY_POLICY``, since Wagtail still writes inline scripts and
      styles; the public site keeps the strict, nonce-based ``CONTENT_SECURITY_POLICY``;
    - the directory's map tiles (``settings.DIRECTORY_TILE_URL``) are allowed in ``img-src``,
      read per request so that the setting alone decides.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if request.path_info.startswith(settings.ADMIN_URL_PREFIX) and parts.config is None:
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY
            parts.nonce = None  # a nonce would make browsers ignore 'unsafe-inline'
        tiles = origin_of(settings.DIRECTORY_TILE_URL)
        if tiles:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", []), tiles]
            parts.update = update
        return parts


def permissions_policy_header(policy) -> str:
    """``{"camera": [], "fullscreen": ["self", "https://x"]}`` →
    ``camera=(), fullscreen=(self "https://x")``."""
    items = []
    for feature, allowed in policy.items():
        values = " ".join(value if value in ("self", "*") else f'"{value}"' for value in allowed)
        items.append(f"{feature}=({values})")
    return ", ".join(items)


class PermissionsPolicyMiddleware:
    """Sets Permissions-Policy from ``settings.PERMISSIONS_POLICY`` on every response;
    ``settings.PERMISSIONS_POLICY_PATHS`` ({path prefix: {feature: allowed}}) opens a
    feature on some pages only (the directory's "Autour de moi" asks the position)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)
        self.by_path = [
            (prefix, permissions_policy_header({**settings.PERMISSIONS_POLICY, **opened}))
            for prefix, opened in getattr(settings, "PERMISSIONS_POLICY_PATHS", {}).items()]

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = next(
                (header for prefix, header in self.by_path
                 if request.path_info == prefix), self.header)
        return response
