from django.apps import AppConfig


class AdvisorsConfig(AppConfig):
    name = "advisors"
    default_auto_field = "django.db.models.BigAutoField"
