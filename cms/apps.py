from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _apply_editorial_permissions(sender, using="default", **kwargs):
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .editorial import apply_editorial_permissions

    # Apps after cms in INSTALLED_APPS get their permissions later in the same signal
    # round; create them now (idempotent) so the roles can be granted in one go.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    apply_editorial_permissions()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Contenus"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import personal_pages

        from .page_cache import connect_signals, header_keys

        # Pages kept for anonymous visitors are forgotten on publishing and snippet edits.
        connect_signals()
        personal_pages.always_depend_on(header_keys)
        # Runs once per migrate.
        post_migrate.connect(_apply_editorial_permissions, sender=self,
                             dispatch_uid="cms-editorial-permissions")
