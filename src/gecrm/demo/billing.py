"""The demo's monthly financial report: 24 months of billing for every customer, and the chief AM
coverage that makes the KPI scorecards tell a story.

The 24 months end with the month before the current one (`demo_months`), so that the year to date
of the last month has a full previous-year period to compare with. Each billed customer gets a
few *lines* (a product with a base monthly amount, a first and a last month, a yearly growth);
every month of a line is one revenue fact, so facts per customer-month are bounded by the lines
of its kind (`data.BILLING_KINDS`: at most 8 for an HQ, 3 for an SME). On top of that:

- seasonality (`data.SEASON_*`): a Spring Festival dip, a year-end peak for ICT projects;
- growth by industry (`data.INDUSTRY_GROWTH`, some industries shrink), varied per group and
  member; ICT lines grow faster than basic ones;
- ICT take-up (`data.INDUSTRY_ICT`): many ICT lines start part-way, and new products
  (`data.NEW_PRODUCTS`) only after their launch, so the ICT share grows month by month;
- churn: closed SME/cluster customers stop being billed part-way, dormant ones a little later,
  and a few lines end early; prospects are never billed;
- refunds and credits: about 3 facts in 1,000 are negative;
- system integration is billed by project milestone (some months, larger amounts).

Chief AM coverage (`plan_coverage`): most pilot HQ groups have an active chief AM on the last
day of the last month; about 30% per industry do not (the assignment ended, or starts in the
future), nor do the other groups of the vertical industries (they have none). Covered groups grow faster and take more ICT, and one uncovered group per industry takes
no ICT, so covered groups beat their industry on growth and ICT penetration — except in one
"laggard" industry drawn from the seed, where the covered groups grow slower.

Everything is drawn from random generators seeded by the seed (and the end month), in customer
order: the same seed, scale and end month give the same facts.
"""

import datetime
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from gecrm.core import months as month_utils

from . import data

MONTHS = 24
VERTICAL_SEGMENTS = ("gov", "fin", "ent")
REFUND_RATE = 0.003
# Yearly growth of basic and ICT lines relative to the customer's: basic services erode, ICT
# grows (and is taken up part-way, which adds growth of its own).
BASIC_DRIFT = -0.04
ICT_DRIFT = 0.02
NEW_ICT_SALES = 0.4  # the share of ICT lines sold part-way (a tenth where no one sells)


def default_end_month(today: datetime.date | None = None) -> int:
    """The month before the current one (Asia/Shanghai): the last month the report covers."""
    today = today or timezone.localdate()
    return month_utils.add_months(month_utils.of_date(today), -1)


def demo_months(end_month: int) -> list[int]:
    """The 24 months of demo billing, ending with `end_month`."""
    return month_utils.month_range(month_utils.add_months(end_month, 1 - MONTHS), end_month)


# ----------------------------------------------------------------------------------------------
# Chief AM coverage


@dataclass
class Coverage:
    """Which pilot HQ groups a chief AM covers on the last day of the end month (the other
    groups of the vertical industries have no chief AM: they are not in `state`).

    `state` maps the HQ code to "covered", "ended" (the assignment ended before that day) or
    "future" (it starts after it).
    """

    end_month: int
    rng: random.Random
    state: dict[str, str] = field(default_factory=dict)
    laggard: str = ""  # the industry whose covered groups grow slower than the others
    no_ict: set[str] = field(default_factory=set)  # uncovered HQ codes that take no ICT

    def chief_dates(self, code: str, drawn_start: datetime.date):
        """(start, end) of the chief AM assignment of HQ `code`; `drawn_start` is the usual
        start date of demo assignments."""
        rng = self.rng
        last_day = month_utils.last_day(self.end_month)
        state = self.state.get(code, "covered")
        if state == "future":
            # From the first day of the current month up to three months later.
            month = month_utils.add_months(self.end_month, 1 + int(rng.random() * 3))
            return month_utils.first_day(month), None
        latest_start = last_day - datetime.timedelta(days=120)
        start = min(drawn_start, latest_start)
        if state == "ended":
            months_ago = 1 + int(rng.random() * 8)
            end = month_utils.last_day(month_utils.add_months(self.end_month, -months_ago))
            return min(start, end - datetime.timedelta(days=90)), end
        return start, None


def plan_coverage(hqs: list[tuple[str, str]], *, keep: str, seed: int, end_month: int) -> Coverage:
    """Coverage of the pilot HQ groups `hqs` ((code, industry), in generation order).

    In each industry with two or more groups about 30% (at least one) are not covered; `keep`
    (the HQ of the chief AM the demo prints) stays covered. One industry with three or more
    groups is the laggard.
    """
    rng = random.Random(f"{seed}:coverage")
    coverage = Coverage(end_month=end_month, rng=random.Random(f"{seed}:{end_month}:chief-dates"))
    by_industry: dict[str, list[str]] = {}
    for code, industry in hqs:
        by_industry.setdefault(industry, []).append(code)
        coverage.state[code] = "covered"
    candidates = sorted(i for i, codes in by_industry.items() if len(codes) >= 3)
    if candidates:
        coverage.laggard = rng.choice(candidates)
    turn = 0
    for industry in sorted(by_industry):
        codes = by_industry[industry]
        if len(codes) < 2:
            continue
        pool = [code for code in codes if code != keep]
        uncovered = rng.sample(pool, max(1, round(0.3 * len(codes))))
        for code in uncovered:
            coverage.state[code] = ("ended", "future")[turn % 2]
            turn += 1
        if industry != coverage.laggard:
            coverage.no_ict.add(uncovered[0])
    return coverage


# ----------------------------------------------------------------------------------------------
# Billing


@dataclass
class GroupPlan:
    growth: float  # yearly
    ict: float  # chance that a member takes ICT products
    covered: bool
    ict_late: float  # chance that an ICT line is a new sale, billed from part-way on


@dataclass
class Line:
    product_id: int
    base: float  # fen per month before seasonality, growth and noise
    start: int  # month index, included
    stop: int  # month index, excluded
    step: float  # monthly growth factor
    ict: bool
    project: bool


class Billing:
    """Turns customers into revenue fact rows `(month, customer_id, product_id, amount_cents,
    batch_id)` and keeps the count and the total."""

    def __init__(self, *, seed: int, end_month: int, coverage: Coverage, products, batch_id):
        """`products`: code → (id, is_ict)."""
        self.months = demo_months(end_month)
        self.coverage = coverage
        self.batch_id = batch_id
        self.rng = random.Random(f"{seed}:{end_month}:billing")
        self.group_rng = random.Random(f"{seed}:{end_month}:billing-groups")
        self.groups: dict[str, GroupPlan] = {}
        self.facts = 0
        self.total_cents = 0
        self.negative = 0
        self.season_basic = [data.SEASON_BASIC[m % 100 - 1] for m in self.months]
        self.season_ict = [data.SEASON_ICT[m % 100 - 1] for m in self.months]
        self.december = [m % 100 == 12 for m in self.months]
        self.product_ids = {code: pid for code, (pid, _) in products.items()}
        self.launch = {
            products[code][0]: index
            for code, index in data.NEW_PRODUCTS.items()
            if code in products
        }
        self.project_ids = {products[c][0] for c in data.PROJECT_PRODUCTS if c in products}

        def pool(codes):
            return [products[c][0] for c in codes if c in products]

        self.basic_pools = {seg: pool(codes) for seg, codes in data.BASIC_POOLS.items()}
        self.ict_pools = {seg: pool(codes) for seg, codes in data.ICT_POOLS.items()}

    # -- plans

    def group(self, code: str, segment: str, industry: str) -> GroupPlan:
        plan = self.groups.get(code)
        if plan is None:
            rnd = self.group_rng.random
            growth = data.INDUSTRY_GROWTH.get(industry, 0.0) + (rnd() - 0.5) * 0.04
            ict = data.INDUSTRY_ICT.get(industry, 0.1)
            # The other groups of the vertical industries (not pilots) have no chief AM.
            covered = self.coverage.state.get(code) == "covered"
            # A chief AM sells new ICT to the group (new lines part-way), and more of it.
            selling = covered != (industry == self.coverage.laggard)
            ict_late = NEW_ICT_SALES if selling else NEW_ICT_SALES / 4
            if industry == self.coverage.laggard:
                growth += data.LAGGARD_GROWTH_PENALTY if covered else 0.0
            elif covered:
                growth += data.COVERED_GROWTH_BONUS
                ict = min(1.0, ict + data.COVERED_ICT_BONUS)
            if code in self.coverage.no_ict:
                ict = 0.0
            plan = self.groups[code] = GroupPlan(growth, ict, covered, ict_late)
        return plan

    def lines(self, cid, path, depth, segment, industry, status) -> list[Line]:
        rnd = self.rng.random
        n_months = len(self.months)
        if segment in VERTICAL_SEGMENTS:
            group = self.group(path.split("/", 2)[1], segment, industry)
            growth = group.growth + (rnd() - 0.5) * 0.04
            ict_chance = group.ict
            ict_late = group.ict_late
            # A covered HQ takes ICT from the first month: the chief AM's first sale.
            sure_ict = depth == 0 and group.covered and group.ict > 0
            kind = ("hq", "branch_l", "branch_m")[depth] if depth < 3 else "branch_s"
            pools = segment
        else:  # SME and clustered customers: each its own group, more varied
            growth = data.INDUSTRY_GROWTH.get(industry, 0.0) + (rnd() - 0.5) * 0.3
            ict_chance = data.INDUSTRY_ICT.get(industry, 0.1)
            kind = industry or "sme"
            pools = segment
            ict_late = NEW_ICT_SALES
            sure_ict = False
        basic_min, basic_max, low, high, ict_max, ict_low, ict_high = data.BILLING_KINDS[kind]

        stop = n_months
        if status == "closed":  # churned: billed for a while, then never again
            stop = 2 + int(rnd() * (n_months - 4))
        elif status == "dormant":
            stop = n_months // 3 + int(rnd() * (n_months // 2))

        lines = []
        basic_step = (1 + growth + BASIC_DRIFT) ** (1 / 12)
        pool = self.basic_pools[pools]
        # Skewed towards the minimum: most customers have few products (and facts stay bounded).
        n_basic = basic_min + int(rnd() ** 3 * (basic_max - basic_min + 1))
        for i, product_id in enumerate(self.rng.sample(pool, min(n_basic, len(pool)))):
            # The first line is there from the first month; others may come later or go early.
            start = 0 if i == 0 or rnd() < 0.92 else 1 + int(rnd() * (n_months - 2))
            line_stop = stop if i == 0 or rnd() < 0.95 else start + 1 + int(rnd() * n_months)
            base = (low + (high - low) * rnd() ** 2) * 100
            lines.append(Line(product_id, base, start, min(stop, line_stop), basic_step, False,
                              False))  # fmt: skip

        if ict_max and (sure_ict or rnd() < ict_chance):
            ict_step = (1 + growth + ICT_DRIFT) ** (1 / 12)
            pool = self.ict_pools[pools]
            n_ict = 1 + int(rnd() ** 2 * ict_max)
            for i, product_id in enumerate(self.rng.sample(pool, min(n_ict, len(pool)))):
                # ICT is taken up over time: most lines from the start, the rest part-way.
                if (i == 0 and sure_ict) or rnd() >= ict_late:
                    start = 0
                else:
                    start = 1 + int(rnd() * (n_months - 2))
                start = max(start, self.launch.get(product_id, 0))
                base = (
                    (low + (high - low) * rnd() ** 2)
                    * 100
                    * (ict_low + (ict_high - ict_low) * rnd())
                )
                project = product_id in self.project_ids
                if project:
                    base *= 2
                lines.append(Line(product_id, base, start, stop, ict_step, True, project))
        return lines

    # -- facts

    def rows(self, customers: Iterable[tuple]) -> Iterator[tuple]:
        """Fact rows of `customers`: tuples (id, path, depth, segment, industry, status)."""
        rnd = self.rng.random
        months = self.months
        batch_id = self.batch_id
        season_basic, season_ict, december = self.season_basic, self.season_ict, self.december
        facts = total = negative = 0
        for customer in customers:
            if customer[5] == "prospect":  # not a customer yet: nothing billed
                continue
            cid = customer[0]
            for line in self.lines(*customer):
                season = season_ict if line.ict else season_basic
                factor = line.step**line.start
                for t in range(line.start, line.stop):
                    if line.project and rnd() > (0.6 if december[t] else 0.25):
                        factor *= line.step
                        continue
                    amount = int(line.base * season[t] * factor * (0.9 + 0.2 * rnd()))
                    factor *= line.step
                    if rnd() < REFUND_RATE:  # a refund or credit larger than the month's bill
                        amount = -int(amount * (0.2 + 0.8 * rnd()))
                        negative += 1
                    facts += 1
                    total += amount
                    yield (months[t], cid, line.product_id, amount, batch_id)
        self.facts += facts
        self.total_cents += total
        self.negative += negative
