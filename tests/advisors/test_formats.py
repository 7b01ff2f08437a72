"""Phone numbers and amounts the way French readers write them."""

from decimal import Decimal

from advisors.formats import euros, french_phone


def test_phone_numbers_read_in_pairs_of_digits():
    assert french_phone("0344000000") == "03 44 00 00 00"
    assert french_phone("+33612345678") == "+33 6 12 34 56 78"
    assert french_phone("+4930123456") == "+4930123456"  # left as typed
    assert french_phone("") == ""


def test_amounts_group_thousands_and_end_with_the_euro_sign():
    assert euros(Decimal("2150.00")) == "2\u00a0150,00\u00a0€"
    assert euros(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50\u00a0€"
    assert euros(Decimal("980")) == "980,00\u00a0€"
    assert euros(None) == ""
