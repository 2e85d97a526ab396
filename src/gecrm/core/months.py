"""Months as the integers the fact tables store: `YYYYMM` (202409 is September 2024).

An integer sorts, compares and indexes like the month it names, is four bytes on every database,
and makes the KPI periods plain ranges: YTD of 202409 is 202401..202409, PYTD 202301..202309.
Users read and type months as `YYYY-MM`.
"""

import calendar
import datetime
import re

from django.utils.translation import gettext as _

_MONTH = re.compile(r"\s*(\d{4})\s*(?:-|/|\.|年)?\s*(\d{1,2})\s*月?\s*")
# A spreadsheet date cell read as text: "2024-09-01" or "2024-09-01 00:00:00".
_DATE = re.compile(r"\s*(\d{4})-(\d{2})-01(?:[ T]0?0:00(?::00)?)?\s*")


def parse_month(text: str) -> int:
    """`2024-09`, `2024/9`, `2024年9月`, `202409` (or a first-of-month date) → 202409.

    Raises ValueError with a message for the user.
    """
    match = _MONTH.fullmatch(text) or _DATE.fullmatch(text)
    if match:
        year, month = int(match[1]), int(match[2])
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return year * 100 + month
    raise ValueError(_("Not a month: use YYYY-MM, e.g. 2024-09."))


def format_month(month: int) -> str:
    return f"{month // 100:04d}-{month % 100:02d}"


def add_months(month: int, n: int) -> int:
    index = (month // 100) * 12 + (month % 100 - 1) + n
    return (index // 12) * 100 + index % 12 + 1


def month_range(first: int, last: int) -> list[int]:
    """Every month from `first` to `last`, both included."""
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def first_day(month: int) -> datetime.date:
    return datetime.date(month // 100, month % 100, 1)


def last_day(month: int) -> datetime.date:
    year, number = divmod(month, 100)
    return datetime.date(year, number, calendar.monthrange(year, number)[1])


def of_date(day: datetime.date) -> int:
    return day.year * 100 + day.month


def ytd(month: int) -> tuple[int, int]:
    """The year-to-date period of `month`: (January of its year, `month`)."""
    return (month // 100) * 100 + 1, month


def pytd(month: int) -> tuple[int, int]:
    """The same period of the previous year."""
    return (month // 100 - 1) * 100 + 1, month - 100
