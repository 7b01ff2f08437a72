"""``{% load advisors_dates %}`` still works for the advisors templates: ``long_date`` and
``long_datetime`` are the builtin ``fr_date`` and ``fr_datetime`` filters of
``calendars/templatetags/french_dates.py`` (one implementation, ``calendars.dates``)."""

from django import template

from calendars.templatetags.french_dates import fr_date, fr_datetime

register = template.Library()


@register.filter
def long_date(value):
    return fr_date(value)


@register.filter
def long_datetime(value):
    return fr_datetime(value)
