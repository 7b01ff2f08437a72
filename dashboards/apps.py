from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The deployment dashboards (``/tableau-de-bord/``): indicators, daily snapshots and
    exports. Sits above academy and advisors, which it reads; none of them imports it. The
    advisors app tells it through signals (``advisors/signals.py``) when what it counts
    changes without a model signal."""

    name = "dashboards"
    verbose_name = "Tableaux de bord"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import spaces

        from . import cache, whole_pages
        from .personal_views import space_section

        # The cached figures are forgotten when what they count changes.
        cache.connect_signals()
        whole_pages.connect_signals()
        # "Mon espace" links to the person's statistics (advisor, coordinator, manager).
        spaces.register("dashboards/space_section.html", space_section)
