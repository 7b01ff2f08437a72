from django.apps import AppConfig


class OpendataConfig(AppConfig):
    """Open data: the files at /donnees/ (the service points in the national schema,
    structures, academy sessions) and the read-only API at /api/v1/. Sits above academy and
    advisors and reads them; none of them imports it."""

    name = "opendata"
    verbose_name = "Données ouvertes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .cache import connect_signals

        # The API's kept answers are forgotten when a record its lists read changes.
        connect_signals()
