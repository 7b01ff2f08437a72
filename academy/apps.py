from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Académie des territoires"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import spaces
        from calendars import registry

        from .calendar import personal_source
        from .space import space_section

        spaces.register("academy/space/section.html", space_section)
        registry.register(personal_source)
