from django import template

from .. import formats

register = template.Library()


@register.filter
def phone(value):
    """A French phone number in pairs of digits: "03 44 00 00 00"."""
    return formats.french_phone(value)


@register.filter
def euros(value):
    """An amount in euros: "2 150,00 €"."""
    return formats.euros(value)
