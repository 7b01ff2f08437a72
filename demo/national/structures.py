"""Structures and their managers, applications with their history and the préfets'
opinions, conventions (initial and renewals) and amendments."""

import datetime
from collections import defaultdict

from stdnum import luhn

from accounts.models import User
from accounts.roles import Role
from advisors.models import (
    Amendment,
    Application,
    ApplicationEvent,
    Convention,
    PrefectOpinion,
    Structure,
)

from . import names
from .common import DOMAIN, KNOWN_ACCOUNTS, Picker, spread

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


class StructuresMixin:
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

    def leave_one_awaiting_opinion(self, structures, opinions):
        """The known préfet has an application waiting for their opinion at every scale
        (the bench's "Candidatures sans avis" then reads the same queries at 0.01 as at
        1.0): when none does, the first open one of their département is left without its
        opinion. Draws nothing at random, so a scale that has one is unchanged."""
        S = Application.Status
        known = self.prefect_of_department[self.known_department]
        theirs = [s["application"] for s in structures
                  if s.get("application") and self.prefect_for(s) == known]
        given = {id(entry[1]) for entry in opinions if entry[1] is not None}
        open_ones = [a for a in theirs if a["status"] in (S.CREATED, S.EXAMINATION)]
        if not open_ones or any(id(a) not in given for a in open_ones):
            return
        opinions[:] = [entry for entry in opinions if entry[1] is not open_ones[0]]

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

        self.leave_one_awaiting_opinion(structures, opinions)
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
