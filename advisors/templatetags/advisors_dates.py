"""French dates in templates: ``{{ day|long_date }}`` → "1er janvier 2026",
``{{ moment|long_datetime }}`` → "6 décembre 2026 à 2 h 07" (Europe/Paris)."""

from django import template

from .. import dates

register = template.Library()


@register.filter
def long_date(value):
    return dates.long_date(value) if value else ""


@register.filter
def long_datetime(value):
    return dates.long_datetime(value) if value else ""
