from django.apps import AppConfig


class AdvisorsConfig(AppConfig):
    name = "advisors"
    verbose_name = "Conseillers numériques"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from allauth.account.signals import email_confirmed

        from calendars import registry
        from cms import page_cache

        from . import fragments, geocoding, public_records
        from .calendar import personal_source
        from .directory import embed, near_me
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
        # The personal pages' kept parts (structure page, reports, beneficiaries, préfets'
        # applications), renewed in the writers' transactions.
        fragments.connect_signals()
        # Except "Autour de moi" (a position): never in Redis, kept in the process's memory
        # (directory.near_me) and answered as early as the page cache's own.
        page_cache.keep_route("directory:search", public_records.VERSION, seconds=60,
                              never=near_me.carries_position)
        page_cache.answer_early("directory:search", near_me.carries_position, near_me.lookup,
                                near_me.keep)
        page_cache.keep_route("directory:service_point", public_records.VERSION, seconds=60)
        # The framed map: its finished answer (framing headers included) kept per process.
        page_cache.answer_early("directory:embedded", embed.applies_early, embed.early_lookup,
                                embed.early_keep)
