"""Money and ratio formatting for the financial pages: ¥ with thousands separators, ratios as
percentages, and "—" for a measure that is not defined (a zero denominator)."""

import decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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


@register.simple_tag
def report_cell(row, column):
    """A report cell as the page shows it, by the column's kind (see `kpi.reports.Column`)."""
    value = row.get(column.key) if hasattr(row, "get") else None
    if value is None or value == "":
        return DASH
    if column.kind == "money":
        return yuan(value)
    if column.kind == "ratio":
        return pct(value, 2)
    if column.kind == "int":
        return f"{int(value):,}"
    if column.kind == "bool":
        return yes_no(value)
    return format_html("{}", value)


@register.simple_tag
def yes_no(value):
    if value is None:
        return DASH
    if value:
        return format_html('<span class="badge bg-green-lt">{}</span>', _("Yes"))
    return format_html('<span class="badge bg-secondary-lt">{}</span>', _("No"))


@register.simple_tag
def beats_badge(value):
    """Does the covered set beat its industry average (growth and ICT penetration)?"""
    if value is None:
        return format_html(
            '<span class="text-secondary" title="{}">—</span>',
            _("Nothing to compare: a measure is not defined"),
        )
    if value:
        return format_html(
            '<span class="badge bg-green-lt gecrm-beats" title="{}">{}</span>',
            _("Revenue growth and ICT penetration both above the industry average"),
            _("Beats industry"),
        )
    return format_html(
        '<span class="badge bg-red-lt gecrm-beats-not" title="{}">{}</span>',
        _("Revenue growth or ICT penetration not above the industry average"),
        _("Not above industry"),
    )


@register.simple_tag
def light(colour):
    """A traffic light (green / amber / red / none) of a target's attainment."""
    titles = {
        "green": _("Target reached"),
        "amber": _("Close to the target"),
        "red": _("Below the target"),
        "none": _("No target or no actual"),
    }
    return format_html(
        '<span class="gecrm-light gecrm-light-{}" title="{}" data-light="{}"></span>',
        colour,
        titles.get(colour, ""),
        colour,
    )
