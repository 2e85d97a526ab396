"""Pilot programmes (DOMAIN.md §4): the pilot table and the programme's progress.

**The pilot table** (`pilot_table`, the seed's "first batch" table; `gecrm report pilot-table`):
pilot customers counted by customer segment (rows) and responsible sales organisation (columns),
with ONE `GROUP BY segment, responsible org unit` over the programme's pilot customers.

- Rows: the three vertical segments 党政军, 金融, 大企业 (`gov`, `fin`, `ent`) always — the seed's
  rows, so a segment without pilots shows as a row of empty cells — then any other segment that
  has pilots (中小企业, 聚类), in the segments' order; then the total row (`total`).
- Columns: the responsible org units that appear in the programme: the group first, then the
  provinces in org-code order; then the total column (`total`). A unit without pilot customers
  is not a column (the seed's table has exactly the group and its four pilot provinces).
- Empty cells: `0` in CSV and JSON, `-` on the page and in `.xlsx`, as the seed prints them.
- CSV header: `segment,<org unit code>…,total`; rows keyed by segment code, then `total`.

Scope: a user counts the pilot customers they may see (`accounts.pilotcustomer` rule: the
customer is in their scope); `user=None` (the command line without `--user`) counts all.

**Progress** (`program_progress`): the pilot customers' revenue growth and ICT penetration
against the **rest of their industries** — the groups of the set's industries that are not
pilots of the programme (`industry_rest`), so that the pilots are not compared with an average
that includes themselves (DESIGN.md "KPI definitions": the `kpi` engine's `GroupMonth` rows of
the latest computed month, the measures of `kpi.measures`, `kpi.measures.benchmark` over the
industries of the set), for the whole programme, per phase and per pilot unit. The money is
scoped like every KPI figure (`kpi.scorecards`): a user who does not see all money gets the
measures over the pilot customers whose money they may see, against the rest of the industries
over the groups they may see.

A pilot customer **belongs to a pilot unit** when its responsible org unit, or the owning org
unit of any member of its customer tree (the HQ or a branch), lies in the pilot unit's subtree:
the 广东 pilot unit takes part in a group-responsible bank's pilot through the bank's branches in
广东, and a 广州 prefecture pilot unit through its branches in 广州. One customer can therefore
count for several pilot units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, Value
from django.db.models.functions import StrIndex, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gecrm.access.scopes import grant_of, subtree_q
from gecrm.customers.choices import Segment
from gecrm.customers.models import Customer
from gecrm.kpi import engine
from gecrm.kpi.measures import Figures, Sums, beats_industry, benchmark
from gecrm.kpi.reports import Column, Report
from gecrm.kpi.scorecards import INDUSTRY, figures, group_months
from gecrm.org.models import OrgUnit

from .models import PilotCustomer, Program, ProgramTarget

# The seed's rows: always shown, in this order, even without pilots.
SEGMENT_ROWS = ("gov", "fin", "ent")
TOTAL = "total"
EMPTY = "-"
NO_PHASE = ""


def _segment_label(code: str) -> str:
    try:
        return str(Segment(code).label)
    except ValueError:
        return code


def can_manage_programs(user) -> bool:
    """May `user` create and edit programmes, phases, targets and pilot customers? Superusers
    and the group's sales managers and controllers (they see and edit everything)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or grant_of(user).everything


def visible_pilots(program: Program, user=None, action: str = "view"):
    """The programme's pilot customers `user` may see (all for `user=None`)."""
    queryset = PilotCustomer.objects.filter(program=program)
    return queryset if user is None else queryset.restrict(user, action)


# ------------------------------------------------------------------------------- pilot table


@dataclass
class TableColumn:
    code: str
    name: str
    kind: str


@dataclass
class PilotTable:
    """Counts by (segment, responsible org unit code), with the row and column totals."""

    program: Program
    segments: list[str]
    columns: list[TableColumn]
    counts: dict[tuple[str, str], int]

    def count(self, segment: str, org_code: str) -> int:
        return self.counts.get((segment, org_code), 0)

    def row_total(self, segment: str) -> int:
        return sum(self.count(segment, c.code) for c in self.columns)

    def column_total(self, org_code: str) -> int:
        return sum(self.count(s, org_code) for s in self.segments)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def keys(self) -> list[str]:
        return ["segment", *(c.code for c in self.columns), TOTAL]

    def rows(self, *, empty=0) -> list[dict]:
        """One dict per segment, then the total row, keyed like the CSV header; `empty` is
        what a zero cell holds (0 for CSV/JSON, "-" for the page and .xlsx)."""

        def cell(n):
            return n if n else empty

        rows = []
        for segment in self.segments:
            row = {"segment": segment, "label": _segment_label(segment)}
            for column in self.columns:
                row[column.code] = cell(self.count(segment, column.code))
            row[TOTAL] = cell(self.row_total(segment))
            rows.append(row)
        row = {"segment": TOTAL, "label": _("Total")}
        for column in self.columns:
            row[column.code] = cell(self.column_total(column.code))
        row[TOTAL] = cell(self.total)
        rows.append(row)
        return rows

    def report(self) -> Report:
        """The table as a `kpi.reports.Report`, so that `write_report` writes it (formula
        escaping, numbers as numbers, codes as text)."""
        columns = (
            Column("segment", gettext_lazy("segment")),
            *(Column(c.code, c.name, "int") for c in self.columns),
            Column(TOTAL, gettext_lazy("total"), "int"),
        )
        return Report(
            name="pilot-table",
            title=gettext_lazy("Pilot customers by segment and responsible organisation"),
            columns=columns,
            text_columns=("segment",),
        )


def pilot_table(program: Program, user=None) -> PilotTable:
    """The seed-shaped table of `program` as `user` may see it (see the module doc)."""
    grouped = (
        visible_pilots(program, user)
        .order_by()
        .values("customer__segment", "org_unit__code", "org_unit__name", "org_unit__kind")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[str, str], int] = {}
    units: dict[str, TableColumn] = {}
    for row in grouped:
        code = row["org_unit__code"]
        counts[(row["customer__segment"], code)] = row["n"]
        units[code] = TableColumn(code, row["org_unit__name"], row["org_unit__kind"])
    present = {segment for segment, _code in counts}
    segments = list(SEGMENT_ROWS) + [
        s for s in Segment.values if s in present and s not in SEGMENT_ROWS
    ]
    columns = sorted(units.values(), key=lambda c: (c.kind != "group", c.code))
    return PilotTable(program=program, segments=segments, columns=columns, counts=counts)


# ------------------------------------------------------------------------------- progress


@dataclass
class ProgressRow:
    """A set of pilot customers (the programme, a phase or a pilot unit) and its measures."""

    key: str
    label: str
    customers: int = 0
    sums: Sums = field(default_factory=Sums)
    industry: Sums = field(default_factory=Sums)
    industries: set = field(default_factory=set)

    @property
    def growth(self):
        return self.sums.growth

    @property
    def ict_penetration(self):
        return self.sums.ict_penetration

    @property
    def industry_growth(self):
        return self.industry.growth

    @property
    def industry_ict_penetration(self):
        return self.industry.ict_penetration

    @property
    def beats_industry(self) -> bool | None:
        return beats_industry(self.sums, self.industry)


@dataclass
class Progress:
    month: int | None
    total: ProgressRow
    phases: list[ProgressRow]
    units: list[ProgressRow]
    # Per industry, its groups that are not pilots of the programme (`industry_rest`).
    rest: dict = field(default_factory=dict)


def pilot_unit_membership(pilots: list[tuple], units: list[OrgUnit]) -> dict[int, set[int]]:
    """{pilot unit id: customer ids of the pilots that belong to it} (see the module doc).

    `pilots`: (customer id, customer path, responsible org unit path). Two queries: the org
    units under the pilot units, and the members of the pilot customers' trees owned by one of
    them (prefix ranges on the indexed paths), reduced to distinct (group code, org unit).
    """
    result: dict[int, set[int]] = {unit.pk: set() for unit in units}
    if not pilots or not units:
        return result
    vendor = connection.vendor
    for customer_id, _path, responsible_path in pilots:
        for unit in units:
            if responsible_path.startswith(unit.path):
                result[unit.pk].add(customer_id)
    under = dict(
        OrgUnit._base_manager.filter(
            _any(subtree_q("path", unit.path, vendor) for unit in units)
        ).values_list("pk", "path")
    )
    by_code = {path.strip("/"): customer_id for customer_id, path, _r in pilots}
    members = (
        Customer._base_manager.filter(
            _any(subtree_q("path", path, vendor) for _i, path, _r in pilots)
        )
        .filter(org_unit_id__in=list(under))
        .annotate(group_code=Substr("path", 2, StrIndex(Substr("path", 2), Value("/")) - 1))
        .order_by()
        .values_list("group_code", "org_unit_id")
        .distinct()
    )
    for group_code, org_unit_id in members:
        customer_id = by_code.get(group_code)
        if customer_id is None:
            continue
        org_path = under[org_unit_id]
        for unit in units:
            if org_path.startswith(unit.path):
                result[unit.pk].add(customer_id)
    return result


def _any(qs) -> Q:
    combined = Q(pk__in=[])
    for q in qs:
        combined |= q
    return combined


def industry_rest(by_industry: dict[str, Figures], pilots: dict[int, tuple[str, Sums]]):
    """Per industry, its groups that are not pilots: the industry's figures (`by_industry`, the
    groups the user may see the money of) less those of the programme's pilot groups among them
    (`pilots`: {group id: (industry, Sums)}, the same rows). An industry made only of pilots has
    empty sums: every benchmark measure is null."""
    rest = dict(by_industry)
    for industry, sums in pilots.values():
        if industry in rest:
            rest[industry] = Figures(rest[industry].all - sums)
    return rest


def program_progress(
    program: Program, user=None, month: int | None = None, *, phases=None, units=None
) -> Progress:
    """The programme's progress in `month` (default: the latest computed month) as `user` may
    see it: for the programme, each phase (and the pilots without one) and each pilot unit.
    `phases` and `units` (ordered) save their queries when the caller has them already."""
    if month is None:
        month = engine.latest_month()
    pilots = list(
        visible_pilots(program, user)
        .order_by()
        .values_list("customer_id", "customer__path", "org_unit__path", "phase_id")
    )
    if phases is None:
        phases = list(program.phases.order_by("number"))
    if units is None:
        units = list(program.units.order_by("path"))
    sums_of: dict[int, Sums] = {}
    industry_of: dict[int, str] = {}
    rest = {}
    if month is not None and pilots:
        ids = [p[0] for p in pilots]
        rows = (
            group_months(user, month)
            .filter(group_id__in=ids)
            .values_list(
                "group_id", "industry", "revenue_ytd_cents", "revenue_pytd_cents", "ict_ytd_cents"
            )
        )
        for group_id, industry, ytd, pytd, ict in rows:
            sums_of[group_id] = Sums.of_group(ytd, pytd, ict)
            industry_of[group_id] = industry
        # Every pilot whose money the user sees is here (the pilot rule's "view" holds the
        # money scope): what their industries' figures hold of the pilots.
        rest = industry_rest(
            figures(user, month, INDUSTRY),
            {gid: (industry_of[gid], sums) for gid, sums in sums_of.items()},
        )

    def measured(key, label, customer_ids) -> ProgressRow:
        row = ProgressRow(key=key, label=label, customers=len(customer_ids))
        for customer_id in customer_ids:
            if customer_id in sums_of:
                row.sums = row.sums + sums_of[customer_id]
                if industry_of[customer_id]:
                    row.industries.add(industry_of[customer_id])
        row.industry = benchmark(rest, row.industries)
        return row

    total = measured("", _("Whole programme"), [p[0] for p in pilots])
    phase_rows = []
    for phase in phases:
        ids = [p[0] for p in pilots if p[3] == phase.pk]
        phase_rows.append(measured(str(phase.number), phase.name, ids))
    unphased = [p[0] for p in pilots if p[3] is None]
    if unphased:
        phase_rows.append(measured(NO_PHASE, _("No phase"), unphased))
    membership = pilot_unit_membership([p[:3] for p in pilots], units)
    unit_rows = [measured(unit.code, unit.name, sorted(membership[unit.pk])) for unit in units]
    return Progress(
        month=month,
        total=total,
        phases=phase_rows,
        units=unit_rows,
        rest=rest,
    )


# ------------------------------------------------------------------------------- targets

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"


@dataclass
class TargetStatus:
    """A programme target with the actuals of its set (programme, phase and/or unit)."""

    target: ProgramTarget
    actual: ProgressRow | None

    @property
    def customers_light(self) -> str:
        from gecrm.kpi.actions import attainment

        actual = self.actual.customers if self.actual else None
        return attainment(self.target.customers, actual)

    @property
    def growth_light(self) -> str:
        from gecrm.kpi.actions import attainment

        actual = self.actual.growth if self.actual else None
        return attainment(self.target.revenue_growth, actual)

    @property
    def penetration_light(self) -> str:
        from gecrm.kpi.actions import attainment

        actual = self.actual.ict_penetration if self.actual else None
        return attainment(self.target.ict_penetration, actual)

    @property
    def beat_industry_light(self) -> str:
        if not self.target.beat_industry or self.actual is None:
            return NONE
        beats = self.actual.beats_industry
        if beats is None:
            return NONE
        return GREEN if beats else RED


def targets_with_actuals(program: Program, progress: Progress, user=None) -> list[TargetStatus]:
    """The programme's targets, each with the actuals of its set: the programme, a phase, a
    pilot unit, or a phase within a pilot unit (the customers in both)."""
    targets = list(program.targets.select_related("phase", "org_unit").order_by("pk"))
    phase_rows = {row.key: row for row in progress.phases}
    unit_rows = {row.key: row for row in progress.units}
    result = []
    needs_both = [t for t in targets if t.phase_id and t.org_unit_id]
    both: dict[tuple[int, int], ProgressRow] = {}
    if needs_both:
        # A phase within a unit: the intersection of the two sets, measured again.
        for target in needs_both:
            both[(target.phase_id, target.org_unit_id)] = _phase_in_unit(
                program, target, user, progress
            )
    for target in targets:
        if target.phase_id and target.org_unit_id:
            actual = both[(target.phase_id, target.org_unit_id)]
        elif target.phase_id:
            actual = phase_rows.get(str(target.phase.number))
        elif target.org_unit_id:
            actual = unit_rows.get(target.org_unit.code)
        else:
            actual = progress.total
        result.append(TargetStatus(target=target, actual=actual))
    return result


def _phase_in_unit(program, target, user, progress) -> ProgressRow:
    """The pilots of the target's phase that belong to its pilot unit, measured against the
    rest of their industries (`progress.rest`)."""
    month = progress.month
    unit = target.org_unit
    rows = list(
        visible_pilots(program, user)
        .filter(phase_id=target.phase_id)
        .order_by()
        .values_list("customer_id", "customer__path", "org_unit__path")
    )
    ids = sorted(pilot_unit_membership(rows, [unit])[unit.pk])
    result = ProgressRow(key=unit.code, label=unit.name, customers=len(ids))
    if month is None or not ids:
        return result
    for industry, ytd, pytd, ict in (
        group_months(user, month)
        .filter(group_id__in=ids)
        .values_list("industry", "revenue_ytd_cents", "revenue_pytd_cents", "ict_ytd_cents")
    ):
        result.sums = result.sums + Sums.of_group(ytd, pytd, ict)
        if industry:
            result.industries.add(industry)
    result.industry = benchmark(progress.rest, result.industries)
    return result
