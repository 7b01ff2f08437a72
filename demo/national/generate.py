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

import bisect
import datetime
import random
import time
import unicodedata
from collections import defaultdict
from decimal import Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from academy.models import (
    Attendance,
    CatalogPage,
    CoursePage,
    CourseTheme,
    Enrolment,
    Mandate,
    MandateRole,
    OfficialProfile,
    Partner,
    Session,
)
from accounts.models import User
from accounts.roles import Role
from advisors.models import (
    AGE_BANDS,
    STATUS_BANDS,
    ActivityReport,
    ActivityTheme,
    Advisor,
    Amendment,
    Application,
    ApplicationEvent,
    Closure,
    Contract,
    ContractExtension,
    Convention,
    OpeningRange,
    PlaceService,
    PrefectAssignment,
    PrefectOpinion,
    ServicePoint,
    Structure,
)
from territories.models import Commune, Department, Epci, Region

from . import names
from .writer import CopyLine, Ids, Writer, copy_text

PARIS = ZoneInfo("Europe/Paris")
# Every generated account's email ends with this domain (a reserved ``.test`` name).
DOMAIN = "seed-national.anct.test"
# The password of every generated account (one hash, computed once).
PASSWORD = "Seed-National-2026!"
KNOWN_ACCOUNTS = {
    "elu": f"elu@{DOMAIN}", "admin": f"admin@{DOMAIN}", "prefet": f"prefet@{DOMAIN}",
    "structure": f"structure@{DOMAIN}", "conseiller": f"conseiller@{DOMAIN}",
    "coordinateur": f"coordinateur@{DOMAIN}",
}
COURSE_SLUG_PREFIX = "national-"

BASE = {"officials": 500_000, "sessions": 5_000, "enrolments": 300_000, "structures": 6_000,
        "advisors": 15_000, "service_points": 20_000, "reports": 2_000_000, "courses": 60}
REPORT_YEARS = 3

# Seats of a municipal council by population (article L2121-2 of the CGCT).
COUNCIL_SIZES = [(100, 7), (500, 11), (1500, 15), (2500, 19), (3500, 23), (5000, 27),
                 (10000, 29), (20000, 33), (30000, 35), (40000, 39), (50000, 43),
                 (60000, 45), (80000, 49), (100000, 53), (150000, 55), (200000, 59),
                 (250000, 61), (300000, 65)]
# (first round, second round) of the general elections; the latest before the run is used.
MUNICIPAL_ELECTIONS = [(datetime.date(2020, 3, 15), datetime.date(2020, 6, 28)),
                       (datetime.date(2026, 3, 15), datetime.date(2026, 3, 22))]
DEPARTMENTAL_ELECTIONS = [(datetime.date(2015, 3, 22), datetime.date(2015, 3, 29)),
                          (datetime.date(2021, 6, 20), datetime.date(2021, 6, 27))]
SMALL_COMMUNE = 3500
FIRST_REPORT_DATE = datetime.date(2020, 1, 1)

OPINIONS_FAVOURABLE = [
    "Projet cohérent avec le schéma départemental d'inclusion numérique.",
    "Besoin avéré sur ce territoire rural, structure déjà engagée dans la médiation.",
    "Avis favorable : la structure couvre des quartiers prioritaires.",
]
OPINIONS_UNFAVOURABLE = [
    "Besoin déjà couvert par les conseillers du territoire.",
    "Projet insuffisamment décrit : pas de lieu d'accueil identifié.",
]
MOTIVATIONS = [
    "Nous voulons ouvrir des permanences numériques dans nos quartiers et nos communes "
    "rurales, au plus près des habitants éloignés du numérique.",
    "Accompagner les habitants dans leurs démarches en ligne et animer des ateliers "
    "collectifs dans nos médiathèques.",
    "Renforcer notre espace France services avec un accompagnement individuel au numérique.",
]


def _slug(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def _council_size(population):
    population = population or 0
    for limit, size in COUNCIL_SIZES:
        if population < limit:
            return size
    return 69


def _latest(elections, today):
    past = [pair for pair in elections if pair[0] <= today]
    return past[-1] if past else elections[0]


def spread(total, weights):
    """Integers proportional to ``weights`` that add up to ``total`` (largest remainder)."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    left = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[:left]:
        counts[i] += 1
    return counts


class Picker:
    """Weighted choice that first goes through every value once (so that each status of an
    enumeration appears as soon as there are as many rows as values)."""

    def __init__(self, rng, weighted):
        self.rng = rng
        self.values = [value for value, _ in weighted]
        self.cumulative = list(accumulate(weight for _, weight in weighted))
        self.count = 0

    def __call__(self):
        self.count += 1
        if self.count <= len(self.values):
            return self.values[self.count - 1]
        return self.rng.choices(self.values, cum_weights=self.cumulative)[0]


class NationalSeed:
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

    def load_geography(self):
        communes = list(Commune.objects.order_by("insee_code").values_list(
            "id", "name", "population", "department_id", "epci_id", "latitude", "longitude"))
        if not communes:
            raise RuntimeError("Aucune commune : importez d'abord la géographie "
                               "(python manage.py import_territories).")
        self.communes = communes
        self.commune = {c[0]: c for c in communes}
        self.departments = list(Department.objects.order_by("code").values_list(
            "id", "code", "name", "region_id"))
        self.department_region = {d[0]: d[3] for d in self.departments}
        self.regions = list(Region.objects.order_by("code").values_list("id", "code", "name"))
        self.epcis = dict(Epci.objects.values_list("id", "name"))
        self.by_department = defaultdict(list)
        for c in communes:
            self.by_department[c[3]].append(c)
        # Population-weighted draws (a commune without population counts as 50 people).
        self.population_cumulative = list(accumulate((c[2] or 50) for c in communes))
        self.largest_in_department = {
            d: max(rows, key=lambda c: (c[2] or 0, -c[0])) for d, rows in
            self.by_department.items()}

    def draw_commune(self, rng):
        point = rng.random() * self.population_cumulative[-1]
        return self.communes[bisect.bisect_right(self.population_cumulative, point)]

    def commune_in(self, rng, department_id):
        return rng.choice(self.by_department[department_id])

    # --- elected officials -------------------------------------------------------------------
    def officials(self):
        rng = self.rng("officials")
        total = self.counts["officials"]
        first_round, second_round = _latest(MUNICIPAL_ELECTIONS, self.today)
        dep_first, dep_second = _latest(DEPARTMENTAL_ELECTIONS, self.today)
        departments = [d[0] for d in self.departments]
        regions = [r[0] for r in self.regions]
        rng.shuffle(departments)
        rng.shuffle(regions)
        department_presidents = min(len(departments), max(1, round(101 * self.scale)))
        region_presidents = min(len(regions), max(1, round(18 * self.scale)))
        department_seats = max(department_presidents + 1, round(4000 * self.scale))
        region_seats = max(region_presidents + 1, round(1900 * self.scale))
        municipal = max(1, total - department_seats - region_seats)

        people = []  # per official: [first mandate?, small commune?, département id]
        mandates = []  # (official, role, commune, epci, department, region, started, first)
        mayors, deputies = {}, defaultdict(list)
        order = list(range(len(self.communes)))
        rng.shuffle(order)
        R = MandateRole
        delegate_given = False
        for index in order:
            if len(people) >= municipal:
                break
            commune_id, _, population, department_id, _, _, _ = self.communes[index]
            size = _council_size(population)
            adjoints = rng.randint(max(1, int(size * 0.3) // 2), max(1, int(size * 0.3)))
            delegates = 0
            if size >= 11 and (not delegate_given or rng.random() < 0.04):
                delegates, delegate_given = rng.randint(1, 2), True
            roles = ([R.MAYOR] + [R.DELEGATE_MAYOR] * delegates + [R.DEPUTY_MAYOR] * adjoints
                     + [R.MUNICIPAL_COUNCILLOR] * (size - 1 - delegates - adjoints))
            elected_on = first_round if population and population >= 1000 or rng.random() < 0.8 \
                else second_round
            installed = elected_on + datetime.timedelta(days=rng.randint(5, 12))
            small = (population or 0) < SMALL_COMMUNE
            for role in roles[:municipal - len(people)]:
                official = len(people)
                started = elected_on if role == R.MUNICIPAL_COUNCILLOR else installed
                if rng.random() < 0.03:  # a by-election since
                    started = started + datetime.timedelta(
                        days=rng.randint(30, max(31, (self.today - started).days - 1)))
                    started = min(started, self.days_ago(1))
                first = rng.random() < (0.3 if role == R.MAYOR else 0.45)
                people.append([first, small, department_id])
                mandates.append((official, role, commune_id, None, None, None, started, first))
                if role == R.MAYOR:
                    mayors[commune_id] = official
                elif role == R.DEPUTY_MAYOR:
                    deputies[commune_id].append(official)

        # Intercommunal councils: mayors sit in their EPCI; the largest commune's mayor
        # presides; larger communes also send deputies.
        by_epci = defaultdict(list)
        for commune_id in mayors:
            epci_id = self.commune[commune_id][4]
            if epci_id:
                by_epci[epci_id].append(commune_id)
        epci_installed = first_round + datetime.timedelta(days=rng.randint(30, 40))
        for epci_id in sorted(by_epci):
            members = sorted(by_epci[epci_id], key=lambda c: (-(self.commune[c][2] or 0), c))
            vice_presidents = min(15, max(1 if len(members) > 1 else 0, len(members) // 4))
            for rank, commune_id in enumerate(members):
                role = (R.EPCI_PRESIDENT if rank == 0 else R.EPCI_VICE_PRESIDENT
                        if rank <= vice_presidents else R.EPCI_COUNCILLOR)
                official = mayors[commune_id]
                mandates.append((official, role, None, epci_id, None, None, epci_installed,
                                 rng.random() < 0.35))
                if (self.commune[commune_id][2] or 0) >= SMALL_COMMUNE:
                    for deputy in deputies[commune_id][:3]:
                        mandates.append((deputy, R.EPCI_COUNCILLOR, None, epci_id, None, None,
                                         epci_installed, rng.random() < 0.5))

        # Départemental and régional councillors.
        for seat in range(department_seats):
            department_id = (departments[seat] if seat < department_presidents
                             else rng.choice(departments))
            role = R.DEPARTMENT_PRESIDENT if seat < department_presidents \
                else R.DEPARTMENT_COUNCILLOR
            started = dep_second + datetime.timedelta(days=4 if seat < department_presidents
                                                      else 0)
            first = rng.random() < 0.35
            people.append([first, False, department_id])
            mandates.append((len(people) - 1, role, None, None, department_id, None, started,
                             first))
        region_departments = defaultdict(list)
        for department_id, _, _, region_id in self.departments:
            region_departments[region_id].append(department_id)
        for seat in range(region_seats):
            region_id = regions[seat] if seat < region_presidents else rng.choice(regions)
            role = R.REGION_PRESIDENT if seat < region_presidents else R.REGION_COUNCILLOR
            started = dep_second + datetime.timedelta(days=5 if seat < region_presidents else 0)
            first = rng.random() < 0.35
            people.append([first, False, rng.choice(region_departments[region_id] or [None])])
            mandates.append((len(people) - 1, role, None, None, None, region_id, started, first))

        # A role nobody holds at a tiny scale: give it to the first councillors.
        held = {m[1] for m in mandates}
        any_epci = next(iter(sorted(by_epci)), None) or next(iter(sorted(self.epcis)), None)
        for n, role in enumerate(r for r in R if r not in held):
            level = {"commune": (self.communes[order[0]][0], None, None, None),
                     "epci": (None, any_epci, None, None),
                     "departement": (None, None, departments[0], None),
                     "region": (None, None, None, regions[0])}[Mandate(role=role).level]
            if level == (None, None, None, None):
                continue
            mandates.append((len(people) - 1 - n, role, *level, dep_second, False))
        for official, *_rest, first in mandates:
            people[official][0] = people[official][0] or first
        self.people = people

        # Accounts, profiles, mandates.
        count = len(people)
        user0 = self.ids.take(User, count)
        profile0 = self.ids.take(OfficialProfile, count)
        self.official_user0 = user0
        first_names, last_names = names.FIRST_NAMES, names.LAST_NAMES
        person_names = [(rng.randrange(len(first_names)), rng.randrange(len(last_names)))
                        for _ in range(count)]
        joined = [self.at(self.days_ago(rng.randint(1, 1100)), rng.randint(7, 22),
                          rng.randrange(60)) for _ in range(count)]
        first_slugs = [_slug(n) for n in first_names]
        last_slugs = [_slug(n) for n in last_names]

        def users():
            for n, (first, last) in enumerate(person_names):
                email = (KNOWN_ACCOUNTS["elu"] if n == 0
                         else f"{first_slugs[first]}.{last_slugs[last]}.{n}@elus.{DOMAIN}")
                yield (user0 + n, email, first_names[first], last_names[last], False, False,
                       joined[n])

        self.write_users(users, "accounts_user (élus)")
        employee = [None, True, False, False]
        self.writer.write(
            OfficialProfile, ["id", "user_id", "is_employee", "updated_at"],
            ((profile0 + n, user0 + n, employee[rng.randrange(4)], joined[n])
             for n in range(count)))
        mandate0 = self.ids.take(Mandate, len(mandates))
        self.writer.write(
            Mandate, ["id", "profile_id", "role", "commune_id", "epci_id", "department_id",
                      "region_id", "started_on", "is_first_mandate"],
            ((mandate0 + n, profile0 + m[0], str(m[1]), *m[2:]) for n, m in enumerate(mandates)))

    # --- ANCT staff and préfets --------------------------------------------------------------
    def staff(self):
        rng = self.rng("staff")
        rows = []
        self.admin_id = self.ids.take(User)
        rows.append((self.admin_id, KNOWN_ACCOUNTS["admin"], "Camille", "Durand", True, True,
                     self.at(self.days_ago(1200))))
        self.user_groups.append((self.admin_id, self.groups[Role.ANCT_ADMIN]))
        assignments = []
        self.prefect_of_department, self.prefect_of_region = {}, {}
        known_department = next((d[0] for d in self.departments if d[1] == "60"),
                                self.departments[0][0])
        for department_id, code, _, _ in self.departments:
            pk = self.ids.take(User)
            email = (KNOWN_ACCOUNTS["prefet"] if department_id == known_department
                     else f"prefet.{code.lower()}@prefectures.{DOMAIN}")
            rows.append((pk, email, rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES),
                         False, False, self.at(self.days_ago(rng.randint(300, 1200)))))
            self.prefect_of_department[department_id] = pk
            assignments.append((pk, department_id, None))
        for region_id, code, _ in self.regions:
            pk = self.ids.take(User)
            rows.append((pk, f"prefet.region.{code}@prefectures.{DOMAIN}",
                         rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES), False,
                         False, self.at(self.days_ago(rng.randint(300, 1200)))))
            self.prefect_of_region[region_id] = pk
            assignments.append((pk, None, region_id))
        self.write_users(rows, "accounts_user (ANCT, préfets)")
        self.user_groups += [(pk, self.groups[Role.PREFET]) for pk, _, _ in assignments]
        first = self.ids.take(PrefectAssignment, len(assignments))
        self.writer.write(PrefectAssignment, ["id", "user_id", "department_id", "region_id",
                                              "last_digest_at", "created_at"],
                          [(first + n, *a, None, self.at(self.days_ago(300)))
                           for n, a in enumerate(assignments)])

    # --- structures, applications, opinions, conventions, amendments -------------------------
    def structures(self):
        rng = self.rng("structures")
        total = self.counts["structures"]
        K, S = Structure.Kind, Application.Status
        kinds = Picker(rng, [(K.COMMUNE, 38), (K.EPCI, 14), (K.DEPARTMENT, 2), (K.REGION, 1),
                             (K.OTHER_PUBLIC, 9), (K.ASSOCIATION, 29), (K.COMPANY, 7)])
        statuses = Picker(rng, [(S.VALIDATED, 62), (S.CREATED, 8), (S.EXAMINATION, 5),
                                (S.REFUSED, 10), (S.ABANDONED, 6), (S.CANCELLED, 4),
                                (S.DUPLICATE, 5)])
        free_departments = [d[0] for d in self.departments]
        free_regions = [r[0] for r in self.regions]
        rng.shuffle(free_departments)
        rng.shuffle(free_regions)
        used_communes, epci_members = set(), defaultdict(list)
        for c in self.communes:
            if c[4]:
                epci_members[c[4]].append(c)
        free_epcis = sorted(epci_members)
        rng.shuffle(free_epcis)
        region_names = {r[0]: r[2] for r in self.regions}
        structures = []
        for n in range(total):
            kind = K.COMMUNE if n == 0 else kinds()
            if kind == K.DEPARTMENT and not free_departments \
                    or kind == K.REGION and not free_regions \
                    or kind == K.EPCI and not free_epcis:
                kind = K.ASSOCIATION
            if kind == K.COMMUNE:
                commune = self.draw_commune(rng)
                for _ in range(20):
                    if commune[0] not in used_communes:
                        break
                    commune = self.draw_commune(rng)
                used_communes.add(commune[0])
                name = f"{'Ville' if (commune[2] or 0) >= 5000 else 'Commune'} de {commune[1]}"
            elif kind == K.EPCI:
                epci_id = free_epcis.pop()
                commune = max(epci_members[epci_id], key=lambda c: (c[2] or 0, -c[0]))
                name = self.epcis[epci_id]
            elif kind == K.DEPARTMENT:
                department_id = free_departments.pop()
                commune = self.largest_in_department[department_id]
                name = "Conseil départemental — " + next(
                    d[2] for d in self.departments if d[0] == department_id)
            elif kind == K.REGION:
                region_id = free_regions.pop()
                commune = max((c for c in self.communes
                               if self.department_region[c[3]] == region_id),
                              key=lambda c: (c[2] or 0, -c[0]))
                name = f"Conseil régional — {region_names[region_id]}"
            else:
                commune = self.draw_commune(rng)
                pool = {K.ASSOCIATION: names.ASSOCIATIONS, K.COMPANY: names.COMPANIES,
                        K.OTHER_PUBLIC: names.OTHER_PUBLIC}[kind]
                name = f"{rng.choice(pool)} — {commune[1]}"
            status = S.VALIDATED if n == 0 else statuses()
            structures.append({"n": n, "kind": kind, "commune": commune, "name": name,
                               "status": status})

        # Granted posts: about one advisor in 1.35 keeps their post to the end, plus a few
        # vacancies.
        validated = [s for s in structures if s["status"] == S.VALIDATED]
        posts_total = max(len(validated) + 3, round(self.counts["advisors"] / 1.35 * 1.05))
        weights = [rng.choice([1, 1, 2, 2, 3, 4, 6, 10]) for _ in validated]
        weights[0] = 8
        for s, posts in zip(validated, spread(posts_total, weights), strict=True):
            s["granted"] = max(1, posts)

        # Write structures and their managers.
        user0 = self.ids.take(User, total)
        structure0 = self.ids.take(Structure, total)
        users, rows, managers = [], [], []
        for s in structures:
            n = s["n"]
            s["id"], s["manager"] = structure0 + n, user0 + n
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            email = KNOWN_ACCOUNTS["structure"] if n == 0 else f"gestion.{n}@structures.{DOMAIN}"
            created = self.at(datetime.date(2021, 1, 4) + datetime.timedelta(
                days=rng.randint(0, max(1, (self.today - datetime.date(2021, 1, 4)).days - 130))))
            if s["status"] in (S.CREATED, S.EXAMINATION):
                created = self.at(self.days_ago(rng.randint(8, 90)))
            if n == 0:
                created = self.at(datetime.date(2021, 2, 1))
            s["created"] = created
            users.append((user0 + n, email, first, last, False, False, created))
            rows.append((structure0 + n, s["name"][:255], self.siret(n), str(s["kind"]),
                         f"{rng.randint(1, 80)} {rng.choice(names.STREETS)}", s["commune"][0],
                         first, last, email, self.phone(rng), created, created))
            managers.append((user0 + n, structure0 + n))
        self.write_users(users, "accounts_user (gestionnaires)")
        self.user_groups += [(u, self.groups[Role.STRUCTURE_MANAGER]) for u, _ in managers]
        self.writer.write(Structure, ["id", "name", "siret", "kind", "address", "commune_id",
                                      "contact_first_name", "contact_last_name",
                                      "contact_email", "contact_phone", "created_at",
                                      "updated_at"], rows)
        through = Structure.managers.through
        first = self.ids.take(through, len(managers))
        self.writer.write(through, ["id", "user_id", "structure_id"],
                          [(first + n, u, s) for n, (u, s) in enumerate(managers)])
        self.structure_rows = structures
        self.applications(rng, structures)

    def siret(self, n):
        siren = f"8{n:07d}"
        siren += luhn.calc_check_digit(siren)
        base = f"{siren}{1 + n % 9:04d}"
        return base + luhn.calc_check_digit(base)

    def prefect_for(self, structure):
        commune = structure["commune"]
        if structure["kind"] == Structure.Kind.REGION:
            return self.prefect_of_region[self.department_region[commune[3]]]
        return self.prefect_of_department[commune[3]]

    def applications(self, rng, structures):
        S = Application.Status
        applications, opinions = [], []
        decision_numbers = defaultdict(int)

        def add(s, status, created_day, granted=None):
            app = {"id": None, "structure": s["id"], "status": status, "created": created_day,
                   "granted": granted, "decided": None, "number": ""}
            requested = min(50, (granted or rng.choice([1, 1, 2, 3, 4, 6])) + rng.choice(
                [0, 0, 0, 1, 2]))
            app["requested"] = requested
            day = created_day.date()
            history = [("", S.CREATED, s["manager"], created_day, "Dépôt de la candidature")]
            opinion_day = day + datetime.timedelta(days=rng.randint(5, 25))
            decided = min(day + datetime.timedelta(days=rng.randint(30, 75)), self.days_ago(1))
            needs_opinion = status in (S.VALIDATED, S.REFUSED, S.EXAMINATION)
            if status == S.CREATED:
                decided = None
            if needs_opinion or (status != S.VALIDATED and rng.random() < 0.5):
                opinion_day = min(opinion_day, (decided or self.today) - datetime.timedelta(
                    days=1))
                opinion_day = max(opinion_day, day)
                unfavourable = status == S.REFUSED and rng.random() < 0.8 or rng.random() < 0.05
                opinions.append([None, app, "unfavourable" if unfavourable else "favourable",
                                 rng.choice(OPINIONS_UNFAVOURABLE if unfavourable
                                            else OPINIONS_FAVOURABLE),
                                 self.prefect_for(s), self.at(opinion_day, 15)])
            previous = S.CREATED
            if status in (S.VALIDATED, S.REFUSED) and rng.random() < 0.2:
                middle = decided - datetime.timedelta(days=rng.randint(10, 25))
                middle = max(middle, day)
                history.append((S.CREATED, S.EXAMINATION, self.admin_id, self.at(middle, 16),
                                "Pièces complémentaires demandées."))
                previous = S.EXAMINATION
            reasons = {S.VALIDATED: f"Comité de sélection : {granted} postes.",
                       S.REFUSED: "Avis défavorable du préfet ; besoin couvert.",
                       S.EXAMINATION: "Pièces complémentaires demandées.",
                       S.ABANDONED: "La structure a renoncé.",
                       S.CANCELLED: "Candidature retirée.",
                       S.DUPLICATE: "Doublon d'une candidature antérieure."}
            if status != S.CREATED:
                actor = s["manager"] if status == S.ABANDONED else self.admin_id
                history.append((previous, status, actor, self.at(decided, 17), reasons[status]))
            if status in (S.VALIDATED, S.REFUSED, S.EXAMINATION):
                app["decided"] = decided
            if status in (S.VALIDATED, S.REFUSED):
                decision_numbers[decided.year] += 1
                app["number"] = f"COSELEC-{decided.year}-{decision_numbers[decided.year]:05d}"
            app["history"] = history
            applications.append(app)
            return app

        for s in structures:
            status = s["status"]
            if status == S.VALIDATED and rng.random() < 0.08 and s["n"]:
                # An earlier application that went nowhere.
                earlier = self.at(s["created"].date() - datetime.timedelta(days=200))
                add(s, rng.choice([S.REFUSED, S.ABANDONED, S.DUPLICATE]), earlier)
            s["application"] = add(s, status, s["created"], s.get("granted"))

        first = self.ids.take(Application, len(applications))
        for n, app in enumerate(applications):
            app["id"] = first + n
        desired = datetime.timedelta(days=60)
        self.writer.write(Application, [
            "id", "structure_id", "posts_requested", "motivation", "desired_start", "status",
            "posts_granted", "decision_number", "decided_on", "created_by_id", "created_at",
            "updated_at"],
            [(a["id"], a["structure"], a["requested"], rng.choice(MOTIVATIONS),
              a["created"].date() + desired, str(a["status"]), a["granted"], a["number"],
              a["decided"], a["history"][0][2], a["created"], a["history"][-1][3])
             for a in applications])
        rows = [(a["id"], str(h[0]), str(h[1]), h[2], h[3], h[4])
                for a in applications for h in a["history"]]
        first = self.ids.take(ApplicationEvent, len(rows))
        self.writer.write(ApplicationEvent, ["id", "application_id", "from_status",
                                             "to_status", "actor_id", "at", "reason"],
                          [(first + n, *row) for n, row in enumerate(rows)])
        self.conventions(rng, structures, opinions)

    def conventions(self, rng, structures, opinions):
        C, A = Convention, Amendment
        conventions, amendments = [], []
        renewal_status = Picker(rng, [(C.Status.VALIDATED, 6), (C.Status.INITIATED, 3),
                                      (C.Status.NOT_INTERESTED, 1)])
        amendment_kind = Picker(rng, [(A.Kind.ADD, 7), (A.Kind.WITHDRAW, 3)])
        # The first amendments go through every kind and status.
        forced = [(A.Kind.ADD, A.Status.PENDING_OPINION), (A.Kind.ADD, A.Status.PENDING_DECISION),
                  (A.Kind.ADD, A.Status.VALIDATED), (A.Kind.ADD, A.Status.REFUSED),
                  (A.Kind.WITHDRAW, A.Status.PENDING_DECISION),
                  (A.Kind.WITHDRAW, A.Status.VALIDATED), (A.Kind.WITHDRAW, A.Status.REFUSED)]
        add_status = Picker(rng, [(A.Status.PENDING_OPINION, 2), (A.Status.PENDING_DECISION, 2),
                                  (A.Status.VALIDATED, 5), (A.Status.REFUSED, 1)])
        withdraw_status = Picker(rng, [(A.Status.PENDING_DECISION, 2), (A.Status.VALIDATED, 5),
                                       (A.Status.REFUSED, 1)])
        in_progress_given = False
        for s in structures:
            app = s["application"]
            if app["status"] != Application.Status.VALIDATED:
                continue
            start = app["decided"] + datetime.timedelta(days=rng.randint(20, 60))
            recent = start > self.days_ago(60)
            status = C.Status.IN_PROGRESS if (recent or (not in_progress_given and s["n"])) \
                else C.Status.VALIDATED
            in_progress_given = in_progress_given or status == C.Status.IN_PROGRESS
            initial = {"structure": s["id"], "kind": C.Kind.INITIAL, "previous": None,
                       "status": status, "posts": app["granted"], "start": start,
                       "end": start.replace(year=start.year + 3) - datetime.timedelta(days=1)
                       if not (start.month == 2 and start.day == 29)
                       else start + datetime.timedelta(days=3 * 365),
                       "reason": ""}
            conventions.append(initial)
            s["slots_from"] = start
            s["slots"] = app["granted"]
            current = initial
            if status == C.Status.VALIDATED and initial["end"] <= self.today + \
                    datetime.timedelta(days=180):
                renewal_state = renewal_status()
                renewal_start = initial["end"] + datetime.timedelta(days=1)
                renewal = {"structure": s["id"], "kind": C.Kind.RENEWAL, "previous": initial,
                           "status": renewal_state, "posts": app["granted"],
                           "start": renewal_start,
                           "end": renewal_start + datetime.timedelta(days=3 * 365 - 1),
                           "reason": ("La commune reprend la médiation numérique en régie."
                                      if renewal_state == C.Status.NOT_INTERESTED else "")}
                conventions.append(renewal)
                if renewal_state == C.Status.VALIDATED:
                    current = renewal
            if current["status"] == C.Status.VALIDATED and s["n"] and (
                    forced or rng.random() < 0.06):
                if forced:
                    if forced[0][0] == A.Kind.WITHDRAW and s["slots"] < 2:
                        continue
                    kind, state = forced.pop(0)
                else:
                    kind = amendment_kind()
                    if kind == A.Kind.WITHDRAW and s["slots"] < 2:
                        kind = A.Kind.ADD
                    state = add_status() if kind == A.Kind.ADD else withdraw_status()
                posts = rng.randint(1, 3) if kind == A.Kind.ADD else 1
                requested = max(current["start"], self.days_ago(rng.randint(20, 400)))
                requested = min(requested, self.days_ago(2))
                decided = None
                if state in (A.Status.VALIDATED, A.Status.REFUSED):
                    decided = min(requested + datetime.timedelta(days=rng.randint(10, 40)),
                                  self.days_ago(1))
                amendment = {"convention": current, "kind": kind, "posts": posts,
                             "status": state, "requested": requested, "decided": decided,
                             "manager": s["manager"]}
                amendments.append(amendment)
                if kind == A.Kind.ADD and state != A.Status.PENDING_OPINION:
                    opinions.append([amendment, None,
                                     "unfavourable" if state == A.Status.REFUSED
                                     else "favourable",
                                     rng.choice(OPINIONS_FAVOURABLE), self.prefect_for(s),
                                     self.at(requested + datetime.timedelta(days=2), 15)])
                if state == A.Status.VALIDATED:
                    s["slots"] += posts if kind == A.Kind.ADD else -posts
                    if kind == A.Kind.ADD:
                        s["extra_slots_from"] = decided + datetime.timedelta(days=30)

        first = self.ids.take(Convention, len(conventions))
        for n, c in enumerate(conventions):
            c["id"] = first + n
        self.writer.write(Convention, [
            "id", "structure_id", "kind", "previous_id", "status", "posts", "start", "end",
            "reason", "created_by_id", "created_at", "validated_by_id", "validated_at"],
            [(c["id"], c["structure"], str(c["kind"]), c["previous"] and c["previous"]["id"],
              str(c["status"]), c["posts"], c["start"], c["end"], c["reason"], self.admin_id,
              self.at(min(c["start"], self.today) - datetime.timedelta(days=15)),
              self.admin_id if c["status"] == C.Status.VALIDATED else None,
              self.at(min(c["start"], self.today) - datetime.timedelta(days=5))
              if c["status"] == C.Status.VALIDATED else None)
             for c in conventions])
        first = self.ids.take(Amendment, len(amendments))
        for n, a in enumerate(amendments):
            a["id"] = first + n
        self.writer.write(Amendment, [
            "id", "convention_id", "kind", "posts", "reason", "status", "requested_by_id",
            "requested_at", "decided_by_id", "decided_at", "decision_comment"],
            [(a["id"], a["convention"]["id"], str(a["kind"]), a["posts"],
              "Ouverture d'une permanence supplémentaire." if a["kind"] == A.Kind.ADD
              else "Un poste n'est plus financé par la structure.", str(a["status"]),
              a["manager"], self.at(a["requested"], 11),
              self.admin_id if a["decided"] else None,
              self.at(a["decided"], 16) if a["decided"] else None,
              "Décision du comité." if a["decided"] else "")
             for a in amendments])
        first = self.ids.take(PrefectOpinion, len(opinions))
        self.writer.write(PrefectOpinion, [
            "id", "amendment_id", "application_id", "verdict", "comment", "author_id",
            "given_at"],
            [(first + n, amendment and amendment["id"], app and app["id"], verdict, comment,
              author, given) for n, (amendment, app, verdict, comment, author, given)
             in enumerate(opinions)])

    # --- advisors and contracts --------------------------------------------------------------
    def advisors(self):
        rng = self.rng("advisors")
        total = self.counts["advisors"]
        Kd = Contract.Kind
        kinds = Picker(rng, [(Kd.CDD, 45), (Kd.CDI, 15), (Kd.PEC, 20), (Kd.PUBLIC_PROJECT, 20)])
        reasons = Picker(rng, [(r, 1) for r in Contract.RuptureReason])
        slots = []
        for s in self.structure_rows:
            for n in range(s.get("slots", 0)):
                start = s["slots_from"] + datetime.timedelta(days=rng.randint(0, 150))
                if n >= s["application"]["granted"] and s.get("extra_slots_from"):
                    start = s["extra_slots_from"]
                if s["n"] == 0:
                    start = s["slots_from"]
                slots.append((s, start))
        known, others = slots[:2], slots[2:]
        rng.shuffle(others)
        self.contracts = []  # dicts
        self.people_advisors = []  # dicts
        self.extensions = []
        horizon = self.today

        def new_advisor(structure, scenario=None):
            advisor = {"id": len(self.people_advisors), "structure": structure,
                       "coordinator": scenario == "coordinator", "scenario": scenario}
            self.people_advisors.append(advisor)
            return advisor

        def contract(advisor, structure, kind, start, end, status="validated", **extra):
            c = {"advisor": advisor, "structure": structure, "kind": kind, "start": start,
                 "end": end, "status": status, "rupture": "none", "reason": "",
                 "rupture_date": None, "requested_at": None, "rupture_validated_at": None,
                 "refusal": "", "salary": Decimal(f"{rng.uniform(1850, 2650):.2f}")}
            c.update(extra)
            self.contracts.append(c)
            return c

        def term(start, kind, years=None):
            if kind == Kd.CDI:
                return None
            return start + datetime.timedelta(days=years or rng.choice([365, 730, 730, 1095]))

        remaining = total
        for index, (s, start) in enumerate(known + others):
            if remaining <= 0:
                break
            if index < 2:  # the known advisor and coordinator: one running CDI each
                advisor = new_advisor(s, "known" if index == 0 else "coordinator")
                contract(advisor, s, Kd.CDI, start, None)
                remaining -= 1
                continue
            wanted = min(remaining, rng.choices([1, 2, 3], [70, 22, 8])[0])
            t = start
            for j in range(wanted):
                last = j == wanted - 1
                advisor = new_advisor(s)
                remaining -= 1
                kind = kinds()
                if not last:
                    latest_end = horizon - datetime.timedelta(days=60 * (wanted - 1 - j))
                    if (latest_end - t).days < 150:
                        last = True
                if not last:
                    breaking = t + datetime.timedelta(days=rng.randint(120, (latest_end - t).days))
                    if rng.random() < 0.5:  # a rupture ends it
                        end = term(t, kind)
                        if end is not None and end < breaking:
                            end = breaking + datetime.timedelta(days=rng.randint(0, 200))
                        requested = breaking - datetime.timedelta(days=rng.randint(20, 40))
                        contract(advisor, s, kind, t, end, rupture="validated",
                                 reason=reasons(), rupture_date=breaking,
                                 requested_at=self.at(max(requested, t), 11),
                                 rupture_validated_at=self.at(max(requested, t) +
                                                              datetime.timedelta(days=7), 15))
                    else:  # a fixed-term contract that ran to its end
                        if kind == Kd.CDI:
                            kind = Kd.CDD
                        contract(advisor, s, kind, t, breaking - datetime.timedelta(days=1))
                    t = breaking + datetime.timedelta(days=rng.randint(0, 45))
                    continue
                if t > horizon - datetime.timedelta(days=10) and rng.random() < 0.7:
                    contract(advisor, s, kind, t, term(t, kind), status="submitted")
                    break
                end = term(t, kind)
                c = contract(advisor, s, kind, t, end)
                roll = rng.random()
                if roll < 0.04 and (horizon - t).days > 120 and (end is None or end > horizon +
                                                                  datetime.timedelta(days=45)):
                    c.update(rupture="requested", reason=reasons(),
                             rupture_date=horizon + datetime.timedelta(days=rng.randint(10, 40)),
                             requested_at=self.at(horizon - datetime.timedelta(
                                 days=rng.randint(1, 10)), 11))
                elif roll < 0.08 and (horizon - t).days > 200:
                    day = t + datetime.timedelta(days=rng.randint(100, (horizon - t).days - 1))
                    if end is None or day <= end:
                        c.update(rupture="validated", reason=reasons(), rupture_date=day,
                                 requested_at=self.at(day - datetime.timedelta(days=20), 11),
                                 rupture_validated_at=self.at(
                                     day - datetime.timedelta(days=10), 15))
                elif end is not None and end < horizon and rng.random() < 0.4:
                    # Kept on: a second contract for the same person.
                    again = end + datetime.timedelta(days=1)
                    kind = rng.choice([Kd.CDI, Kd.CDD])
                    contract(advisor, s, kind, again, term(again, kind))
                elif end is not None and end > horizon and rng.random() < 0.1:
                    self.extensions.append(c)
                if rng.random() < 0.03:
                    contract(advisor, s, c["kind"], c["start"], c["end"], status="refused",
                             refusal="Pièces justificatives manquantes : contrat non signé.")
                break

        # More people than posts: earlier advisors whose contract ended.
        validated = [s for s in self.structure_rows if s.get("slots")]
        while remaining > 0:
            s = rng.choice(validated)
            advisor = new_advisor(s)
            remaining -= 1
            start = s["slots_from"] + datetime.timedelta(days=rng.randint(0, 200))
            if (horizon - start).days < 200:
                contract(advisor, s, Kd.CDD, start, start + datetime.timedelta(days=365),
                         status="refused", refusal="Le poste n'est plus vacant.")
                continue
            end_day = start + datetime.timedelta(days=rng.randint(90, (horizon - start).days - 30))
            if rng.random() < 0.5:
                contract(advisor, s, Kd.CDD, start, end_day)
            else:
                kind = kinds()
                end = term(start, kind)
                if end is not None and end < end_day:
                    end = end_day
                contract(advisor, s, kind, start, end, rupture="validated", reason=reasons(),
                         rupture_date=end_day, requested_at=self.at(end_day - datetime.timedelta(
                             days=30), 11),
                         rupture_validated_at=self.at(end_day - datetime.timedelta(days=15), 15))
        self.ensure_coverage(reasons)
        self.write_advisors(rng)

    def ensure_coverage(self, reasons):
        """At a small scale, chance may leave out a status: the contracts then get one of
        each (a recruitment awaiting validation, a refused one, a rupture asked for, and
        enough extension requests for every decision)."""
        today = self.today
        plain = [c for c in self.contracts if c["status"] == "validated"
                 and c["rupture"] == "none" and not c["advisor"]["scenario"]]
        if not any(c["status"] == "submitted" for c in self.contracts) and plain:
            # The latest recruitment (nobody followed it) becomes one awaiting validation.
            latest = max(plain, key=lambda c: c["start"])
            start = today + datetime.timedelta(days=14)
            latest.update(status="submitted", start=start,
                          end=None if latest["kind"] == Contract.Kind.CDI
                          else start + datetime.timedelta(days=365))
            self.extensions = [c for c in self.extensions if c is not latest]
            for other in self.contracts:  # its refused twin, if any, follows
                if other["advisor"] is latest["advisor"] and other["status"] == "refused":
                    other.update(start=latest["start"], end=latest["end"])
            plain = [c for c in plain if c is not latest]
        running = [c for c in plain if self.running(c, today)
                   and c["start"] < today - datetime.timedelta(days=60)]
        if not any(c["status"] == "refused" for c in self.contracts) and running:
            c = running[0]
            self.contracts.append(dict(c, status="refused", refusal="Pièces manquantes."))
        if not any(c["rupture"] == "requested" for c in self.contracts):
            for c in running:
                if (c["end"] is None or c["end"] > today + datetime.timedelta(days=45)) \
                        and all(c is not e for e in self.extensions):
                    c.update(rupture="requested", reason=reasons(),
                             rupture_date=today + datetime.timedelta(days=30),
                             requested_at=self.at(today - datetime.timedelta(days=3), 11))
                    break
        for c in running:
            if len(self.extensions) >= 3:
                break
            if c["rupture"] == "none" and c["end"] is not None and c["end"] > today \
                    and all(c is not e for e in self.extensions):
                self.extensions.append(c)

    def write_advisors(self, rng):
        people = self.people_advisors
        by_advisor = defaultdict(list)
        for c in self.contracts:
            by_advisor[c["advisor"]["id"]].append(c)
        horizon = self.today
        advisor0 = self.ids.take(Advisor, len(people))
        users, rows = [], []
        first_names, last_names = names.FIRST_NAMES, names.LAST_NAMES
        for a in people:
            a["pk"] = advisor0 + a["id"]
            contracts = by_advisor[a["id"]]
            a["validated"] = any(c["status"] == "validated" for c in contracts)
            a["running"] = any(self.running(c, horizon) for c in contracts)
            if a["running"] and rng.random() < 0.03:
                a["coordinator"] = True
            first, last = rng.choice(first_names), rng.choice(last_names)
            scenario = a["scenario"]
            email = (KNOWN_ACCOUNTS["conseiller"] if scenario == "known"
                     else KNOWN_ACCOUNTS["coordinateur"] if scenario == "coordinator"
                     else f"{_slug(first)}.{_slug(last)}.{a['id']}@conseillers.{DOMAIN}")
            a["email"] = email
            a["user"] = None
            if scenario or rng.random() < 0.7:
                a["user"] = self.ids.take(User)
            start = min(c["start"] for c in contracts)
            training_start = start + datetime.timedelta(days=rng.randint(0, 30))
            training_end = training_start + datetime.timedelta(days=rng.randint(60, 90))
            ccp1 = rng.random() < 0.55 and training_end < horizon
            ccp1_on = (min(training_end + datetime.timedelta(days=rng.randint(20, 200)),
                           self.days_ago(1)) if ccp1 and rng.random() < 0.9 else None)
            created = self.at(min(start, self.today) - datetime.timedelta(days=20))
            if a["user"]:
                users.append((a["user"], email, first, last, False, False, created))
            rows.append((a["pk"], a["user"], first, last, email, self.phone(rng),
                         a["coordinator"], training_start, training_end,
                         rng.choice([105, 140, 210, 350]), rng.choice([None, *range(0, 9)]),
                         ccp1, ccp1_on, created, created))
        self.write_users(users, "accounts_user (conseillers)")
        for a in people:
            if a["user"] and a["validated"]:
                self.user_groups.append((a["user"], self.groups[Role.ADVISOR]))
                if a["coordinator"]:
                    self.user_groups.append((a["user"], self.groups[Role.COORDINATOR]))
        self.writer.write(Advisor, [
            "id", "user_id", "first_name", "last_name", "email", "phone", "is_coordinator",
            "training_start", "training_end", "training_hours", "pix_level", "ccp1_obtained",
            "ccp1_obtained_on", "created_at", "updated_at"], rows)

        # Coordinators follow advisors of their région.
        by_region = defaultdict(list)
        for a in people:
            if a["running"] and not a["coordinator"]:
                by_region[self.department_region[a["structure"]["commune"][3]]].append(a["pk"])
        coordinated = []
        for a in people:
            if a["coordinator"]:
                pool = by_region[self.department_region[a["structure"]["commune"][3]]]
                chosen = set(rng.sample(pool, min(len(pool), rng.randint(8, 25))))
                if a["scenario"] == "coordinator":
                    chosen.add(people[0]["pk"])
                coordinated += [(a["pk"], other) for other in sorted(chosen)]
        through = Advisor.coordinated.through
        first = self.ids.take(through, len(coordinated))
        self.writer.write(through, ["id", "from_advisor_id", "to_advisor_id"],
                          [(first + n, *pair) for n, pair in enumerate(coordinated)])

        contract0 = self.ids.take(Contract, len(self.contracts))
        rows = []
        for n, c in enumerate(self.contracts):
            c["pk"] = contract0 + n
            handled = c["status"] != "submitted"
            validated_at = (self.at(min(c["start"], self.today) - datetime.timedelta(
                days=rng.randint(5, 20)), 14) if handled else None)
            created = (validated_at or self.at(self.days_ago(rng.randint(1, 9)), 9)) \
                - datetime.timedelta(days=rng.randint(1, 10))
            rows.append((c["pk"], c["advisor"]["pk"], c["structure"]["id"], str(c["kind"]),
                         c["start"], c["end"], c["salary"], c["status"], c["refusal"],
                         c["rupture"], str(c["reason"]), c["rupture_date"], c["requested_at"],
                         c["rupture_validated_at"], c["structure"]["manager"], created,
                         self.admin_id if handled else None, validated_at,
                         validated_at or created))
        self.writer.write(Contract, [
            "id", "advisor_id", "structure_id", "kind", "start", "end", "monthly_gross_salary",
            "status", "refusal_reason", "rupture_status", "rupture_reason", "rupture_date",
            "rupture_requested_at", "rupture_validated_at", "created_by_id", "created_at",
            "validated_by_id", "validated_at", "updated_at"], rows)

        E = ContractExtension.Status
        statuses = Picker(rng, [(E.REQUESTED, 3), (E.VALIDATED, 5), (E.REFUSED, 2)])
        rows = []
        first = self.ids.take(ContractExtension, len(self.extensions))
        for n, c in enumerate(self.extensions):
            status = statuses()
            requested = self.at(self.days_ago(rng.randint(2, 60)), 10)
            decided = requested + datetime.timedelta(days=1) if status != E.REQUESTED else None
            rows.append((first + n, c["pk"], c["end"] + datetime.timedelta(
                days=rng.choice([182, 365])), c["end"], str(status), c["structure"]["manager"],
                requested, self.admin_id if decided else None, decided))
        self.writer.write(ContractExtension, [
            "id", "contract_id", "new_end", "previous_end", "status", "requested_by_id",
            "requested_at", "decided_by_id", "decided_at"], rows)
        # A validated extension moved the contract's end (rows already written: update).
        moved = [(row[2], row[1]) for row in rows if row[4] == E.VALIDATED]
        if moved:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Contract._meta.db_table} SET \"end\" = %s WHERE id = %s", moved)
            by_pk = {c["pk"]: c for c in self.extensions}
            for new_end, pk in moved:
                by_pk[pk]["end"] = new_end

    @staticmethod
    def effective_end(c):
        if c["rupture"] == "validated":
            return c["rupture_date"] - datetime.timedelta(days=1)
        return c["end"]

    def running(self, c, on):
        end = self.effective_end(c)
        return (c["status"] == "validated" and c["start"] <= on
                and (end is None or end >= on))

    # --- service points ----------------------------------------------------------------------
    def service_points(self):
        rng = self.rng("service_points")
        total = self.counts["service_points"]
        staff = defaultdict(list)  # structure id -> running advisors' pks
        for c in self.contracts:
            if self.running(c, self.today):
                staff[c["structure"]["id"]].append(c["advisor"]["pk"])
        hosts = [s for s in self.structure_rows if s.get("slots")]
        hosts.sort(key=lambda s: (not staff[s["id"]], s["n"]))
        base = [1 if staff[s["id"]] else 0 for s in hosts]
        if sum(base) > total:
            base = [1 if n < total else 0 for n in range(len(hosts))]
        extra = spread(total - sum(base), [s["slots"] for s in hosts])
        access = Picker(rng, [(ServicePoint.Access.FREE, 6), (ServicePoint.Access.APPOINTMENT, 3),
                              (ServicePoint.Access.RESTRICTED, 1)])
        services = PlaceService.values
        point0 = self.ids.take(ServicePoint, total)
        points, ranges, staffing, closures = [], [], [], []
        self.points_of = defaultdict(list)  # structure id -> [(point id, commune id)]
        self.staffed = defaultdict(list)  # (advisor pk, structure id) -> [(point, commune)]
        W = OpeningRange.Weekday
        pk = point0
        for s, count in zip(hosts, [b + e for b, e in zip(base, extra, strict=True)],
                            strict=True):
            team = sorted(set(staff[s["id"]]))
            for n in range(count):
                commune = s["commune"] if n == 0 or rng.random() < 0.35 \
                    else self.commune_in(rng, s["commune"][3])
                itinerant = rng.random() < 0.05
                place = rng.choice(names.PLACES)
                name = (f"Permanence itinérante — {commune[1]}" if itinerant
                        else f"{place} de {commune[1]}")
                lat = lon = None
                if commune[5] is not None and not itinerant:
                    lat = round(commune[5] + rng.uniform(-0.01, 0.01), 6)
                    lon = round(commune[6] + rng.uniform(-0.01, 0.01), 6)
                kind = access()
                points.append((
                    pk, s["id"], name[:255], "" if itinerant else
                    f"{rng.randint(1, 60)} {rng.choice(names.STREETS)}", commune[0], lat, lon,
                    str(kind), itinerant, rng.sample(services, rng.randint(1, 5)),
                    self.phone(rng), f"numerique.{pk}@lieux.{DOMAIN}",
                    "" if rng.random() < 0.6 else f"https://lieu-{pk}.example.fr",
                    f"https://rdv.example.fr/lieu-{pk}" if kind == "appointment" else "",
                    rng.random() < 0.9, s["created"], s["created"], 0))
                self.points_of[s["id"]].append((pk, commune[0]))
                if team:
                    members = {team[(n + k) % len(team)] for k in range(rng.randint(1, 3))}
                    if n == count - 1:  # every advisor of the structure works somewhere
                        members.update(team[count - 1:] if count <= len(team) else [])
                    for advisor in sorted(members):
                        staffing.append((pk, advisor))
                        self.staffed[(advisor, s["id"])].append((pk, commune[0]))
                days = sorted(rng.sample(range(6), rng.randint(2, 5)))
                for day in days:
                    if rng.random() < 0.8:
                        ranges.append((pk, W(day).value, "am",
                                       datetime.time(rng.choice([8, 9, 9, 10]),
                                                     rng.choice([0, 30])),
                                       datetime.time(rng.choice([12, 12, 13]), 0)))
                    if day < 5 and rng.random() < 0.7:
                        ranges.append((pk, day, "pm",
                                       datetime.time(rng.choice([13, 14, 14]),
                                                     rng.choice([0, 30])),
                                       datetime.time(rng.choice([17, 18]),
                                                     rng.choice([0, 30]))))
                if rng.random() < 0.05:
                    start = self.today + datetime.timedelta(days=rng.randint(-60, 90))
                    closures.append((pk, start, start + datetime.timedelta(
                        days=rng.randint(0, 14)), "Fermeture exceptionnelle"))
                pk += 1
        self.writer.write(ServicePoint, [
            "id", "structure_id", "name", "address", "commune_id", "latitude", "longitude",
            "access", "is_itinerant", "services", "phone", "email", "website", "booking_url",
            "is_public", "created_at", "updated_at", "calendar_sequence"], points)
        first = self.ids.take(OpeningRange, len(ranges))
        self.writer.write(OpeningRange, ["id", "service_point_id", "weekday", "period", "opens",
                                         "closes"],
                          ((first + n, *row) for n, row in enumerate(ranges)))
        first = self.ids.take(Closure, len(closures))
        self.writer.write(Closure, ["id", "service_point_id", "start", "end", "reason"],
                          [(first + n, *row) for n, row in enumerate(closures)])
        through = ServicePoint.advisors.through
        first = self.ids.take(through, len(staffing))
        self.writer.write(through, ["id", "servicepoint_id", "advisor_id"],
                          [(first + n, *row) for n, row in enumerate(staffing)])

    # --- activity reports --------------------------------------------------------------------
    def activity_reports(self):
        rng = self.rng("reports")
        total = self.counts["reports"]
        window_start = max(FIRST_REPORT_DATE,
                           self.today - datetime.timedelta(days=365 * REPORT_YEARS))
        last_day = self.days_ago(1)
        spans, lengths = [], []
        for c in self.contracts:
            if c["status"] != "validated":
                continue
            end = self.effective_end(c) or last_day
            start, end = max(c["start"], window_start), min(end, last_day)
            if end >= start:
                spans.append((c, start.toordinal()))
                lengths.append((end - start).days + 1)
        if not spans:
            return
        cumulative = list(accumulate(lengths))
        whole = cumulative[-1]
        neighbourhoods = {}
        for s in self.structure_rows:
            if s.get("slots"):
                near = [c for _, c in self.points_of[s["id"]]] + [s["commune"][0]]
                near += [self.commune_in(rng, s["commune"][3])[0] for _ in range(6)]
                neighbourhoods[s["id"]] = near
        R = ActivityReport
        channels = [R.Channel.SERVICE_POINT.value, R.Channel.OTHER_PLACE.value,
                    R.Channel.REMOTE.value, R.Channel.HOME.value]
        channel_weights = list(accumulate([60, 15, 15, 10]))
        kinds = [R.Kind.INDIVIDUAL.value, R.Kind.ONE_OFF.value, R.Kind.WORKSHOP.value]
        kind_weights = list(accumulate([55, 20, 25]))
        durations = R.Duration.values
        duration_weights = list(accumulate([25, 45, 22, 8]))
        ages = [name for name, _ in AGE_BANDS]
        age_weights = list(accumulate([4, 7, 22, 35, 32]))
        situations = [name for name, _ in STATUS_BANDS]
        situation_weights = list(accumulate([10, 20, 22, 33, 15]))
        themes = ActivityTheme.values
        band_index = {name: n for n, name in enumerate(ages + situations)}
        redirections = names.REDIRECTIONS
        report0 = self.ids.take(ActivityReport, total)
        sizes = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30]
        size_weights = list(accumulate([20, 18, 14, 12, 10, 8, 6, 5, 4, 2, 1]))
        random_ = rng.random
        choices = rng.choices

        bisect_right = bisect.bisect_right
        as_lines = self.writer.postgres  # COPY lines built here: the hot loop of the run
        text_cache = {}

        def draw(values, cumulative):
            return values[bisect_right(cumulative, random_() * cumulative[-1])]

        def rows():
            for n in range(total):
                span = bisect_right(cumulative, random_() * whole)
                c, first_ordinal = spans[span]
                ordinal = first_ordinal + int(random_() * lengths[span])
                advisor, structure = c["advisor"]["pk"], c["structure"]["id"]
                points = (self.staffed.get((advisor, structure))
                          or self.points_of.get(structure))
                channel = draw(channels, channel_weights)
                point = None
                if channel == "service_point":
                    if points:
                        point, commune = points[int(random_() * len(points))]
                    else:
                        channel = "remote"
                if point is None:
                    near = neighbourhoods[structure]
                    commune = near[int(random_() * len(near))]
                kind = draw(kinds, kind_weights)
                if kind == "workshop":
                    people = draw(sizes, size_weights)
                else:
                    people = 1 if kind == "individual" or random_() < 0.8 else 2
                bands = [0] * 10
                if people == 1:
                    bands[band_index[draw(ages, age_weights)]] = 1
                    bands[band_index[draw(situations, situation_weights)]] = 1
                else:
                    for name in choices(ages, cum_weights=age_weights, k=people):
                        bands[band_index[name]] += 1
                    for name in choices(situations, cum_weights=situation_weights, k=people):
                        bands[band_index[name]] += 1
                chosen = rng.sample(themes, 1 if random_() < 0.6 else 2 if random_() < 0.7
                                    else 3)
                duration = draw(durations, duration_weights)
                redirected = random_() < 0.08
                redirected_to = (redirections[int(random_() * len(redirections))]
                                 if redirected else "")
                if not as_lines:
                    day = datetime.date.fromordinal(ordinal)
                    yield (report0 + n, advisor, structure, point, day, commune, channel,
                           kind, people, *bands, chosen, duration, redirected, redirected_to,
                           self.at(day, 18))
                    continue
                day_text = text_cache.get(ordinal)
                if day_text is None:
                    day = datetime.date.fromordinal(ordinal)
                    day_text = text_cache[ordinal] = (day.isoformat(),
                                                      self.at(day, 18).isoformat())
                key = tuple(chosen)
                themes_text = text_cache.get(key)
                if themes_text is None:
                    themes_text = text_cache[key] = copy_text([chosen])
                yield CopyLine("\t".join((
                    str(report0 + n), str(advisor), str(structure),
                    "\\N" if point is None else str(point), day_text[0], str(commune),
                    channel, kind, str(people), *map(str, bands), themes_text, duration,
                    "t" if redirected else "f", redirected_to, day_text[1])))

        self.writer.write(ActivityReport, [
            "id", "advisor_id", "structure_id", "service_point_id", "date", "commune_id",
            "channel", "kind", "participants", *ages, *situations, "themes", "duration",
            "redirected", "redirected_to", "created_at"], rows())

    # --- Académie: courses, sessions, enrolments, attendance ---------------------------------
    def academy(self):
        from cms.models import HomePage
        from demo.content import COURSES, THEMES

        rng = self.rng("academy")
        started = time.perf_counter()
        home = HomePage.objects.first()
        if home is None:
            raise RuntimeError("Pas de page d'accueil : lancez d'abord python manage.py migrate.")
        catalog = CatalogPage.objects.first()
        if catalog is None:
            catalog = CatalogPage(title="Formations", slug="formations",
                                  intro="Le catalogue des formations de l'Académie.")
            home.add_child(instance=catalog)
            catalog.save_revision().publish()
        from django.utils.text import slugify

        themes = [CourseTheme.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                  for name in THEMES]
        partner, _ = Partner.objects.get_or_create(
            name="Agence nationale de la cohésion des territoires",
            defaults={"url": "https://agence-cohesion-territoires.gouv.fr"})
        courses = []
        region_names = [r[2] for r in self.regions] or ["France"]
        for n in range(self.counts["courses"]):
            (title, theme_ids, audience, fmt, hours, price, dif, summary,
             objectives) = COURSES[n % len(COURSES)]
            edition = n // len(COURSES)
            if edition:
                title = f"{title} — {region_names[(n + edition) % len(region_names)]}"
            page = CoursePage(
                title=title, slug=f"{COURSE_SLUG_PREFIX}{n + 1}-{slugify(title)[:60]}",
                summary=summary,
                objectives="<ul>" + "".join(f"<li>{o}</li>" for o in objectives) + "</ul>",
                audience=audience, format=fmt, duration_hours=Decimal(hours), price=price,
                dif_eligible=dif)
            catalog.add_child(instance=page)
            page.themes.set([themes[i] for i in theme_ids])
            page.partners.set([partner])
            page.save_revision().publish()
            courses.append(page)
        elapsed = time.perf_counter() - started
        self.writer.figures["wagtailcore_page (formations)"] = [len(courses), elapsed]
        self.log(f"  {'wagtailcore_page (formations)':<34} {len(courses):>10} lignes "
                 f"{elapsed:>8.1f} s")
        self.sessions(rng, courses)

    def sessions(self, rng, courses):
        total = self.counts["sessions"]
        big = sorted(self.communes, key=lambda c: (-(c[2] or 0), c[0]))[:600]
        big_cumulative = list(accumulate((c[2] or 1) ** 0.5 for c in big))
        session0 = self.ids.take(Session, total)
        sessions = []
        for n in range(total):
            course = courses[n % len(courses)] if n < len(courses) else rng.choice(courses)
            if n == 0:  # an upcoming session under approval, open for enrolment
                offset = 20
            elif n == 1:  # an upcoming session that will be cancelled
                offset = 25
            elif n == 2:  # a popular past session (full, with a waiting list)
                offset = -60
            else:
                offset = rng.randint(-730, 365) or 1
            day = self.today + datetime.timedelta(days=offset)
            day -= datetime.timedelta(days=max(0, day.weekday() - 4))  # Monday to Friday
            if day == self.today:
                day += datetime.timedelta(days=3)
            hours = float(course.duration_hours)
            if hours <= 4:
                start, end = self.at(day, 9, 30), self.at(day, 9 + int(hours), 30)
            else:
                length = 2 if hours >= 14 else 1
                start = self.at(day, 9)
                end = self.at(day + datetime.timedelta(days=length - 1), 17)
            remote = course.format == "remote" or (course.format == "hybrid"
                                                   and rng.random() < 0.3)
            commune = None
            if not remote:
                point = rng.random() * big_cumulative[-1]
                commune = big[bisect.bisect_right(big_cumulative, point)]
            capacity = rng.choice([15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150])
            opens = start - datetime.timedelta(days=rng.randint(45, 90))
            closes = start - datetime.timedelta(days=rng.randint(1, 7))
            cancelled = n == 1 or (n > 2 and rng.random() < 0.04)
            sessions.append({
                "pk": session0 + n, "course": course, "start": start, "end": end,
                "commune": commune, "capacity": capacity, "opens": opens, "closes": closes,
                "deadline": start - datetime.timedelta(days=rng.randint(3, 5)),
                "approval": n == 0 or (n > 2 and rng.random() < 0.1),
                "cancelled": cancelled, "remote": remote, "n": n,
                "survey": rng.random() < 0.5,
            })
        self.writer.write(Session, [
            "id", "course_id", "start", "end", "address", "commune_id", "remote_url",
            "capacity", "enrolment_opens", "enrolment_closes", "cancellation_deadline",
            "trainers", "requires_approval", "survey_url", "contact_email", "status",
            "updated_at", "calendar_sequence"],
            [(s["pk"], s["course"].pk, s["start"], s["end"],
              "" if s["commune"] is None else rng.choice(
                  ["Hôtel de ville, salle du conseil", "Préfecture, salle des fêtes",
                   "Maison des associations"]), s["commune"] and s["commune"][0],
              f"https://webconf.numerique.gouv.fr/academie-{s['pk']}" if s["remote"] else "",
              s["capacity"], s["opens"], s["closes"], s["deadline"],
              rng.choice(names.TRAINERS), s["approval"],
              f"https://questionnaire.example.fr/academie/{s['pk']}" if s["survey"] else "",
              f"academie@{DOMAIN}", "cancelled" if s["cancelled"] else "scheduled",
              min(s["opens"], self.now), 1 if s["cancelled"] else 0)
             for s in sessions])
        self.enrolments(rng, sessions)

    def enrolments(self, rng, sessions):
        total = self.counts["enrolments"]
        E = Enrolment.Status
        officials = len(self.people)
        advisor_users = sorted(a["user"] for a in self.people_advisors
                               if a["user"] and a["validated"])
        open_sessions = [s for s in sessions if s["opens"] < self.now]
        weights = [s["capacity"] * rng.uniform(0.4, 1.7) * (3 if s["n"] == 2 else 1)
                   for s in open_sessions]
        wanted = spread(total, weights)
        rows, attendance = [], []
        enrolment_pk = self.ids.take(Enrolment, total)
        elu = self.official_user0
        carry = 0
        for s, count in zip(open_sessions, wanted, strict=True):
            count += carry
            carry = 0
            if s["course"].audience == "advisors":
                pool_size = len(advisor_users)
                if count > pool_size:
                    carry, count = count - pool_size, pool_size
                members = [advisor_users[i] for i in rng.sample(range(pool_size), count)]
            else:
                count = min(count, officials)
                members = [self.official_user0 + i for i in rng.sample(range(officials), count)]
                if s["n"] in (0, 2) and count and elu not in members:
                    members[0] = elu
            if not members:
                continue
            window_end = min(s["closes"], self.now)
            span = max(60, int((window_end - s["opens"]).total_seconds()))
            moments = sorted(s["opens"] + datetime.timedelta(seconds=rng.randrange(span))
                             for _ in members)
            upcoming = s["start"] > self.now
            past = s["end"] < self.now
            confirmed = 0
            slots = self.half_days(s) if past and not s["cancelled"] else []
            for user, created in zip(members, moments, strict=True):
                waitlisted_at = None
                updated = created
                sequence = 0
                if s["cancelled"]:
                    status = E.CANCELLED_BY_ORGANISER
                    updated = min(s["start"] - datetime.timedelta(days=2), self.now)
                elif user != elu and rng.random() < 0.07:
                    status, sequence = E.CANCELLED, 1
                    updated = min(created + datetime.timedelta(days=rng.randint(1, 10)),
                                  s["deadline"], self.now)
                elif s["approval"] and user != elu and rng.random() < 0.15:
                    status = E.REFUSED
                    updated = min(created + datetime.timedelta(days=3), self.now)
                elif s["approval"] and upcoming and (user == elu or rng.random() < 0.4):
                    status = E.PENDING
                elif confirmed < s["capacity"]:
                    status = E.CONFIRMED
                    confirmed += 1
                else:
                    status, waitlisted_at = E.WAITLISTED, created
                if updated < created:
                    updated = created
                priority = 0
                if user < self.official_user0 + officials and user >= self.official_user0:
                    first, small, department = self.people[user - self.official_user0]
                    priority = int(first) + int(small) + int(
                        s["commune"] is not None and department == s["commune"][3])
                reminder_7 = reminder_1 = survey = None
                if status == E.CONFIRMED:
                    if s["start"] - datetime.timedelta(days=7) <= self.now:
                        reminder_7 = max(s["start"] - datetime.timedelta(days=7), created)
                    if s["start"] - datetime.timedelta(days=1) <= self.now:
                        reminder_1 = max(s["start"] - datetime.timedelta(days=1), created)
                    if slots and s["survey"]:
                        survey = s["end"] + datetime.timedelta(hours=2)
                rows.append((enrolment_pk, s["pk"], user, str(status), priority,
                             waitlisted_at, created, updated, reminder_7, reminder_1, survey,
                             sequence, ""))
                if status == E.CONFIRMED and slots:
                    for day, period in slots:
                        roll = rng.random()
                        attendance.append((enrolment_pk, day, period,
                                           "present" if roll < 0.88 else
                                           "absent" if roll < 0.95 else "excused"))
                enrolment_pk += 1
        self.writer.write(Enrolment, [
            "id", "session_id", "user_id", "status", "priority", "waitlisted_at",
            "created_at", "updated_at", "reminder_7_sent_at", "reminder_1_sent_at",
            "survey_sent_at", "invitation_sequence",
            # No national session is hybrid (a place or a link): no choice to record.
            "attendance_mode"], rows)
        first = self.ids.take(Attendance, len(attendance))
        self.writer.write(Attendance, ["id", "enrolment_id", "day", "period", "status"],
                          ((first + n, *row) for n, row in enumerate(attendance)))

    @staticmethod
    def half_days(s):
        return Session(start=s["start"], end=s["end"]).half_days()

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
