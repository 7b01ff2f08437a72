"""Advisors and their contract history: recruitments, ruptures, extensions, refusals, and
the coordinators who follow advisors of their région."""

import datetime
from collections import defaultdict
from decimal import Decimal

from accounts.models import User
from accounts.roles import Role
from advisors.models import Advisor, Contract, ContractExtension

from . import names
from .common import DOMAIN, KNOWN_ACCOUNTS, Picker, slug


class ContractsMixin:
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
                     else f"{slug(first)}.{slug(last)}.{a['id']}@conseillers.{DOMAIN}")
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
