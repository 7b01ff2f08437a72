"""Builders for the advisors tests. They create rows directly (no rules applied) so a test
can set up any situation, then exercise the services on it."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.utils import timezone
from stdnum import luhn

from accounts.models import User
from accounts.roles import MFA_REQUIRED_ROLES, Role
from advisors.models import (
    ActivityReport,
    Advisor,
    Application,
    Contract,
    Convention,
    PlaceService,
    PrefectAssignment,
    ServicePoint,
    Structure,
)
from tests import factories as make

_counter = itertools.count(1)

geography = make.geography
SALARY = Decimal("2100.00")


def siret(n=None):
    """A valid SIRET (Luhn-checked SIREN and SIRET), different for each call."""
    n = n if n is not None else next(_counter)
    siren = f"{12000000 + n:08d}"
    siren += luhn.calc_check_digit(siren)
    base = f"{siren}{n % 10000:04d}"
    return base + luhn.calc_check_digit(base)


def user(email=None, role=None, totp=True, **fields):
    """A person; one whose role requires two-factor authentication has TOTP set up, as they
    must before reaching their pages (``totp=False`` for one who has not)."""
    n = next(_counter)
    person = User.objects.create_user(
        email=email or f"personne{n}@example.fr", password=None,
        first_name=fields.pop("first_name", "Camille"), last_name=fields.pop("last_name", f"N{n}"),
        **fields,
    )
    if role is not None:
        person.groups.add(Group.objects.get(name=role))
        if totp and role in MFA_REQUIRED_ROLES:
            Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP,
                                         data={"secret": "x"})
    return person


def admin():
    return user(role=Role.ANCT_ADMIN, email=f"admin{next(_counter)}@anct.gouv.fr")


def prefect(department=None, region=None, with_role=True, totp=True):
    person = user(role=Role.PREFET if with_role else None, totp=totp,
                  email=f"prefet{next(_counter)}@interieur.gouv.fr")
    PrefectAssignment.objects.create(user=person, department=department, region=region)
    return person


def structure(commune, manager=None, **fields):
    n = next(_counter)
    values = {
        "name": f"Structure {n}", "siret": siret(n), "kind": Structure.Kind.COMMUNE,
        "address": f"{n} place de la Mairie", "commune": commune,
        "contact_first_name": "Dominique", "contact_last_name": "Martin",
        "contact_email": f"contact{n}@mairie.example.fr", "contact_phone": "0123456789",
    }
    values.update(fields)
    created = Structure.objects.create(**values)
    if manager is not None:
        created.managers.add(manager)
    return created


def application(structure, status=Application.Status.CREATED, posts_requested=3,
                posts_granted=None, **fields):
    if status == Application.Status.VALIDATED and posts_granted is None:
        posts_granted = posts_requested
    return Application.objects.create(
        structure=structure, status=status, posts_requested=posts_requested,
        posts_granted=posts_granted, motivation="Ouvrir deux permanences en mairie.",
        desired_start=timezone.localdate() + timedelta(days=30), **fields,
    )


def validated_structure(commune, posts=3, manager=None, **fields):
    created = structure(commune, manager=manager, **fields)
    application(created, Application.Status.VALIDATED, posts_requested=posts,
                posts_granted=posts, decision_number="COSELEC-1",
                decided_on=timezone.localdate())
    return created


def convention(structure, status=Convention.Status.VALIDATED, posts=3, **fields):
    start = fields.pop("start", date(2024, 1, 1))
    return Convention.objects.create(structure=structure, kind=Convention.Kind.INITIAL,
                                     status=status, posts=posts, start=start,
                                     end=fields.pop("end", start + timedelta(days=3 * 365)),
                                     **fields)


def advisor(account=None, **fields):
    n = next(_counter)
    values = {"first_name": "Alex", "last_name": f"Conseiller{n}",
              "email": f"conseiller{n}@conseiller-numerique.fr", "user": account}
    values.update(fields)
    return Advisor.objects.create(**values)


def contract(structure, advisor, status=Contract.Status.VALIDATED, kind=Contract.Kind.CDD,
             start=None, end=None, **fields):
    start = start or timezone.localdate() - timedelta(days=30)
    if end is None and kind != Contract.Kind.CDI:
        end = start + timedelta(days=365)
    return Contract.objects.create(structure=structure, advisor=advisor, status=status,
                                   kind=kind, start=start, end=end,
                                   monthly_gross_salary=fields.pop("salary", SALARY), **fields)


def service_point(structure, advisors=(), **fields):
    values = {"name": f"Permanence {next(_counter)}", "address": "1 rue de la Poste",
              "commune": structure.commune, "services": [PlaceService.ADMINISTRATIVE_PROCEDURES]}
    values.update(fields)
    created = ServicePoint.objects.create(structure=structure, **values)
    created.advisors.set(advisors)
    return created


def activity_data(**overrides):
    """The fields of a valid workshop report of three adults, yesterday."""
    data = {
        "date": timezone.localdate() - timedelta(days=1),
        "channel": ActivityReport.Channel.OTHER_PLACE,
        "kind": ActivityReport.Kind.WORKSHOP,
        "participants": 3, "age_18_35": 1, "age_35_60": 1, "age_over_60": 1,
        "status_employed": 2, "status_retired": 1,
        "themes": ["email", "online_procedures"],
        "duration": ActivityReport.Duration.UNDER_120,
    }
    data.update(overrides)
    return data


def activity_report(advisor, commune, structure=None, **overrides):
    """A report saved directly, counted in the dashboards' totals as ``record_activity``
    would count it."""
    from advisors import rollups

    report = ActivityReport.objects.create(advisor=advisor, commune=commune,
                                           structure=structure, **activity_data(**overrides))
    rollups.add(report)
    return report
