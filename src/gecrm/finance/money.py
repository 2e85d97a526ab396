"""Money: CNY amounts in the database as integer fen, in Python as `Decimal` with two places."""

import decimal
import re

from django.utils.translation import gettext as _

from gecrm.core.validation import ascii_number

CENT = decimal.Decimal("0.01")
# The largest amount (in fen) a row or a fact may hold: 99,999,999,999,999.99 yuan.
MAX_CENTS = 10**16 - 1
_AMOUNT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def to_cents(text: str) -> int:
    """`"1234.5"` → 123450. Raises ValueError (with a user message) for anything that is not a
    plain number with at most two decimals; thousands separators (`1,234.50`) are accepted."""
    raw = ascii_number(text.strip()).replace(",", "")
    if not _AMOUNT.fullmatch(raw):
        raise ValueError(_("Not a number."))
    whole, _dot, fraction = raw.partition(".")
    if len(fraction) > 2:
        if fraction[2:].strip("0"):
            raise ValueError(_("At most 2 decimal places."))
        fraction = fraction[:2]
    sign = -1 if whole.startswith("-") else 1
    digits = whole.lstrip("+-") or "0"
    cents = int(digits) * 100 + int(f"{fraction:0<2}")
    if cents > MAX_CENTS:
        raise ValueError(_("The amount is too large."))
    return sign * cents


def from_cents(cents: int | None) -> decimal.Decimal | None:
    if cents is None:
        return None
    return (decimal.Decimal(cents) / 100).quantize(CENT)
