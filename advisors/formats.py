"""How phone numbers and amounts read on pages and in the admin: one implementation, used
by the template filters (``advisors_formats``) and the admin views."""

import decimal
import re

from .validators import normalize_phone

NBSP = "\u00a0"


def french_phone(value) -> str:
    """"0344000000" → "03 44 00 00 00"; "+33344000000" → "+33 3 44 00 00 00"; any other
    value is returned as it was typed."""
    text = str(value or "")
    digits = normalize_phone(text)
    if re.fullmatch(r"0\d{9}", digits):
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+33\d{9}", digits):
        rest = digits[3:]
        return "+33 " + rest[0] + " " + " ".join(rest[i:i + 2] for i in range(1, 9, 2))
    return text


def euros(value) -> str:
    """2150 → "2 150,00 €" (non-breaking spaces); empty for no amount."""
    if value is None or value == "":
        return ""
    amount = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}€"
