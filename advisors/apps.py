from django.apps import AppConfig


class AdvisorsConfig(AppConfig):
    name = "advisors"
    verbose_name = "Conseillers numériques"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from allauth.account.signals import email_confirmed

        from calendars import registry
        from cms import page_cache

        from . import geocoding, public_records
        from .calendar import personal_source
        from .services.accounts import on_email_confirmed
        from .views.space import register_space_section

        registry.register(personal_source)
        register_space_section()
        # An advisor declared by their structure finds their record when they confirm
        # the same professional email on the platform.
        email_confirmed.connect(on_email_confirmed, dispatch_uid="advisors-link-account")
        # The public directory answers every anonymous visitor of one address alike: kept
        # until a service point changes, and a minute at most ("ouvert maintenant").
        public_records.connect_signals()
        # Service points and structures located from their address (Base Adresse Nationale).
        geocoding.connect_signals()
        for route in ("directory:search", "directory:service_point"):
            page_cache.keep_route(route, public_records.VERSION, seconds=60)
