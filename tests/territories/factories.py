"""factory_boy factories for the French geography. Codes are looked up before they are
created (``django_get_or_create``): a test may ask for "60" twice and gets the same Oise."""

import factory
from factory.django import DjangoModelFactory

from territories.models import Commune, Department, Epci, Region


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    # 3-character codes no real région uses (they run from 01 to 94).
    code = factory.Sequence(lambda n: f"9{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Région {n}")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Département {n}")
    region = factory.SubFactory(RegionFactory)


class EpciFactory(DjangoModelFactory):
    class Meta:
        model = Epci
        django_get_or_create = ("siren",)

    siren = factory.Sequence(lambda n: f"{200000000 + n}")
    name = factory.Sequence(lambda n: f"Communauté de communes {n}")
    kind = "CC"
    population = 25000


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)

    # "99…" codes are foreign countries in the INSEE list, never a French commune.
    insee_code = factory.Sequence(lambda n: f"99{n % 1000:03d}")
    name = factory.Iterator(["Saint-Martin", "Villeneuve", "Beaumont", "Montigny"])
    department = factory.SubFactory(DepartmentFactory)
    population = 1000
    postal_codes = factory.LazyAttribute(lambda o: [f"{o.insee_code[:2]}000"])


# The small map most tests filter on: (INSEE code, name, département code).
GEOGRAPHY = {
    "regions": [("11", "Île-de-France"), ("32", "Hauts-de-France")],
    "departments": [("75", "Paris", "11"), ("60", "Oise", "32"), ("59", "Nord", "32")],
    "communes": [("75056", "Paris", "75"), ("60057", "Beauvais", "60"),
                 ("60159", "Compiègne", "60"), ("59350", "Lille", "59")],
}


def geography():
    """Two régions, three départements, four communes — enough to filter on; returns the
    communes by name."""
    regions = {code: RegionFactory(code=code, name=name)
               for code, name in GEOGRAPHY["regions"]}
    departments = {code: DepartmentFactory(code=code, name=name, region=regions[region])
                   for code, name, region in GEOGRAPHY["departments"]}
    return {name: CommuneFactory(insee_code=insee, name=name, department=departments[dept],
                                 population=1000, postal_codes=[])
            for insee, name, dept in GEOGRAPHY["communes"]}
