from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content for `make run`; the only app allowed to import every other app."""

    name = "demo"
    verbose_name = "Données de démonstration"
