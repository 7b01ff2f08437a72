"""Elected officials and their mandates: municipal councils of the real size, intercommunal,
départemental and régional councillors."""

import datetime
from collections import defaultdict

from academy.models import Mandate, MandateRole, OfficialProfile
from accounts.models import User
from territories.models import SMALL_COMMUNE_POPULATION

from . import names
from .common import DOMAIN, KNOWN_ACCOUNTS, slug

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


def _council_size(population):
    population = population or 0
    for limit, size in COUNCIL_SIZES:
        if population < limit:
            return size
    return 69


def _latest(elections, today):
    past = [pair for pair in elections if pair[0] <= today]
    return past[-1] if past else elections[0]


class OfficialsMixin:
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
            small = (population or 0) < SMALL_COMMUNE_POPULATION
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
                if (self.commune[commune_id][2] or 0) >= SMALL_COMMUNE_POPULATION:
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
        first_slugs = [slug(n) for n in first_names]
        last_slugs = [slug(n) for n in last_names]

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
