"""The ANCT administrator and the préfets of every département and région."""

from accounts.models import User
from accounts.roles import Role
from advisors.models import PrefectAssignment

from . import names
from .common import DOMAIN, KNOWN_ACCOUNTS


class StaffMixin:
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
        self.known_department = known_department
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
