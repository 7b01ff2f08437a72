"""Template filters for dates as French readers expect them (see ``calendars.dates``).

Loaded as a template builtin (settings ``TEMPLATES[...]["OPTIONS"]["builtins"]``), so every
template can write ``{{ session.start|fr_date:"weekday" }}`` without ``{% load %}``:

- ``fr_date``: "1er décembre 2026"; ``fr_date:"weekday"``: "mardi 1er décembre 2026";
  ``fr_date:"short"``: "1er décembre" (year only when not this year)
- ``fr_time``: "9 h", "9 h 30" (on pages the hour's spaces are non-breaking, as is the
  one after "à" in ``fr_datetime`` and ``fr_deadline``)
- ``fr_datetime``: "1er décembre 2026 à 9 h" (``"weekday"`` as above)
- ``fr_deadline``: "11 décembre à 9 h" (the year only when not this year)
- ``fr_span:end``: "du 3 au 4 décembre 2026" / "le 3 décembre 2026"
- ``fr_elide:"que"``: "qu'Aline", "que Paul"
"""

from django import template

from calendars import dates

register = template.Library()


def _options(arg):
    arg = arg or ""
    return {"weekday": "weekday" in arg, "year": "auto" if "short" in arg else True}


@register.filter
def fr_date(value, arg=""):
    return dates.long_date(value, **_options(arg))


@register.filter
def fr_time(value):
    return dates.clock(value, space=dates.NBSP)


@register.filter
def fr_datetime(value, arg=""):
    return dates.long_datetime(value, space=dates.NBSP, **_options(arg))


@register.filter
def fr_deadline(value):
    return dates.deadline(value, space=dates.NBSP)


@register.filter
def fr_span(start, end):
    if start in (None, "") or end in (None, ""):
        return ""
    return dates.date_span(start, end)


@register.filter
def fr_elide(following, word_before):
    """``{{ name|fr_elide:"que" }}`` → "qu'Aline" / "que Paul"."""
    return dates.elide(word_before, str(following))
