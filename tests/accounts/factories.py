"""factory_boy factories for people. ``role`` puts the person in that role's group;
``totp`` gives them a TOTP authenticator, as a role that requires two-factor
authentication must have before reaching its pages (on by default for those roles)."""

import factory
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from accounts.models import User
from accounts.roles import MFA_REQUIRED_ROLES, Role

PASSWORD = "Mot-de-passe-solide-2026"


class AuthenticatorFactory(DjangoModelFactory):
    """A TOTP device already set up (the secret is never checked by the tests)."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory("tests.accounts.factories.UserFactory")
    type = Authenticator.Type.TOTP
    data = factory.LazyFunction(lambda: {"secret": "x"})


class UserFactory(DjangoModelFactory):
    """A person without a usable password (``password=…`` to set one)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"personne{n}@example.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"N{n}")
    password = None
    # Not fields: consumed by _create (see the module's docstring).
    role = None
    totp = factory.LazyAttribute(lambda o: o.role in MFA_REQUIRED_ROLES)

    @classmethod
    def _build(cls, model_class, *args, role=None, totp=False, password=None, **kwargs):
        person = model_class(*args, **kwargs)
        person.set_password(password)
        return person

    @classmethod
    def _create(cls, model_class, *args, role=None, totp=False, **kwargs):
        person = cls._get_manager(model_class).create_user(*args, **kwargs)
        if role is not None:
            # get_or_create: the migration's role groups are gone after a transactional
            # test flushed the database (pytest-django runs those last).
            person.groups.add(Group.objects.get_or_create(name=role)[0])
        if totp:
            AuthenticatorFactory(user=person)
        return person


class StaffUserFactory(UserFactory):
    """A back-office user of ``role`` (ANCT editor by default) with a password and TOTP set
    up, so /admin/ lets them in."""

    email = factory.LazyAttributeSequence(
        lambda o, n: f"{Role(o.role).name.lower()}{n}@anct.example.fr")
    first_name = "Prénom"
    last_name = "Nom"
    password = PASSWORD
    is_staff = True
    role = Role.ANCT_EDITOR
    totp = True


class AnctAdminFactory(UserFactory):
    """An ANCT administrator of the Conseillers numériques pages (not staff)."""

    email = factory.Sequence(lambda n: f"admin{n}@anct.gouv.fr")
    role = Role.ANCT_ADMIN


class PrefectUserFactory(UserFactory):
    """A préfet's account; ``tests.advisors.factories.PrefectAssignmentFactory`` gives them
    their territory."""

    email = factory.Sequence(lambda n: f"prefet{n}@interieur.gouv.fr")
    role = Role.PREFET
