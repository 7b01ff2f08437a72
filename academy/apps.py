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
        # Course pages and the catalogue show sessions and seats left: pages kept for
        # anonymous visitors are forgotten when a session or an enrolment changes.
        from django.db.models.signals import post_delete, post_save

        from cms import page_cache

        from .models import Enrolment, Session

        for model in (Session, Enrolment):
            post_save.connect(page_cache.bump, sender=model,
                              dispatch_uid=f"page-cache-{model.__name__}")
            post_delete.connect(page_cache.bump, sender=model,
                                dispatch_uid=f"page-cache-{model.__name__}-delete")
        registry.register(personal_source)
