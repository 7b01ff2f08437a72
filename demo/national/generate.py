"""Generates the national data set.

Figures at ``scale=1``: 500,000 elected officials (the real size of the municipal councils
of the communes covered, plus départemental and régional councillors, each with their
mandates), 5,000 Académie sessions with 300,000 enrolments, 6,000 structures, 15,000
advisors with their contract history, 20,000 service points and 2,000,000 activity reports
over the last three years. Every figure is multiplied by ``scale``.

Everything comes from ``random.Random`` seeded with the ``seed`` and the name of the part
(officials, structures…), and dates are counted from the day of the run: the same seed and
scale on the same day give the same rows. Rows are written with explicit ids through
``writer.Writer`` (COPY on PostgreSQL); only the course pages go through Wagtail.
"""

import datetime
import random
import time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from academy.models import Attendance, Enrolment, Mandate, OfficialProfile, Session
from accounts.models import User
from accounts.roles import Role
from advisors.models import ActivityReport, Advisor, Structure

from .common import BASE, DOMAIN, KNOWN_ACCOUNTS, PARIS, PASSWORD, spread
from .contracts import ContractsMixin
from .courses import CoursesMixin
from .geography import GeographyMixin
from .officials import OfficialsMixin
from .reports import ReportsMixin
from .service_points import ServicePointsMixin
from .staff import StaffMixin
from .structures import StructuresMixin
from .writer import Ids, Writer

__all__ = ["BASE", "DOMAIN", "KNOWN_ACCOUNTS", "PASSWORD", "NationalSeed", "database_is_empty",
           "production", "spread"]


class NationalSeed(GeographyMixin, OfficialsMixin, StaffMixin, StructuresMixin,
                   ContractsMixin, ServicePointsMixin, ReportsMixin, CoursesMixin):
    def __init__(self, scale, seed, log=print):
        self.scale = scale
        self.seed = seed
        self.log = log
        self.writer = Writer(log)
        self.ids = Ids()
        self.today = timezone.localdate()
        # "Now" for every generated timestamp: the start of the day, so a run gives the same
        # rows all day long and nothing is dated after the moment it is written.
        self.now = datetime.datetime.combine(self.today, datetime.time(0), tzinfo=PARIS)
        self.counts = {name: max(1, round(value * scale)) for name, value in BASE.items()}
        self.counts["courses"] = max(6, min(60, self.counts["courses"]))
        self.password = make_password(PASSWORD, salt=f"seednational{seed}")
        self.groups = {role: Group.objects.get(name=role).pk for role in Role}
        self.user_groups = []  # (user_id, group_id) written at the end

    # --- helpers -----------------------------------------------------------------------------
    def rng(self, part):
        return random.Random(f"{self.seed}:{part}")

    def at(self, day, hour=10, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)

    def days_ago(self, days):
        return self.today - datetime.timedelta(days=days)

    def phone(self, rng):
        return f"0{rng.choice('1234596')}{rng.randrange(10 ** 8):08d}"

    def write_users(self, rows, label="accounts_user"):
        """rows: a list of (id, email, first, last, is_staff, is_superuser, joined), or a
        function giving a new iterator of them (read twice: accounts, then addresses)."""
        fresh = rows if callable(rows) else (lambda: rows)
        users = ((pk, self.password, None, superuser, first, last, staff, True, joined, email)
                 for pk, email, first, last, staff, superuser, joined in fresh())
        count = self.writer.write(User, ["id", "password", "last_login", "is_superuser",
                                         "first_name", "last_name", "is_staff", "is_active",
                                         "date_joined", "email"], users, label)
        first = self.ids.take(EmailAddress, count)
        self.writer.write(EmailAddress, ["id", "user_id", "email", "verified", "primary"],
                          ((first + n, row[0], row[1], True, True)
                           for n, row in enumerate(fresh())), "account_emailaddress")

    # --- the run -----------------------------------------------------------------------------
    def run(self):
        started = time.perf_counter()
        self.load_geography()
        steps = [self.officials, self.staff, self.structures, self.advisors,
                 self.service_points, self.activity_reports, self.academy, self.roles]
        big = [User, EmailAddress, User.groups.through, OfficialProfile, Mandate, Enrolment,
               Attendance, ActivityReport]
        with transaction.atomic(), self.writer.without_indexes(*big):
            for step in steps:
                step()
        self.log(f"Données écrites en {time.perf_counter() - started:.0f} s.")
        return self.writer.figures

    # --- roles -------------------------------------------------------------------------------
    def roles(self):
        through = User.groups.through
        first = self.ids.take(through, len(self.user_groups))
        self.writer.write(through, ["id", "user_id", "group_id"],
                          [(first + n, *row) for n, row in enumerate(self.user_groups)])


def database_is_empty():
    """The tables the generator fills, with their row counts when some are not empty."""
    models = [User, OfficialProfile, Session, Enrolment, Structure, Advisor, ActivityReport]
    counts = {model._meta.verbose_name_plural: model.objects.count() for model in models}
    return {name: count for name, count in counts.items() if count}


def production():
    return getattr(settings, "PRODUCTION", False)
