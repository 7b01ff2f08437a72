"""TOTP secrets and recovery-code seeds are encrypted in the database (accounts.mfa_crypto,
through allauth's MFA adapter): a copy of `mfa_authenticator` reveals no secret; secrets
stored in clear before are encrypted by the migration; keys can be rotated."""

import importlib
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from accounts import mfa_crypto
from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Mot-de-passe-solide-2026"


def code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def stored_data(authenticator):
    """The row as a database copy shows it, read without the ORM."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        return str(cursor.fetchone()[0])


@pytest.fixture
def person(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user(email="agent@anct.gouv.fr", password=PASSWORD,
                                    first_name="A", last_name="B")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in_with_totp(client, secret):
    cache.clear()  # allauth refuses a code already used (kept in the cache): a new sign-in
    client.logout()
    response = client.post("/comptes/login/", {"login": "agent@anct.gouv.fr",
                                               "password": PASSWORD})
    assert response["Location"] == "/comptes/2fa/authenticate/"
    client.post("/comptes/2fa/authenticate/", {"code": code(secret)})
    return "_auth_user_id" in client.session


def test_a_totp_set_up_in_the_browser_is_stored_encrypted_and_still_signs_in(client, person):
    client.post("/comptes/login/", {"login": person.email, "password": PASSWORD})
    client.post("/comptes/reauthenticate/", {"password": PASSWORD})  # asked before setup
    client.get("/comptes/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/comptes/2fa/totp/activate/", {"code": code(secret)})
    assert response.status_code == 302
    totp = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    recovery = Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES)
    assert secret not in stored_data(totp) and "fernet:" in stored_data(totp)
    seed = mfa_crypto.decrypt(recovery.data["seed"])
    assert seed not in stored_data(recovery) and "fernet:" in stored_data(recovery)
    assert sign_in_with_totp(client, secret)


def test_the_migration_encrypts_secrets_stored_in_clear(client, person):
    secret = generate_totp_secret()
    totp = Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP,
                                        data={"secret": secret})
    migration = importlib.import_module("accounts.migrations.0004_encrypt_mfa_secrets")
    migration.encrypt_secrets(apps, None)
    assert secret not in stored_data(totp)
    assert sign_in_with_totp(client, secret)
    migration.encrypt_secrets(apps, None)  # a second run keeps it readable
    totp.refresh_from_db()
    assert mfa_crypto.decrypt(totp.data["secret"]) == secret


def test_keys_are_rotated_without_locking_anyone_out(client, person, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [old]
    secret = generate_totp_secret()
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP,
                                 data={"secret": mfa_crypto.encrypt(secret)})
    settings.MFA_ENCRYPTION_KEYS = [new, old]  # the new key first, the old one kept
    assert sign_in_with_totp(client, secret)
    call_command("rotate_mfa_keys", stdout=open("/dev/null", "w"))
    settings.MFA_ENCRYPTION_KEYS = [new]  # the old key removed after the command
    assert sign_in_with_totp(client, secret)


def test_without_a_configured_key_the_key_comes_from_this_deployments_secret_key(settings):
    """No key is written in the code: the default is derived from SECRET_KEY, which every
    deployment must set to its own secret (the public development key is refused without
    DEBUG), so another deployment's database copy cannot be read with it."""
    settings.MFA_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "deployment-one-" + "x" * 40
    token = mfa_crypto.encrypt("JBSWY3DPEHPK3PXP")
    assert mfa_crypto.decrypt(token) == "JBSWY3DPEHPK3PXP"
    settings.SECRET_KEY = "deployment-two-" + "y" * 40
    with pytest.raises(mfa_crypto.UnreadableSecret):
        mfa_crypto.decrypt(token)


def test_a_malformed_key_is_refused_at_start(settings):
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "trop-court"]
    assert [error.id for error in mfa_crypto.check_keys()] == ["accounts.E002"]
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert mfa_crypto.check_keys() == []
