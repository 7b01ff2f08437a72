"""Accounts: the user model, passwords, django-allauth (email login, rate limits,
two-factor authentication) and ProConnect."""

from .environment import env, env_list

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
