from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.db import connection, models
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from academy.models import Attendance, Enrolment, Mandate, MandateRole, OfficialProfile
from accounts.models import User
from advisors.models import Contract
from calendars.models import CalendarToken
from tests import factories as site
from tests.advisors import factories as make

PASSWORD = "Mot-de-passe-solide-2026"


@pytest.fixture
def communes(db):
    return make.geography()


def person(communes, *, email, first_name, last_name, phone, password=PASSWORD,
           structure=None):
    """Someone with a trace in every app: verified address, ProConnect link, TOTP, calendar
    token, élu profile and mandate, a past training attended, an advisor record whose
    contract ended, activity reports, a structure they manage and are the contact of."""
    user = User.objects.create_user(email=email, password=password, first_name=first_name,
                                    last_name=last_name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    SocialAccount.objects.create(user=user, provider="proconnect", uid=f"uid-{email}",
                                 extra_data={"email": email, "given_name": first_name})
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP,
                                 data={"secret": f"secret-{last_name}"})
    CalendarToken.objects.for_user(user)
    profile = OfficialProfile.objects.create(user=user, is_employee=True)
    Mandate.objects.create(profile=profile, role=MandateRole.MAYOR, commune=communes["Beauvais"],
                           started_on=timezone.localdate() - timedelta(days=800),
                           is_first_mandate=True)
    structure = structure or make.validated_structure(
        communes["Beauvais"], manager=user, contact_email=email,
        contact_first_name=first_name, contact_last_name=last_name)
    advisor = make.advisor(account=user, email=f"pro.{email}", first_name=first_name,
                           last_name=last_name, phone=phone)
    make.contract(structure, advisor, start=timezone.localdate() - timedelta(days=500),
                  end=timezone.localdate() - timedelta(days=100))
    point = make.service_point(structure, advisors=[advisor])
    make.activity_report(advisor, communes["Beauvais"], structure, service_point=point)
    make.activity_report(advisor, communes["Compiègne"], structure,
                         date=timezone.localdate() - timedelta(days=200))
    return user


def past_training(user, session_):
    enrolment = Enrolment.objects.create(session=session_, user=user,
                                         status=Enrolment.Status.CONFIRMED)
    day, period = session_.half_days()[0]
    Attendance.objects.create(enrolment=enrolment, day=day, period=period,
                              status=Attendance.Status.PRESENT)
    return enrolment


@pytest.fixture
def course(db):
    return site.course("Conduire un projet de territoire")


@pytest.fixture
def past_session(course, communes):
    return site.session(course, communes["Beauvais"], days=-20)


@pytest.fixture
def alice(communes, past_session):
    user = person(communes, email="alice.zephyrine@mairie-exemple.fr", first_name="Alice",
                  last_name="Zéphyrine", phone="0612345678")
    past_training(user, past_session)
    return user


@pytest.fixture
def bruno(communes, past_session):
    user = person(communes, email="bruno.quillebeuf@ville-exemple.fr", first_name="Bruno",
                  last_name="Quillebeuf", phone="0698765432")
    past_training(user, past_session)
    return user


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def rows_mentioning(needle: str) -> list[str]:
    """Every table (of every installed app) with a text or JSON column containing
    ``needle``, case-insensitively."""
    tables = set(connection.introspection.table_names())
    hits = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in tables:
            continue
        fields = [f for f in meta.concrete_fields if not f.is_relation and isinstance(
            f, (models.CharField, models.TextField, models.JSONField))]
        if not fields:
            continue
        query = Q()
        for field in fields:
            query |= Q(**{f"{field.attname}__icontains": needle})
        if model._base_manager.filter(query).exists():
            hits.append(meta.label)
    return hits


def running_contract(communes, user):
    structure = make.validated_structure(communes["Compiègne"])
    advisor = make.advisor(account=user)
    return make.contract(structure, advisor, status=Contract.Status.VALIDATED)
