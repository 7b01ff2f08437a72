"""The real geography the national data set is drawn over: communes by population, by
département, and the largest of each."""

import bisect
from collections import defaultdict
from itertools import accumulate

from territories.models import Commune, Department, Epci, Region


class GeographyMixin:
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
