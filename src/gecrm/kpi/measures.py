"""From exact integer sums and counts to the reported KPI values (DESIGN.md "KPI definitions").

The engine stores only integers (fen and counts) in `GroupMonth` and `Snapshot`; every ratio is
computed here, once, from those exact integers:

- money: `Decimal` with 2 places (`revenue_ytd`, `revenue_pytd`, `ict_ytd`);
- ratios: `Decimal` rounded ROUND_HALF_UP to 4 places, `None` when the denominator is 0:
  - revenue growth  = (Σ rev YTD − Σ rev PYTD) / Σ rev PYTD
  - ICT penetration = |{g: ict_rev(g, YTD) > 0}| / |{g: rev(g, YTD) > 0}|
    (the contract's literal definition: a group whose ICT revenue is positive while its total is
    not — negative adjustments — counts above the line only, so the value can in theory exceed 1)
  - ICT share       = Σ ict_rev YTD / Σ rev YTD

The rounding is exact (integer arithmetic, no float, no intermediate Decimal context rounding).

`beats_industry(covered, benchmark)` is the seed's 2008 target ("covered customers' revenue
growth AND ICT penetration above their industry's average"), used by every report: True when
both rounded, reported measures of `covered` are strictly greater than those of `benchmark`,
False when not, None when any of the four is null (nothing to compare). Comparing the reported
values keeps the flag consistent with the figures the user sees.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, fields

from gecrm.finance.money import from_cents

RATIO_PLACES = 4
_SCALE = 10**RATIO_PLACES


def money(cents: int | None) -> decimal.Decimal | None:
    """Integer fen → Decimal CNY with 2 places (None stays None)."""
    return from_cents(cents)


def ratio(numerator: int, denominator: int) -> decimal.Decimal | None:
    """`numerator / denominator` as a Decimal rounded ROUND_HALF_UP (away from zero on a tie) to
    4 places, computed exactly with integers; None when the denominator is 0."""
    numerator, denominator = int(numerator), int(denominator)
    if denominator == 0:
        return None
    negative = (numerator < 0) != (denominator < 0)
    quotient, remainder = divmod(abs(numerator) * _SCALE, abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return decimal.Decimal(-quotient if negative else quotient).scaleb(-RATIO_PLACES)


def growth(current_cents: int, previous_cents: int) -> decimal.Decimal | None:
    """Revenue growth: (current − previous) / previous; None when previous is 0."""
    return ratio(current_cents - previous_cents, previous_cents)


def ict_penetration(ict_groups: int, groups: int) -> decimal.Decimal | None:
    """Groups with YTD ICT revenue > 0 over groups with YTD revenue > 0; None without the latter."""
    return ratio(ict_groups, groups)


def ict_share(ict_cents: int, revenue_cents: int) -> decimal.Decimal | None:
    """YTD ICT revenue over YTD revenue; None when YTD revenue is 0."""
    return ratio(ict_cents, revenue_cents)


@dataclass(frozen=True)
class Sums:
    """The exact sums and counts over a set of groups, from which every measure follows.

    `all_groups` every group of the set; `groups` those with YTD revenue > 0; `ict_groups`
    those with YTD ICT revenue > 0. Money in integer fen over all groups of the set.
    """

    all_groups: int = 0
    groups: int = 0
    ict_groups: int = 0
    revenue_ytd_cents: int = 0
    revenue_pytd_cents: int = 0
    ict_ytd_cents: int = 0

    def __add__(self, other: Sums) -> Sums:
        # Spelled out: reports add thousands of these per page.
        return Sums(
            self.all_groups + other.all_groups,
            self.groups + other.groups,
            self.ict_groups + other.ict_groups,
            self.revenue_ytd_cents + other.revenue_ytd_cents,
            self.revenue_pytd_cents + other.revenue_pytd_cents,
            self.ict_ytd_cents + other.ict_ytd_cents,
        )

    def __sub__(self, other: Sums) -> Sums:
        """The set less a subset of it (e.g. an industry without its pilot customers)."""
        return Sums(
            self.all_groups - other.all_groups,
            self.groups - other.groups,
            self.ict_groups - other.ict_groups,
            self.revenue_ytd_cents - other.revenue_ytd_cents,
            self.revenue_pytd_cents - other.revenue_pytd_cents,
            self.ict_ytd_cents - other.ict_ytd_cents,
        )

    @classmethod
    def of_group(cls, revenue_ytd_cents: int, revenue_pytd_cents: int, ict_ytd_cents: int) -> Sums:
        """The sums of a set holding one group."""
        return cls(
            all_groups=1,
            groups=int(revenue_ytd_cents > 0),
            ict_groups=int(ict_ytd_cents > 0),
            revenue_ytd_cents=revenue_ytd_cents,
            revenue_pytd_cents=revenue_pytd_cents,
            ict_ytd_cents=ict_ytd_cents,
        )

    @property
    def revenue_ytd(self) -> decimal.Decimal:
        return money(self.revenue_ytd_cents)

    @property
    def revenue_pytd(self) -> decimal.Decimal:
        return money(self.revenue_pytd_cents)

    @property
    def ict_ytd(self) -> decimal.Decimal:
        return money(self.ict_ytd_cents)

    @property
    def growth(self) -> decimal.Decimal | None:
        return growth(self.revenue_ytd_cents, self.revenue_pytd_cents)

    @property
    def ict_penetration(self) -> decimal.Decimal | None:
        return ict_penetration(self.ict_groups, self.groups)

    @property
    def ict_share(self) -> decimal.Decimal | None:
        return ict_share(self.ict_ytd_cents, self.revenue_ytd_cents)


SUM_FIELDS = tuple(f.name for f in fields(Sums))


@dataclass(frozen=True)
class Figures:
    """A set of groups (`all`) and its covered subset (`covered`: groups with a chief AM)."""

    all: Sums = Sums()
    covered: Sums = Sums()

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.all + other.all, self.covered + other.covered)

    @classmethod
    def from_row(cls, row) -> Figures:
        """From a `Snapshot` (or any object/dict with its column names)."""
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return cls(
            Sums(*(int(get(name) or 0) for name in SUM_FIELDS)),
            Sums(*(int(get(f"covered_{name}") or 0) for name in SUM_FIELDS)),
        )

    def as_columns(self) -> dict:
        """The `Snapshot` column values (for storing)."""
        values = {name: getattr(self.all, name) for name in SUM_FIELDS}
        values.update({f"covered_{name}": getattr(self.covered, name) for name in SUM_FIELDS})
        return values


def beats_industry(covered: Sums, benchmark: Sums) -> bool | None:
    """The 2008 target: growth AND ICT penetration of `covered` strictly above `benchmark`'s
    (both as reported, 4 places); None when any of the four measures is null."""
    values = (covered.growth, benchmark.growth, covered.ict_penetration, benchmark.ict_penetration)
    if any(v is None for v in values):
        return None
    return covered.growth > benchmark.growth and covered.ict_penetration > benchmark.ict_penetration


def benchmark(industry_figures: dict[str, Figures], industries) -> Sums:
    """The industry average over several industries: the measures over all groups of every
    industry in `industries` (codes; blank codes are no industry and are skipped)."""
    total = Sums()
    for code in set(industries):
        if code and code in industry_figures:
            total = total + industry_figures[code].all
    return total
