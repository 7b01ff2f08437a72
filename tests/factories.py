"""The short builders shared by the cms, academy and browser tests (``make.course()``,
``make.session(course)``…): thin wrappers over the factory_boy factories of each app
(``tests/<app>/factories.py``), kept so that tests read in a line."""

from datetime import timedelta

from django.utils import timezone

from academy.models import CatalogPage
from accounts.roles import Role
from cms.models import HomePage
from tests.academy.factories import (
    CatalogPageFactory,
    CoursePageFactory,
    CourseThemeFactory,
    SessionFactory,
    session_dates,
)
from tests.accounts.factories import StaffUserFactory
from tests.territories.factories import geography  # noqa: F401  (make.geography())


def ensure_site():
    """Rebuilds the page tree made by migrations when a transactional test flushed it."""
    from wagtail.models import Locale, Page, Site

    if HomePage.objects.exists():
        return
    locale, _ = Locale.objects.get_or_create(language_code="fr")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Racine", slug="root", locale=locale)
    )
    home_page = root.add_child(instance=HomePage(
        title="Agence nationale de la cohésion des territoires", slug="accueil", locale=locale,
    ))
    from accounts.site import site_parts

    Site.objects.all().delete()
    _scheme, hostname, port = site_parts()
    Site.objects.create(hostname=hostname, port=port, root_page=home_page,
                        is_default_site=True, site_name="ANCT")


def home():
    return HomePage.objects.get()


def catalog() -> CatalogPage:
    return CatalogPageFactory()


def theme(name):
    return CourseThemeFactory(name=name)


def course(title=None, themes=(), publish=True, **fields):
    if title is not None:
        fields["title"] = title
    return CoursePageFactory(themes=themes, publish=publish, **fields)


def session(course_page, commune=None, days=30, capacity=20, **fields):
    """Every date not given follows from ``days``, even when ``start`` is given.

    A session two days away or more starts at 9 h (Paris) that day, as real ones do: from
    ``now`` plus 7 hours, a test run in the late evening made a session over two days,
    which calendars show as two events ("jour 1 sur 2"). Nearer ones keep the hour of now
    (tests of "tomorrow" and "in an hour")."""
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    if days >= 2:
        start = timezone.localtime(start).replace(hour=9, minute=0, second=0)
    dates = {"start": start, **session_dates(start)}
    return SessionFactory(course=course_page, commune=commune, capacity=capacity,
                          **{**dates, **fields})


def staff_user(role: Role, email=None):
    """A back-office user of the given role, with TOTP set up so /admin/ lets them in."""
    return StaffUserFactory(role=role, **({"email": email} if email else {}))
