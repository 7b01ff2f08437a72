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
