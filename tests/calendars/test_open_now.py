"""Opening hours as people read them, with the calendar feed's rules: holidays of the
place's département and declared closures; times in the place's own time zone."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from calendars.dates import NBSP
from calendars.open_now import open_state
from calendars.opening_hours import ClosedPeriod, HoursRange

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_9_TO_12_AND_14_TO_17 = [
    HoursRange(day, opens, closes)
    for day in range(5) for opens, closes in ((time(9), time(12)), (time(14), time(17)))]


def state(moment, ranges=WEEKDAYS_9_TO_12_AND_14_TO_17, closures=(), department="60"):
    return open_state(list(ranges), list(closures), department, moment, space=" ")


def at(year, month, day, hour, minute=0, zone=PARIS):
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def test_open_now_says_when_it_closes():
    now = state(at(2026, 11, 23, 10))  # a Monday
    assert now.is_open and now.text == "Ouvert maintenant · ferme à 12 h"
    assert now.detail == "Ferme à 12 h"


def test_at_lunch_it_opens_again_the_same_afternoon():
    assert state(at(2026, 11, 23, 12, 30)).text == "Ouvre à 14 h"


def test_in_the_evening_it_opens_tomorrow():
    assert state(at(2026, 11, 23, 18)).text == "Ouvre demain à 9 h"


def test_on_friday_evening_it_opens_on_monday():
    assert state(at(2026, 11, 27, 18)).text == "Ouvre lundi à 9 h"


def test_ranges_that_meet_are_one_opening():
    ranges = [HoursRange(0, time(9), time(12)), HoursRange(0, time(12), time(17, 30))]
    assert state(at(2026, 11, 23, 11), ranges).text == "Ouvert maintenant · ferme à 17 h 30"


def test_a_public_holiday_is_closed_and_says_so():
    christmas = at(2026, 12, 25, 10)  # a Friday
    closed = state(christmas)
    assert not closed.is_open and closed.text == "Jour férié · ouvre lundi à 9 h"
    # The day before a holiday: not "demain".
    assert state(at(2026, 12, 24, 18)).text == "Ouvre lundi à 9 h"


def test_a_local_holiday_only_closes_its_departments():
    st_stephen = at(2025, 12, 26, 10)  # Friday, a holiday in Alsace-Moselle only
    assert state(st_stephen, department="67").text == "Jour férié · ouvre lundi à 9 h"
    assert state(st_stephen, department="60").is_open


def test_a_declared_closure_is_closed_until_it_ends():
    closure = ClosedPeriod(date(2026, 11, 23), date(2026, 11, 25), "Travaux")
    closed = state(at(2026, 11, 23, 10), closures=[closure])
    assert not closed.is_open
    assert closed.text == "Fermeture exceptionnelle · ouvre jeudi à 9 h"


def test_beyond_a_week_the_date_is_written():
    closure = ClosedPeriod(date(2026, 11, 23), date(2026, 12, 4))
    assert state(at(2026, 11, 22, 10), closures=[closure]).text == (
        "Ouvre le lundi 7 décembre à 9 h")


def test_no_hours_and_long_closures():
    assert state(at(2026, 11, 23, 10), ranges=[]).text == "Horaires non communiqués"
    closure = ClosedPeriod(date(2026, 11, 1), date(2027, 6, 30))
    assert state(at(2026, 11, 23, 10), closures=[closure]).text == (
        "Fermeture exceptionnelle · fermé pour le moment")


def test_overseas_hours_are_read_in_the_places_own_time_zone():
    # 14:00 in Paris is 9:00 in Guadeloupe (UTC-4): a Guadeloupe place opening at 9 is open.
    paris_2_pm = at(2026, 11, 23, 14, 30)
    assert state(paris_2_pm, department="971").text == "Ouvert maintenant · ferme à 12 h"
    # 10:00 in Paris is 13:00 in La Réunion (UTC+4): lunch there.
    assert state(at(2026, 11, 23, 10), department="974").text == "Ouvre à 14 h"
    # 1:00 on Monday in Paris is still Sunday evening in Guadeloupe.
    assert state(at(2026, 11, 23, 1), department="60").text == "Ouvre à 9 h"
    assert state(at(2026, 11, 23, 1), department="971").text == "Ouvre demain à 9 h"


def test_overseas_local_holidays_apply():
    # 27 May: abolition of slavery in Guadeloupe (a Wednesday in 2026).
    abolition = datetime(2026, 5, 27, 10, tzinfo=ZoneInfo("America/Guadeloupe"))
    assert state(abolition, department="971").text.startswith("Jour férié")
    assert state(abolition, department="60").is_open  # 16 h in Paris


def test_pages_join_hours_with_non_breaking_spaces():
    text = open_state(WEEKDAYS_9_TO_12_AND_14_TO_17, [], "60", at(2026, 11, 23, 18)).text
    assert text == f"Ouvre demain à{NBSP}9{NBSP}h"
