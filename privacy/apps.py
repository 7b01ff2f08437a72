from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """The person's data rights: export, erasure, inactivity purge, and the register and
    accessibility pages. Sits above accounts, academy and advisors; none of them imports it."""

    name = "privacy"
    verbose_name = "Données personnelles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import spaces

        from .views import space_section

        spaces.register("privacy/space_section.html", space_section)
