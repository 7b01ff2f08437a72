"""Per-capita figures as people read them: ``{{ value|coverage }}`` and
``{% population_source %}``."""

import math

from django import template

from territories.models import POPULATION_SOURCE

register = template.Library()


@register.filter
def coverage(value):
    """Advisors per 100,000 inhabitants in French: "12,3", "2,46", "0,087"; never a
    rounded "0,0" for a small but real figure (two significant digits below 10); "—" when
    the population is unknown."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value == 0:
        return "0"
    if value >= 10:
        digits = 1
    else:  # two significant digits
        digits = max(1, 1 - math.floor(math.log10(abs(value))))
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".") if value < 10 else text
    return text.replace(".", ",")


@register.simple_tag
def population_source():
    return POPULATION_SOURCE
