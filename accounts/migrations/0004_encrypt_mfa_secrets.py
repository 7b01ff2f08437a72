"""TOTP secrets and recovery-code seeds written in clear before accounts.mfa_crypto are
encrypted (the key: MFA_ENCRYPTION_KEYS, or derived from SECRET_KEY)."""

from django.db import migrations


def encrypt_secrets(apps, schema_editor):
    from accounts.mfa_crypto import reencrypt_all

    reencrypt_all(apps.get_model("mfa", "Authenticator").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_outgoing_email"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, migrations.RunPython.noop)]
