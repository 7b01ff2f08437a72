from django.apps import AppConfig


class AdvisorsConfig(AppConfig):
    name = "advisors"
    verbose_name = "Conseillers numériques"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calendars import registry

        from .calendar import personal_source
        from .views.space import register_space_section

        registry.register(personal_source)
        register_space_section()
