"""An advisor declared by their structure gets their record, and their role, through the
professional email they confirm on the platform — whichever comes first."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.utils import timezone

from accounts.roles import Role
from advisors import services
from advisors.models import Advisor, Contract
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db
EMAIL = "ines.diallo@conseiller-numerique.fr"


@pytest.fixture
def recruitment():
    communes = make.geography()
    manager = make.user()
    structure = make.validated_structure(communes["Beauvais"], manager=manager)

    def declare_and_validate():
        contract = services.submit_contract(
            structure, {"first_name": "Inès", "last_name": "Diallo", "email": EMAIL},
            manager, kind=Contract.Kind.CDD, start=timezone.localdate(),
            end=timezone.localdate() + timedelta(days=365),
            monthly_gross_salary=make.SALARY)
        return services.validate_contract(contract, make.admin())
    return declare_and_validate


def confirm(user, email):
    address = EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)


def test_advisor_confirming_their_email_after_recruitment_gets_record_and_role(recruitment):
    recruitment()
    person = make.user(email=EMAIL)
    confirm(person, EMAIL)
    advisor = Advisor.objects.get(email=EMAIL)
    assert advisor.user == person
    assert person.groups.filter(name=Role.ADVISOR).exists()


def test_account_confirmed_before_recruitment_is_linked_when_declared(recruitment):
    person = make.user(email=EMAIL)
    EmailAddress.objects.create(user=person, email=EMAIL, verified=True, primary=True)
    recruitment()
    assert Advisor.objects.get(email=EMAIL).user == person
    assert person.groups.filter(name=Role.ADVISOR).exists()


def test_an_unverified_address_links_nothing(recruitment):
    recruitment()
    person = make.user(email=EMAIL)
    EmailAddress.objects.create(user=person, email=EMAIL, verified=False, primary=True)
    from advisors.services.accounts import link_account

    assert link_account(person) == []
    assert Advisor.objects.get(email=EMAIL).user is None
