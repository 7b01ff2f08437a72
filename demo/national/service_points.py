"""Service points with their opening hours, closures and the advisors who work there."""

import datetime
from collections import defaultdict

from advisors.models import Closure, OpeningRange, PlaceService, ServicePoint

from . import names
from .common import DOMAIN, Picker, spread


class ServicePointsMixin:
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
