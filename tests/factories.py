"""Builders for test data shared by the cms, academy and browser tests."""

import itertools
from datetime import timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.utils import timezone

from academy.models import CatalogPage, CoursePage, CourseTheme, Format, Session
from accounts.models import User
from cms.models import HomePage
from territories.models import Commune, Department, Region

_counter = itertools.count(1)


def geography():
    """Two régions, three départements, four communes — enough to filter on."""
    idf, _ = Region.objects.get_or_create(code="11", defaults={"name": "Île-de-France"})
    hdf, _ = Region.objects.get_or_create(code="32", defaults={"name": "Hauts-de-France"})
    paris, _ = Department.objects.get_or_create(code="75", defaults={"name": "Paris",
                                                                      "region": idf})
    oise, _ = Department.objects.get_or_create(code="60", defaults={"name": "Oise",
                                                                     "region": hdf})
    nord, _ = Department.objects.get_or_create(code="59", defaults={"name": "Nord",
                                                                     "region": hdf})
    communes = {}
    for insee, name, dept in [("75056", "Paris", paris), ("60057", "Beauvais", oise),
                              ("60159", "Compiègne", oise), ("59350", "Lille", nord)]:
        communes[name], _ = Commune.objects.get_or_create(
            insee_code=insee, defaults={"name": name, "department": dept, "population": 1000}
        )
    return communes


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


def catalog():
    existing = CatalogPage.objects.first()
    if existing:
        return existing
    page = CatalogPage(title="Formations", slug="formations", intro="Le catalogue.")
    home().add_child(instance=page)
    page.save_revision().publish()
    return page


def theme(name):
    from django.utils.text import slugify

    return CourseTheme.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]


def course(title=None, themes=(), publish=True, **fields):
    n = next(_counter)
    title = title or f"Formation {n}"
    defaults = {
        "summary": f"Résumé de {title}.",
        "objectives": "<ul><li>Comprendre les enjeux</li></ul>",
        "duration_hours": Decimal("7"),
        "format": Format.ON_SITE,
    }
    defaults.update(fields)
    page = CoursePage(title=title, slug=f"formation-{n}", **defaults)
    catalog().add_child(instance=page)
    page.themes.set(themes)
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        page.unpublish()
    return CoursePage.objects.get(pk=page.pk)


def session(course_page, commune=None, days=30, capacity=20, **fields):
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    values = {
        "course": course_page,
        "start": start,
        "end": start + timedelta(hours=7),
        "commune": commune,
        "remote_url": "" if commune else "https://webconf.example.fr/s",
        "capacity": capacity,
        "enrolment_opens": start - timedelta(days=60),
        "enrolment_closes": start - timedelta(days=1),
        "cancellation_deadline": start - timedelta(days=3),
    }
    values.update(fields)
    return Session.objects.create(**values)


def staff_user(role, email=None):
    """A back-office user of the given role, with TOTP set up so /admin/ lets them in."""
    user = User.objects.create_user(
        email=email or f"{role.name.lower()}{next(_counter)}@anct.example.fr",
        password="Mot-de-passe-solide-2026", is_staff=True,
        first_name="Prénom", last_name="Nom",
    )
    user.groups.add(Group.objects.get(name=role))
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user
