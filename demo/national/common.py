"""What every part of the national data set shares: the volumes at ``scale=1``, the known
accounts, and the small helpers that spread totals and draw values."""

import datetime
import unicodedata
from itertools import accumulate
from zoneinfo import ZoneInfo

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

FIRST_REPORT_DATE = datetime.date(2020, 1, 1)


def slug(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


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
