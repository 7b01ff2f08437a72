"""The factories build rows the application itself would accept: each passes
``full_clean`` (fields, ``clean`` and the model's constraints), so a test starting from them
starts from a real situation."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from tests import factories as make
from tests.academy import factories as academy
from tests.accounts import factories as accounts
from tests.advisors import factories as advisors
from tests.territories import factories as territories

FACTORIES = [
    territories.RegionFactory, territories.DepartmentFactory, territories.EpciFactory,
    territories.CommuneFactory,
    accounts.UserFactory, accounts.StaffUserFactory, accounts.AnctAdminFactory,
    accounts.PrefectUserFactory,  # not AuthenticatorFactory: allauth's row has a
    # last_used_at that is null until first use but not blank, so full_clean refuses it
    academy.CourseThemeFactory, academy.PartnerFactory, academy.CatalogPageFactory,
    academy.CoursePageFactory, academy.SessionFactory, academy.OfficialProfileFactory,
    academy.MandateFactory, academy.EnrolmentFactory, academy.AttendanceFactory,
    advisors.StructureFactory, advisors.ApplicationFactory, advisors.ConventionFactory,
    advisors.AmendmentFactory, advisors.AdvisorFactory, advisors.ContractFactory,
    advisors.ServicePointFactory, advisors.OpeningRangeFactory, advisors.ClosureFactory,
    advisors.PrefectAssignmentFactory, advisors.ActivityReportFactory,
]

TRAITS = [
    (academy.CoursePageFactory, {"draft": True}),
    (academy.SessionFactory, {"remote": True}),
    (academy.SessionFactory, {"hybrid": True}),
    (academy.SessionFactory, {"cancelled": True}),
    (academy.SessionFactory, {"past": True}),
    (academy.EnrolmentFactory, {"pending": True}),
    (academy.EnrolmentFactory, {"waitlisted": True}),
    (academy.EnrolmentFactory, {"cancelled": True}),
    (academy.EnrolmentFactory, {"refused": True}),
    (advisors.ApplicationFactory, {"validated": True}),
    (advisors.ContractFactory, {"submitted": True}),
    (advisors.ContractFactory, {"cdi": True}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_builds_a_valid_row(factory_class):
    created = factory_class()
    created.full_clean()
    assert type(created).objects.filter(pk=created.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("factory_class", "traits"), TRAITS,
                         ids=lambda value: getattr(value, "__name__", None) or next(iter(value)))
def test_each_trait_builds_a_valid_row(factory_class, traits):
    factory_class(**traits).full_clean()


@pytest.mark.django_db
def test_pages_are_inserted_in_the_tree_and_published():
    course = academy.CoursePageFactory(themes=[academy.CourseThemeFactory(name="Numérique")])
    assert course.live and course.get_parent().specific == make.catalog()
    assert course.get_parent().get_parent().specific == make.home()
    assert [theme.name for theme in course.themes.all()] == ["Numérique"]
    assert not academy.CoursePageFactory(draft=True).live


@pytest.mark.django_db
def test_roles_and_two_factor_set_up():
    prefect = advisors.PrefectAssignmentFactory().user
    assert prefect.has_role(Role.PREFET) and prefect.authenticator_set.exists()
    person = accounts.UserFactory(role=Role.STRUCTURE_MANAGER)
    assert person.has_role(Role.STRUCTURE_MANAGER) and not person.authenticator_set.exists()
    assert not person.has_usable_password()
    staff = make.staff_user(Role.ANCT_ADMIN)
    assert staff.is_staff and staff.check_password(accounts.PASSWORD)
    assert staff.groups.get() == Group.objects.get(name=Role.ANCT_ADMIN)


@pytest.mark.django_db
def test_the_short_builders_keep_their_defaults():
    communes = make.geography()
    assert list(communes) == ["Paris", "Beauvais", "Compiègne", "Lille"]
    assert make.geography()["Lille"] == communes["Lille"]  # looked up, not created twice
    session = make.session(make.course(), commune=None, days=10)
    assert session.remote_url and session.capacity == 20
    assert (session.end - session.start).total_seconds() == 7 * 3600
    structure = advisors.validated_structure(communes["Beauvais"], posts=2)
    assert structure.applications.get().posts_granted == 2
    contract = advisors.contract(structure, advisors.advisor(), kind="cdi")
    assert contract.end is None and contract.monthly_gross_salary == advisors.SALARY
    assert set(advisors.activity_data()) >= {"date", "participants", "themes", "duration"}
