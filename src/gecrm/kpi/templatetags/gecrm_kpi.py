"""Money and ratio formatting for the financial pages: ¥ with thousands separators, ratios as
percentages, and "—" for a measure that is not defined (a zero denominator)."""

import decimal

from django import template

register = template.Library()

DASH = "—"


def _number(value):
    if value is None or value == "":
        return None
    if isinstance(value, int | float | decimal.Decimal):
        return value
    try:
        return decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None


def _yuan_text(amount) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def yuan(value):
    """An amount in yuan (Decimal or number) → `¥1,234,567.89`; None → "—"."""
    amount = _number(value)
    return DASH if amount is None else _yuan_text(decimal.Decimal(str(amount)))


@register.filter
def fen(value):
    """An amount in fen (the integer `*_cents` columns) → `¥1,234,567.89`; None → "—"."""
    cents = _number(value)
    return DASH if cents is None else _yuan_text(decimal.Decimal(int(cents)) / 100)


@register.filter
def pct(value, places=1):
    """A ratio (0.1234) → `12.3%`; None → "—"."""
    number = _number(value)
    if number is None:
        return DASH
    return f"{float(number) * 100:,.{int(places)}f}%"


@register.filter
def signed_pct(value, places=1):
    """A growth ratio with its sign: `+12.3%`, `-4.0%`; None → "—"."""
    number = _number(value)
    if number is None:
        return DASH
    return f"{float(number) * 100:+,.{int(places)}f}%"


@register.filter
def trend_class(value):
    """Text colour of a growth figure: green up, red down, muted when undefined."""
    number = _number(value)
    if number is None or number == 0:
        return "text-secondary"
    return "text-green" if number > 0 else "text-red"


@register.filter
def pct_of(value, total):
    """`part|pct_of:whole` → the part's share as a percentage; "—" when the whole is 0."""
    part, whole = _number(value), _number(total)
    if part is None or not whole:
        return DASH
    return pct(float(part) / float(whole))
