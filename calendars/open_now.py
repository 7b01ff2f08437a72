"""Opening hours as people read them: "Ouvert maintenant · ferme à 17 h", "Ouvre demain à
9 h", "Ouvre lundi à 9 h", "Jour férié · ouvre mardi à 9 h".

The rules are the calendar feed's (``opening_hours.weekly_events``): the weekly ranges,
without public holidays (with the local ones of the place's département) and declared
closures. Hours are the wall-clock time of the place: Europe/Paris, or the overseas
département's own time zone (Guadeloupe's 9 h is 9 h in Pointe-à-Pitre)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .dates import NBSP, WEEKDAYS, clock, long_date
from .holidays import public_holidays
from .opening_hours import ClosedPeriod, HoursRange

PARIS = ZoneInfo("Europe/Paris")
# Overseas départements and collectivities (INSEE codes) → their time zone.
OVERSEAS_TIMEZONES = {
    "971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne",
    "974": "Indian/Reunion", "975": "America/Miquelon", "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy", "978": "America/Marigot", "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti", "988": "Pacific/Noumea",
}
# How far ahead the next opening is looked for.
HORIZON_DAYS = 62


def timezone_of(department_code: str | None) -> ZoneInfo:
    name = OVERSEAS_TIMEZONES.get((department_code or "")[:3])
    return ZoneInfo(name) if name else PARIS


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    text: str  # the whole sentence, e.g. "Ouvert maintenant · ferme à 17 h"
    opens_at: datetime | None = None  # the next opening, when closed
    closes_at: datetime | None = None  # when it closes, when open

    @property
    def detail(self):
        """What follows an "Ouvert maintenant" / "Fermé maintenant" badge: "Ferme à 17 h",
        "Ouvre demain à 9 h"."""
        if self.is_open:
            return self.text.split(" · ", 1)[1].capitalize()
        return self.text


def _closed_day(day, holidays, closures):
    if day in holidays:
        return "Jour férié"
    if any(c.start <= day <= c.end for c in closures):
        return "Fermeture exceptionnelle"
    return ""


def _when(day: date, today: date, at: time, space: str) -> str:
    hour = clock(at, space=space)
    if day == today:
        return f"à{space}{hour}"
    if day == today + timedelta(days=1):
        return f"demain à{space}{hour}"
    if day < today + timedelta(days=7):
        return f"{WEEKDAYS[day.weekday()]} à{space}{hour}"
    return f"le {long_date(day, weekday=True, year=day.year != today.year)} à{space}{hour}"


def open_state(ranges: list[HoursRange], closures: list[ClosedPeriod],
               department_code: str | None, moment: datetime, *, space: str = NBSP
               ) -> OpenState:
    """Whether the place is open at ``moment`` (aware), and the sentence saying until when
    or from when. ``space`` joins "9 h" (NBSP on pages)."""
    zone = timezone_of(department_code)
    local = moment.astimezone(zone)
    today, now = local.date(), local.time().replace(tzinfo=None)
    if not ranges:
        return OpenState(False, "Horaires non communiqués")
    last = today + timedelta(days=HORIZON_DAYS)
    holidays = set(public_holidays(department_code, today, last))
    by_day = {}
    for opening in sorted(ranges, key=lambda r: (r.weekday, r.opens)):
        by_day.setdefault(opening.weekday, []).append(opening)
    reason_today = _closed_day(today, holidays, closures)
    if not reason_today:
        day_ranges = by_day.get(today.weekday(), [])
        for index, opening in enumerate(day_ranges):
            if opening.opens <= now < opening.closes:
                closes = opening.closes
                # Ranges that meet (9–12, 12–17) are one opening.
                for following in day_ranges[index + 1:]:
                    if following.opens <= closes:
                        closes = max(closes, following.closes)
                closes_at = datetime.combine(today, closes, tzinfo=zone)
                return OpenState(True, f"Ouvert maintenant · ferme à{space}"
                                       f"{clock(closes, space=space)}", closes_at=closes_at)
    day = today
    while day <= last:
        if not _closed_day(day, holidays, closures):
            for opening in by_day.get(day.weekday(), []):
                if day > today or opening.opens > now:
                    opens_at = datetime.combine(day, opening.opens, tzinfo=zone)
                    text = f"Ouvre {_when(day, today, opening.opens, space)}"
                    if reason_today:
                        text = f"{reason_today} · o{text[1:]}"
                    return OpenState(False, text, opens_at=opens_at)
        day += timedelta(days=1)
    return OpenState(False, f"{reason_today} · fermé pour le moment" if reason_today
                     else "Fermé pour le moment")
