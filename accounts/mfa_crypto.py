"""Encryption at rest of the two-factor secrets (TOTP secrets, recovery-code seeds).

allauth stores them in ``mfa_authenticator.data`` and passes them through its MFA adapter's
``encrypt``/``decrypt`` (``accounts.adapters.MFAAdapter``). They are encrypted with Fernet
(AES-128-CBC + HMAC-SHA256) under the keys of ``MFA_ENCRYPTION_KEYS``: the first key
encrypts, every listed key decrypts, so a key is rotated by putting the new one first, running
``manage.py rotate_mfa_keys`` and then removing the old one. Without the setting, the key is
derived from ``SECRET_KEY`` (a development default in development, the deployment's secret
in production, where ``SECRET_KEY`` is required).

An encrypted value starts with ``PREFIX``; a value without it is a secret written in clear
before this module existed, read as it is until the migration (or the rotation command)
encrypts it."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"
# Where allauth keeps a secret, per authenticator type; "migrated_codes" is a list.
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed", "migrated_codes")}


class UnreadableSecret(Exception):
    """A secret encrypted with a key that is no longer configured."""


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"anct-mfa-secrets:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "MFA_ENCRYPTION_KEYS", []) or []) or [_derived_key()]
    return MultiFernet([Fernet(key) for key in keys])


def is_encrypted(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(value: str) -> str:
    if not is_encrypted(value):
        return value  # written in clear before encryption; the migration encrypts it
    try:
        return _fernet().decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken as error:
        raise UnreadableSecret(
            "A two-factor secret cannot be decrypted with MFA_ENCRYPTION_KEYS: the key that "
            "encrypted it must stay listed until `manage.py rotate_mfa_keys` has run."
        ) from error


def _current(value: str) -> str:
    """``value`` encrypted under the first key (clear values encrypted, others re-encrypted)."""
    if is_encrypted(value):
        return PREFIX + _fernet().rotate(value[len(PREFIX):].encode()).decode()
    return encrypt(value)


def reencrypt_data(kind: str, data: dict) -> dict:
    """The authenticator's ``data`` with its secrets encrypted under the current key."""
    data = dict(data)
    for field in SECRET_FIELDS.get(kind, ()):
        value = data.get(field)
        if isinstance(value, str):
            data[field] = _current(value)
        elif isinstance(value, list):
            data[field] = [_current(item) for item in value]
    return data


def reencrypt_all(authenticators) -> int:
    """Encrypts (or re-encrypts under the first key) the secrets of ``authenticators``, a
    queryset of allauth's ``Authenticator`` (the real model or a migration's). Returns how
    many rows changed."""
    changed = 0
    for authenticator in authenticators.filter(type__in=list(SECRET_FIELDS)).iterator():
        data = reencrypt_data(authenticator.type, authenticator.data)
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed


def check_keys(app_configs=None, **kwargs):
    """System check: every key of MFA_ENCRYPTION_KEYS must be a Fernet key (otherwise each
    sign-in with TOTP would fail)."""
    from django.core.checks import Error

    errors = []
    for position, key in enumerate(getattr(settings, "MFA_ENCRYPTION_KEYS", []) or [], 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(Error(
                f"MFA_ENCRYPTION_KEYS: key n°{position} is not a Fernet key.",
                hint="Generate one with: python -c \"from cryptography.fernet import Fernet; "
                     "print(Fernet.generate_key().decode())\"",
                id="accounts.E002"))
    return errors
