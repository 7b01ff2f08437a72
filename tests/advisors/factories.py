"""factory_boy factories for the Conseillers numériques, and the short builders most advisors
tests call (``make.structure(commune)``, ``make.contract(structure, advisor)``…), which are
thin wrappers over them. Both create rows directly (no rules applied) so a test can set up
any situation, then exercise the services on it."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum import luhn

from accounts.roles import Role
from advisors.models import (
    ActivityReport,
    Advisor,
    Amendment,
    Application,
    Closure,
    Contract,
    Convention,
    OpeningRange,
    PlaceService,
    PrefectAssignment,
    ServicePoint,
    Structure,
)
from tests.accounts.factories import AnctAdminFactory, PrefectUserFactory, UserFactory
from tests.territories.factories import (  # noqa: F401  (make.geography() in advisors tests)
    CommuneFactory,
    DepartmentFactory,
    geography,
)

SALARY = Decimal("2100.00")
_sirets = itertools.count(1)


def siret(n=None):
    """A valid SIRET (Luhn-checked SIREN and SIRET), different for each call."""
    n = n if n is not None else next(_sirets)
    siren = f"{12000000 + n:08d}"
    siren += luhn.calc_check_digit(siren)
    base = f"{siren}{n % 10000:04d}"
    return base + luhn.calc_check_digit(base)


class StructureFactory(DjangoModelFactory):
    """A commune hosting advisors; ``managers=[user, …]`` gives it its managers."""

    class Meta:
        model = Structure
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Structure {n}")
    siret = factory.LazyFunction(siret)
    kind = Structure.Kind.COMMUNE
    address = factory.Sequence(lambda n: f"{n + 1} place de la Mairie")
    commune = factory.SubFactory(CommuneFactory)
    contact_first_name = "Dominique"
    contact_last_name = "Martin"
    contact_email = factory.Sequence(lambda n: f"contact{n}@mairie.example.fr")
    contact_phone = "0123456789"

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.add(*extracted)


class ApplicationFactory(DjangoModelFactory):
    """An application just filed (3 posts). Trait ``validated``: granted by the committee."""

    class Meta:
        model = Application

    class Params:
        validated = factory.Trait(
            status=Application.Status.VALIDATED, decision_number="COSELEC-1",
            decided_on=factory.LazyFunction(timezone.localdate))

    structure = factory.SubFactory(StructureFactory)
    status = Application.Status.CREATED
    posts_requested = 3
    posts_granted = factory.LazyAttribute(
        lambda o: o.posts_requested if o.status == Application.Status.VALIDATED else None)
    motivation = "Ouvrir deux permanences en mairie."
    desired_start = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ConventionFactory(DjangoModelFactory):
    """A validated initial convention of 3 posts for three years from 1 January 2024."""

    class Meta:
        model = Convention

    structure = factory.SubFactory(StructureFactory)
    kind = Convention.Kind.INITIAL
    status = Convention.Status.VALIDATED
    posts = 3
    start = date(2024, 1, 1)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=3 * 365))


class AmendmentFactory(DjangoModelFactory):
    """One more post asked for, awaiting the préfet's opinion."""

    class Meta:
        model = Amendment

    convention = factory.SubFactory(ConventionFactory)
    kind = Amendment.Kind.ADD
    posts = 1
    reason = "Ouverture d'une nouvelle permanence au centre social."
    status = Amendment.Status.PENDING_OPINION


class AdvisorFactory(DjangoModelFactory):
    """An advisor without an account (``user=…`` links one)."""

    class Meta:
        model = Advisor

    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Conseiller{n}")
    email = factory.Sequence(lambda n: f"conseiller{n}@conseiller-numerique.fr")
    user = None


class ContractFactory(DjangoModelFactory):
    """A validated one-year CDD that began 30 days ago. Traits: ``submitted`` (awaiting
    validation), ``cdi`` (no end)."""

    class Meta:
        model = Contract

    class Params:
        submitted = factory.Trait(status=Contract.Status.SUBMITTED)
        cdi = factory.Trait(kind=Contract.Kind.CDI)

    structure = factory.SubFactory(StructureFactory)
    advisor = factory.SubFactory(AdvisorFactory)
    status = Contract.Status.VALIDATED
    kind = Contract.Kind.CDD
    start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    end = factory.LazyAttribute(
        lambda o: None if o.kind == Contract.Kind.CDI else o.start + timedelta(days=365))
    monthly_gross_salary = SALARY


class ServicePointFactory(DjangoModelFactory):
    """A service point in its structure's commune; ``advisors=[…]`` staffs it."""

    class Meta:
        model = ServicePoint
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Permanence {n}")
    address = "1 rue de la Poste"
    commune = factory.SelfAttribute("structure.commune")
    services = factory.LazyFunction(lambda: [PlaceService.ADMINISTRATIVE_PROCEDURES])

    @factory.post_generation
    def advisors(self, create, extracted, **kwargs):
        if create:
            self.advisors.set(extracted or ())


class OpeningRangeFactory(DjangoModelFactory):
    """Monday morning, 9:00 to 12:00."""

    class Meta:
        model = OpeningRange

    service_point = factory.SubFactory(ServicePointFactory)
    weekday = OpeningRange.Weekday.MONDAY
    period = OpeningRange.Period.MORNING
    opens = "09:00"
    closes = "12:00"


class ClosureFactory(DjangoModelFactory):
    """Closed for a week in a month's time."""

    class Meta:
        model = Closure

    service_point = factory.SubFactory(ServicePointFactory)
    start = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=6))
    reason = "Travaux"


class PrefectAssignmentFactory(DjangoModelFactory):
    """A préfet of a département (``region=…, department=None`` for a préfet de région)."""

    class Meta:
        model = PrefectAssignment

    user = factory.SubFactory(PrefectUserFactory)
    department = factory.SubFactory(DepartmentFactory)
    region = None


class ActivityReportFactory(DjangoModelFactory):
    """A workshop of three adults yesterday, counted in the dashboards' totals as
    ``record_activity`` would count it."""

    class Meta:
        model = ActivityReport

    advisor = factory.SubFactory(AdvisorFactory)
    commune = factory.SubFactory(CommuneFactory)
    structure = None
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    channel = ActivityReport.Channel.OTHER_PLACE
    kind = ActivityReport.Kind.WORKSHOP
    title = factory.Maybe(factory.LazyAttribute(lambda o: o.kind == "workshop"),
                          "Premiers pas sur smartphone", "")
    participants = 3
    age_18_35 = 1
    age_35_60 = 1
    age_over_60 = 1
    status_employed = 2
    status_retired = 1
    themes = factory.LazyFunction(lambda: ["email", "online_procedures"])
    duration = ActivityReport.Duration.UNDER_120

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from advisors import rollups

        report = super()._create(model_class, *args, **kwargs)
        rollups.add(report)
        return report


# The short builders (same signatures as before the factories).

def user(email=None, role=None, totp=True, **fields):
    """A person; one whose role requires two-factor authentication has TOTP set up, as they
    must before reaching their pages (``totp=False`` for one who has not)."""
    if email is not None:
        fields["email"] = email
    if not totp:
        fields["totp"] = False
    return UserFactory(role=role, **fields)


def admin():
    return AnctAdminFactory()


def prefect(department=None, region=None, with_role=True, totp=True):
    person = PrefectUserFactory(role=Role.PREFET if with_role else None,
                                **({} if totp else {"totp": False}))
    return PrefectAssignmentFactory(user=person, department=department, region=region).user


def structure(commune, manager=None, **fields):
    return StructureFactory(commune=commune, managers=[manager] if manager else (), **fields)


def application(structure, status=Application.Status.CREATED, posts_requested=3,
                posts_granted=None, **fields):
    if posts_granted is not None:
        fields["posts_granted"] = posts_granted
    return ApplicationFactory(structure=structure, status=status,
                              posts_requested=posts_requested, **fields)


def validated_structure(commune, posts=3, manager=None, **fields):
    created = structure(commune, manager=manager, **fields)
    ApplicationFactory(structure=created, validated=True, posts_requested=posts)
    return created


def convention(structure, status=Convention.Status.VALIDATED, posts=3, **fields):
    return ConventionFactory(structure=structure, status=status, posts=posts, **fields)


def advisor(account=None, **fields):
    return AdvisorFactory(user=account, **fields)


def contract(structure, advisor, status=Contract.Status.VALIDATED, kind=Contract.Kind.CDD,
             start=None, end=None, **fields):
    if start is not None:
        fields["start"] = start
    if end is not None:
        fields["end"] = end
    if "salary" in fields:
        fields["monthly_gross_salary"] = fields.pop("salary")
    return ContractFactory(structure=structure, advisor=advisor, status=status, kind=kind,
                           **fields)


def service_point(structure, advisors=(), **fields):
    return ServicePointFactory(structure=structure, advisors=advisors, **fields)


def activity_data(**overrides):
    """The fields of a valid workshop report of three adults, yesterday: the factory's."""
    data = factory.build(dict, FACTORY_CLASS=ActivityReportFactory, advisor=None,
                         commune=None)
    for relation in ("advisor", "commune", "structure"):
        data.pop(relation)
    data.update(overrides)
    return data


def activity_report(advisor, commune, structure=None, **overrides):
    """A report saved directly, counted in the dashboards' totals as ``record_activity``
    would count it."""
    return ActivityReportFactory(advisor=advisor, commune=commune, structure=structure,
                                 **overrides)
