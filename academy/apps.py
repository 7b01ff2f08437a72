from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Académie des territoires"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import spaces
        from calendars import registry

        from . import space_cache
        from .calendar import personal_source
        from .space import space_section
        from .views import catalog  # noqa: F401  (registers itself as CatalogPage's view)

        spaces.register("academy/space/section.html", space_section,
                        late=space_cache.fill_in_ranks)
        space_cache.connect()  # "Mon espace" kept per person, renewed on each change
        from . import trainer_views

        spaces.register("academy/space/trainer_section.html", trainer_views.space_section)
        from . import survey_views

        spaces.register("academy/space/survey_section.html", survey_views.space_section)
        from . import funding_views

        spaces.register("academy/space/dif_section.html", funding_views.space_section)
        # Course pages show their approved body: kept pages forget it when it changes.
        from cms import page_cache as kept_pages

        from .models.funding import TrainingBody

        kept_pages.VERSION.renew_on_changes(TrainingBody)
        # Course pages and the catalogue show sessions and seats left: pages kept for
        # anonymous visitors are forgotten when a session or an enrolment changes.
        from cms import page_cache

        from .models import Enrolment, Session

        page_cache.VERSION.renew_on_changes(Session, Enrolment)
        registry.register(personal_source)
        # A change of a session's time, place or link is told to its participants.
        from . import notices

        notices.connect()
        # A correction of the attendance revokes the attestation issued on it.
        from . import attestations

        attestations.connect()
        # The messages of a new enrolment are written by the worker that sends them.
        from accounts.outbox import register_composer

        from . import emails

        register_composer(emails.COMPOSER, emails.compose)
