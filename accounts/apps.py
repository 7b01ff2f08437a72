from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from .models import User, forget_roles

        m2m_changed.connect(forget_roles, sender=User.groups.through,
                            dispatch_uid="accounts-forget-roles")
        # "Mon espace" kept per person: renewed when the account's own data change.
        from . import space_cache

        space_cache.connect()
        # Signed-in pages kept whole (core.personal_pages) hold while the person is unchanged.
        from core import personal_pages

        personal_pages.always_depend_on(space_cache.person_keys)

        from django.core.checks import register
        from django.db.models.signals import post_migrate

        from .mfa_crypto import check_keys
        from .private_files import check_private_root
        from .site import sync_after_migrate

        register(check_private_root)
        register(check_keys)

        # The Wagtail site's hostname and port follow SITE_URL (accounts.site).
        post_migrate.connect(sync_after_migrate, sender=self,
                             dispatch_uid="accounts-sync-wagtail-site")
