import datetime
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError

from . import lockout, mfa_crypto
from .emails import queue_email
from .network import client_ip
from .site import current_site, on_site


def _login_of(credentials) -> str:
    return (credentials.get("email") or credentials.get("username") or "").strip().lower()


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}\u00a0seconde{'s' if seconds > 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes}\u00a0minute{'s' if minutes > 1 else ''}"


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's emails (verification, password reset…) through the Celery queue, with
    the site's name and address from ``SITE_URL``; slows down failed logins per account and
    address (``accounts.lockout``)."""

    def send_mail(self, template_prefix, email, context):
        context = {
            "email": email,
            **context,
            "current_site": current_site(),
            "site_url": settings.SITE_URL,
        }
        for name, value in list(context.items()):
            if name.endswith("_url") and isinstance(value, str):
                context[name] = on_site(value)
        message = self.render_mail(template_prefix, email, context)
        html = None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        queue_email(
            subject=message.subject,
            to=message.to,
            text=message.body,
            html=html,
            from_email=message.from_email,
        )

    def get_client_ip(self, request):
        # The same reading as the API's throttling and the lock-out (TRUSTED_PROXY_COUNT).
        return client_ip(request) or super().get_client_ip(request)

    def pre_authenticate(self, request, **credentials):
        login = _login_of(credentials)
        wait = lockout.seconds_to_wait(login, client_ip(request)) if login else 0
        if wait:
            request.login_delayed = True
            raise ValidationError(
                "Trop de mots de passe erronés pour ce compte depuis votre connexion : "
                f"réessayez dans {_wait_text(wait)}, ou recevez un lien de déblocage par "
                "e\u2011mail.",
                code="login_delayed",
            )
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request, **credentials):
        login = _login_of(credentials)
        if login:
            lockout.record_failure(login, client_ip(request))
        super().authentication_failed(request, **credentials)

    def login(self, request, user):
        lockout.clear(user.email, client_ip(request))
        return super().login(request, user)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Setting up the first second factor right after logging in (préfets and ANCT staff
        # are sent there on their first visit) does not ask for the password just typed.
        if app == "allauth.mfa" and self._just_logged_in_without_mfa():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _just_logged_in_without_mfa(self) -> bool:
        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        records = get_authentication_records(request, user)
        if not records:
            return False
        logged_in_at = records[-1]["at"]
        if time.time() - logged_in_at >= account_settings.REAUTHENTICATION_TIMEOUT:
            return False
        # Changing factors that existed before this login still asks for the password again;
        # the recovery codes of the TOTP just set up are shown without it.
        return not Authenticator.objects.filter(
            user=user, created_at__lt=datetime.datetime.fromtimestamp(
                logged_in_at, tz=datetime.UTC)).exists()


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted at rest (``accounts.mfa_crypto``)."""

    def encrypt(self, text):
        return mfa_crypto.encrypt(text)

    def decrypt(self, encrypted_text):
        return mfa_crypto.decrypt(encrypted_text)
