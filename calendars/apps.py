from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "Calendriers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import spaces

        from .space import connect, space_section

        spaces.register("calendars/space_section.html", space_section)
        connect()
