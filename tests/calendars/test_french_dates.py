"""Dates as French readers expect them: "1er décembre", "9 h", "jusqu'au 11 décembre à 9 h",
the same in every template through the builtin filters."""

from datetime import UTC, date, datetime

import pytest
from django.template import engines
from django.utils import timezone

from calendars import dates
from calendars.ical import PARIS


def test_the_first_of_the_month_is_written_1er():
    assert dates.long_date(date(2026, 12, 1)) == "1er décembre 2026"
    assert dates.long_date(date(2026, 12, 2)) == "2 décembre 2026"
    assert dates.long_date(date(2026, 12, 1), weekday=True) == "mardi 1er décembre 2026"


def test_hours_are_written_9_h_and_9_h_30_in_paris_time():
    assert dates.clock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == "9 h"
    assert dates.clock(datetime(2026, 12, 1, 13, 5, tzinfo=PARIS)) == "13 h 05"
    assert dates.long_datetime(datetime(2026, 12, 1, 9, 30, tzinfo=PARIS), weekday=True) == \
        "mardi 1er décembre 2026 à 9 h 30"


def test_a_deadline_gives_its_time_and_its_year_only_when_not_this_year():
    this_year = timezone.localdate().year
    assert dates.deadline(datetime(this_year, 12, 11, 9, tzinfo=PARIS)) == "11 décembre à 9 h"
    assert dates.deadline(datetime(this_year + 1, 1, 1, 18, tzinfo=PARIS)) == \
        f"1er janvier {this_year + 1} à 18 h"


def test_spans_say_the_month_and_year_once():
    assert dates.date_span(date(2026, 12, 3), date(2026, 12, 4)) == "du 3 au 4 décembre 2026"
    assert dates.date_span(date(2026, 11, 30), date(2026, 12, 1)) == \
        "du 30 novembre au 1er décembre 2026"
    assert dates.date_span(date(2026, 12, 31), date(2027, 1, 1)) == \
        "du 31 décembre 2026 au 1er janvier 2027"
    assert dates.date_span(date(2026, 12, 1), date(2026, 12, 1)) == "le 1er décembre 2026"
    assert dates.session_when(datetime(2026, 12, 3, 9, tzinfo=PARIS),
                              datetime(2026, 12, 4, 17, tzinfo=PARIS)) == \
        "du 3 au 4 décembre 2026, de 9 h à 17 h"


@pytest.mark.parametrize(("name", "expected"), [
    ("Aline", "qu'Aline"), ("Élodie", "qu'Élodie"), ("Hélène", "qu'Hélène"),
    ("Paul", "que Paul"), ("", "que "),
])
def test_que_is_elided_before_a_vowel(name, expected):
    assert dates.elide("que", name) == expected


def test_the_delay_is_counted_in_calendar_days():
    now = datetime(2026, 12, 1, 20, tzinfo=PARIS)
    assert dates.delay_in_words(datetime(2026, 12, 1, 22, tzinfo=PARIS), now) == "aujourd'hui"
    assert dates.delay_in_words(datetime(2026, 12, 2, 9, tzinfo=PARIS), now) == "demain"
    assert dates.delay_in_words(datetime(2026, 12, 3, 3, tzinfo=PARIS), now) == \
        "après-demain"
    assert dates.delay_in_words(datetime(2026, 12, 7, 9, tzinfo=PARIS), now) == "dans 6 jours"
    assert dates.delay_in_words(datetime(2026, 12, 8, 9, tzinfo=PARIS), now) == \
        "dans une semaine"


def test_templates_get_the_filters_without_loading_them():
    template = engines["django"].from_string(
        '{{ d|fr_date:"weekday" }} · {{ t|fr_time }} · {{ t|fr_datetime }} · '
        '{{ d|fr_span:e }} · {{ name|fr_elide:"que" }}')
    text = template.render({"d": date(2026, 12, 1), "e": date(2026, 12, 4),
                            "t": datetime(2026, 12, 1, 9, tzinfo=PARIS), "name": "Aline"})
    # On pages, an hour never breaks across lines: "9\u00a0h", "à\u00a09\u00a0h".
    assert text == ("mardi 1er décembre 2026 · 9\u00a0h · 1er décembre 2026 à\u00a09\u00a0h · "
                    "du 1er au 4 décembre 2026 · qu&#x27;Aline")
