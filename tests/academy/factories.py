"""factory_boy factories for the Académie: catalogue pages, sessions, enrolments, élus.

Pages are not saved like rows: ``_create`` inserts them in the Wagtail tree
(``parent.add_child(instance=…)``) and publishes a revision, so ``CoursePageFactory()``
gives a live course under the catalogue, itself created under the home page when missing."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from academy.models import (
    Attendance,
    CatalogPage,
    CoursePage,
    CourseTheme,
    Enrolment,
    Format,
    Mandate,
    MandateRole,
    OfficialProfile,
    Partner,
    Session,
)
from cms.models import HomePage
from tests.accounts.factories import UserFactory
from tests.territories.factories import CommuneFactory


class CourseThemeFactory(DjangoModelFactory):
    class Meta:
        model = CourseTheme
        django_get_or_create = ("slug",)

    name = factory.Iterator(["Transition écologique", "Numérique", "Finances locales",
                             "Urbanisme", "Cohésion sociale"])
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Centre de formation {n}")
    url = "https://partenaire.example.fr/"


class CatalogPageFactory(DjangoModelFactory):
    """The one catalogue (``max_count = 1``): the existing page when there is one."""

    class Meta:
        model = CatalogPage

    title = "Formations"
    slug = "formations"
    intro = "Le catalogue."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        existing = model_class.objects.first()
        if existing:
            return existing
        page = model_class(*args, **kwargs)
        HomePage.objects.get().add_child(instance=page)
        page.save_revision().publish()
        return page


class CoursePageFactory(DjangoModelFactory):
    """A course page under the catalogue (``parent``), published unless ``publish=False``
    (trait ``draft``); ``themes`` and ``partners`` are set before the revision is saved."""

    class Meta:
        model = CoursePage

    class Params:
        draft = factory.Trait(publish=False)

    title = factory.Sequence(lambda n: f"Formation {n}")
    slug = factory.Sequence(lambda n: f"formation-{n}")
    summary = factory.LazyAttribute(lambda o: f"Résumé de {o.title}.")
    objectives = "<ul><li>Comprendre les enjeux</li></ul>"
    duration_hours = Decimal("7")
    format = Format.ON_SITE
    # Not fields: consumed by _create.
    parent = None
    themes = ()
    partners = ()
    publish = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, themes=(), partners=(), publish=True,
                **kwargs):
        page = model_class(*args, **kwargs)
        (parent or CatalogPageFactory()).add_child(instance=page)
        page.themes.set(themes)
        page.partners.set(partners)
        revision = page.save_revision()
        if publish:
            revision.publish()
        else:
            page.unpublish()
        return model_class.objects.get(pk=page.pk)


def session_dates(start):
    """A 7-hour session's end, enrolment window and cancellation deadline for ``start``."""
    return {
        "end": start + timedelta(hours=7),
        "enrolment_opens": start - timedelta(days=60),
        "enrolment_closes": start - timedelta(days=1),
        "cancellation_deadline": start - timedelta(days=3),
    }


def _date_of(name):
    return factory.LazyAttribute(lambda o: session_dates(o.start)[name])


class SessionFactory(DjangoModelFactory):
    """A 7-hour session ``days`` (30) from now in a commune, enrolments open; without a
    commune it is held by videoconference. Traits: ``remote``, ``hybrid``, ``cancelled``,
    ``past`` (held yesterday)."""

    class Meta:
        model = Session

    class Params:
        days = 30
        remote = factory.Trait(commune=None)
        hybrid = factory.Trait(remote_url="https://webconf.example.fr/s")
        cancelled = factory.Trait(status=Session.Status.CANCELLED)
        past = factory.Trait(days=-1)

    course = factory.SubFactory(CoursePageFactory)
    start = factory.LazyAttribute(
        lambda o: timezone.now().replace(microsecond=0) + timedelta(days=o.days))
    end = _date_of("end")
    commune = factory.SubFactory(CommuneFactory)
    remote_url = factory.LazyAttribute(
        lambda o: "" if o.commune else "https://webconf.example.fr/s")
    capacity = 20
    enrolment_opens = _date_of("enrolment_opens")
    enrolment_closes = _date_of("enrolment_closes")
    cancellation_deadline = _date_of("cancellation_deadline")


class OfficialProfileFactory(DjangoModelFactory):
    class Meta:
        model = OfficialProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    is_employee = False


class MandateFactory(DjangoModelFactory):
    """A mayor's mandate since the 2020 municipal elections."""

    class Meta:
        model = Mandate

    profile = factory.SubFactory(OfficialProfileFactory)
    role = MandateRole.MAYOR
    commune = factory.SubFactory(CommuneFactory)
    started_on = date(2020, 7, 3)
    is_first_mandate = False


class EnrolmentFactory(DjangoModelFactory):
    """A confirmed place in a session. Traits: ``pending``, ``waitlisted``, ``cancelled``,
    ``refused``."""

    class Meta:
        model = Enrolment

    class Params:
        pending = factory.Trait(status=Enrolment.Status.PENDING)
        waitlisted = factory.Trait(status=Enrolment.Status.WAITLISTED,
                                   waitlisted_at=factory.LazyFunction(timezone.now))
        cancelled = factory.Trait(status=Enrolment.Status.CANCELLED)
        refused = factory.Trait(status=Enrolment.Status.REFUSED)

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
    status = Enrolment.Status.CONFIRMED
    attendance_mode = factory.LazyAttribute(lambda o: o.session.default_attendance_mode())


class AttendanceFactory(DjangoModelFactory):
    """Present on the morning of the session's first day."""

    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(EnrolmentFactory)
    day = factory.LazyAttribute(lambda o: timezone.localtime(o.enrolment.session.start).date())
    period = Attendance.Period.MORNING
    status = Attendance.Status.PRESENT
