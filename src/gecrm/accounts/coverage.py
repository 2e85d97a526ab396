"""Vertical-team coverage (纵向团队覆盖) against the year's rollout targets.

Definitions (also the coverage page's help text):

- **HQ customer** (总部客户): a top-level customer (no parent) of a *vertical* segment — 党政军
  `gov`, 金融 `fin`, 大企业 `ent`. DOMAIN.md §1 and §3: the chief-account-manager system and its
  vertical teams belong to the vertical sales organisation; SME and clustered customers are
  served horizontally by marketing grids, so they are neither counted nor targeted here.
- **Covered** on a day: the HQ customer has an active `chief_am` assignment that day (held by
  staff who still hold the `chief_am` post) *and* at
  least one branch (a descendant at any depth) with an active `am` assignment — a chief AM
  linked to branch account managers is a team (seed: "every chief AM linked to the branch AMs
  of their customer"). A chief AM alone, ended or future assignments do not count.
- **Provinces / prefectures taking part**: the province and prefecture org units in whose
  subtree a branch of a covered HQ customer sits, owned by a unit there and served by an active
  account manager (a branch owned by 深圳 or a 深圳 district counts 深圳 and 广东).
- The day of a year is today for the current (or a future) year, 31 December for a past one.
- Targets: the year's `RolloutTarget`, or the seed's defaults (200 HQ customers, 6 provinces,
  8 prefectures) while none is stored for the year.

Scope: the page is a management view (`may_view_coverage`). Whoever sees every customer's money
(administrators, the group's sales managers and controllers) gets the company's figures; a
province's or prefecture's managers get their part only — the covered HQ customers in their
data scope and the provinces/prefectures where branches in their scope take part (the same
`customer_scope` rule as every other customer figure). Whether an HQ customer is covered is a
fact about that customer, so it is decided over its whole tree.

Every figure is a set-based query (one GROUP BY each); nothing loops over customers in Python
except the few hundred aggregated rows of the page's table.
"""

from __future__ import annotations

import datetime
import decimal
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db import connections
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone

from gecrm.access.scopes import (
    GROUP_MANAGER_POSTS,
    INDUSTRY_POSTS,
    UNIT_VIEW_POSTS,
    VIEW_FINANCIAL,
    customer_scope,
    grant_of,
    subtree_q,
)
from gecrm.customers.choices import Segment
from gecrm.customers.models import Customer
from gecrm.customers.pinyin import name_keys
from gecrm.kpi.models import Computation, GroupMonth
from gecrm.org.choices import OrgUnitKind, Post
from gecrm.org.models import OrgUnit, Staff

from .choices import Role
from .models import Assignment, RolloutTarget, active_on_q

VERTICAL_SEGMENTS = ("gov", "fin", "ent")
# Posts that open the coverage dashboard (besides administrators): managers of an org unit
# and the industry posts, each over their own data scope.
MANAGEMENT_POSTS = UNIT_VIEW_POSTS | INDUSTRY_POSTS | GROUP_MANAGER_POSTS


# ---------------------------------------------------------------- who and when


def may_view_coverage(user) -> bool:
    """The dashboard is for administrators and managers (unit posts and industry posts)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    grant = grant_of(user)
    return grant.unit is not None and bool(grant.posts & MANAGEMENT_POSTS)


def may_edit_rollout_targets(user) -> bool:
    """Administrators and the group's sales managers / controllers set the company's targets."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or grant_of(user).everything


def coverage_day(year: int, today: datetime.date | None = None) -> datetime.date:
    """The day a year's coverage is measured on: today, or 31 December of a past year."""
    today = today or timezone.localdate()
    return datetime.date(year, 12, 31) if year < today.year else today


def target_for(year: int) -> RolloutTarget:
    """The stored targets of `year`, or an unsaved row with the seed's defaults (pk None)."""
    stored = RolloutTarget.objects.filter(year=year).first()
    if stored is not None:
        return stored
    target = RolloutTarget(year=year, version=0)
    # Field defaults are as declared (1, "0.5"); a stored row reads back as Decimal.
    for name in ("aligned_provinces", "aligned_prefectures"):
        setattr(target, name, decimal.Decimal(str(getattr(target, name))))
    return target


def short_name(name: str) -> str:
    """An org unit's name without the department suffix: 广东省公司政企客户部 → 广东省."""
    for suffix in ("分公司政企客户部", "公司政企客户部", "政企客户部"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


# ---------------------------------------------------------------- SQL building blocks


def path_code(field_name: str, index: int):
    """The `index`-th code (0 = the root) of a materialised path column (`/A/B/C/`), in SQL
    that SQLite and PostgreSQL both run. The path must have that many levels (guard it)."""
    rest = Substr(F(field_name), 2)
    for _level in range(index):
        rest = Substr(rest, StrIndex(rest, Value("/")) + 1)
    return Substr(rest, 1, StrIndex(rest, Value("/")) - 1)


def _active(role: str, day: datetime.date, outer: str = "pk"):
    return Assignment.objects.filter(active_on_q(day), role=role, customer_id=OuterRef(outer))


def served_branches(day: datetime.date):
    """Branches (any depth) with an active account manager on `day`, annotated with `root`,
    the code of their HQ customer."""
    return (
        Customer._base_manager.filter(depth__gt=0)
        .filter(Exists(_active(Role.AM, day)))
        .annotate(root=path_code("path", 0))
    )


def hq_customers():
    """Top-level customers of the vertical segments."""
    return Customer._base_manager.filter(parent__isnull=True, segment__in=VERTICAL_SEGMENTS)


def _trees_q(root_codes: list[str]) -> Q:
    """Customers in the trees of these top-level customers: an indexed path range each, so the
    database reads those trees instead of testing every customer."""
    vendor = connections[Customer._base_manager.db].vendor
    return reduce(operator.or_, [subtree_q("path", f"/{code}/", vendor) for code in root_codes])


def covered_hq(day: datetime.date):
    """HQ customers covered by a vertical team on `day` (see the module doc), unscoped."""
    # Only staff holding the chief AM post qualify (a post can be withdrawn after assigning).
    chief = _active(Role.CHIEF_AM, day).filter(user__staff__posts__post=Post.CHIEF_AM)
    return hq_customers().filter(Exists(chief)).filter(code__in=served_branches(day).values("root"))


def _scope(user):
    """The user's customer scope (a `Q`, or None for everything), read like money."""
    vendor = connections[Customer._base_manager.db].vendor
    return customer_scope(user, VIEW_FINANCIAL, vendor=vendor)


# ---------------------------------------------------------------- results


@dataclass
class Participation:
    """A province or prefecture taking part: how many covered HQ customers reach into it."""

    code: str
    name: str
    customers: int
    prefectures: int = 0  # provinces only: their prefectures taking part

    @property
    def short_name(self) -> str:
        return short_name(self.name)


@dataclass
class SegmentCoverage:
    segment: str
    label: str
    hq_customers: int
    covered: int


@dataclass
class Coverage:
    """A year's coverage in one user's scope (see the module doc), with the year's targets."""

    year: int
    day: datetime.date
    target: RolloutTarget
    everything: bool  # the company's figures (else the user's part only)
    hq_customers: int = 0  # vertical HQ customers in scope
    covered: int = 0
    provinces: list[Participation] = field(default_factory=list)
    prefectures: list[Participation] = field(default_factory=list)
    segments: list[SegmentCoverage] = field(default_factory=list)

    @property
    def covered_share(self):
        return self.covered / self.hq_customers if self.hq_customers else None


def coverage(user, year: int, *, today: datetime.date | None = None) -> Coverage:
    """The headline figures: HQ customers covered, provinces and prefectures taking part."""
    day = coverage_day(year, today)
    scope = _scope(user)
    result = Coverage(year=year, day=day, target=target_for(year), everything=scope is None)

    def in_scope(queryset):
        return queryset if scope is None else queryset.filter(scope)

    # HQ customers and covered ones, by segment: one query.
    # Decided once (over whole trees), then reused by code: the Exists tests run one time.
    covered_codes = sorted(covered_hq(day).values_list("code", flat=True))
    rows = (
        in_scope(hq_customers())
        .values("segment")
        .annotate(
            total=Count("pk"),
            covered=Count(Case(When(code__in=covered_codes, then=Value(1)))),
        )
    )
    by_segment = {r["segment"]: r for r in rows}
    for segment in VERTICAL_SEGMENTS:
        row = by_segment.get(segment, {"total": 0, "covered": 0})
        result.segments.append(
            SegmentCoverage(segment, str(Segment(segment).label), row["total"], row["covered"])
        )
        result.hq_customers += row["total"]
        result.covered += row["covered"]

    # Where the teams work: branches of covered HQ customers served by an AM, by province
    # and by prefecture of their owning unit (depth 1 and 2 of the org tree).
    parts = in_scope(served_branches(day).filter(root__in=covered_codes))
    if covered_codes:
        parts = parts.filter(_trees_q(covered_codes))
    province = Case(
        When(org_unit__depth__gte=1, then=path_code("org_unit__path", 1)), default=Value("")
    )
    prefecture = Case(
        When(org_unit__depth__gte=2, then=path_code("org_unit__path", 2)), default=Value("")
    )
    by_province = dict(
        parts.annotate(unit=province)
        .values("unit")
        .annotate(n=Count("root", distinct=True))
        .values_list("unit", "n")
    )
    by_prefecture = dict(
        parts.annotate(unit=prefecture)
        .values("unit")
        .annotate(n=Count("root", distinct=True))
        .values_list("unit", "n")
    )
    units = OrgUnit._base_manager.filter(
        Q(kind=OrgUnitKind.PROVINCE, code__in=[c for c in by_province if c])
        | Q(kind=OrgUnitKind.PREFECTURE, code__in=[c for c in by_prefecture if c])
    ).order_by("path")
    prefectures_of: dict[str, int] = {}
    for unit in units:
        if unit.kind == OrgUnitKind.PREFECTURE:
            province_code = unit.ancestor_codes[1] if len(unit.ancestor_codes) > 1 else ""
            prefectures_of[province_code] = prefectures_of.get(province_code, 0) + 1
            result.prefectures.append(Participation(unit.code, unit.name, by_prefecture[unit.code]))
        else:
            result.provinces.append(Participation(unit.code, unit.name, by_province[unit.code]))
    for item in result.provinces:
        item.prefectures = prefectures_of.get(item.code, 0)
    return result


# ---------------------------------------------------------------- the table of teams


@dataclass
class TeamRow:
    """A covered HQ customer with its team's size and gaps, and its KPI figures if computed."""

    pk: int
    code: str
    name: str
    segment: str
    segment_label: str
    org_unit: str
    chief_am: str
    branches: int = 0
    served: int = 0  # branches with an account manager
    gaps: int = 0  # branches without one
    manager_gaps: int | None = (
        None  # the group / provinces without an industry manager (shown rows)
    )
    provinces: int = 0  # provinces where served branches sit
    revenue_ytd: object = None  # Decimal yuan, or None when the month is not computed
    growth: object = None

    @property
    def sort_keys(self) -> dict:
        return {
            "code": self.code,
            "name": name_keys(self.name)[0],  # names sort by pinyin
            "segment": self.segment,
            "branches": self.branches,
            "gaps": self.gaps,
            "provinces": self.provinces,
            "revenue": self.revenue_ytd,
            "growth": self.growth,
        }


SORT_KEYS = ("code", "name", "segment", "branches", "gaps", "provinces", "revenue", "growth")


def team_rows(user, day: datetime.date, *, segment: str = "", query: str = "") -> list[TeamRow]:
    """The covered HQ customers in the user's scope, each with its team's figures.

    Four queries whatever the number of rows: the HQ customers (with their chief AM's name),
    their branches grouped by HQ, the latest computed KPI month and its figures of these groups.
    """
    scope = _scope(user)
    hqs = covered_hq(day)
    if scope is not None:
        hqs = hqs.filter(scope)
    if segment:
        hqs = hqs.filter(segment=segment)
    if query:
        hqs = hqs.filter(Q(code__icontains=query) | Q(name__icontains=query))
    chief_name = (
        Staff._base_manager.filter(
            user__assignments__customer_id=OuterRef("pk"),
            user__assignments__role=Role.CHIEF_AM,
        )
        .filter(active_on_q(day, "user__assignments__"))
        .order_by("user__assignments__start", "user_id")
        .values("name")[:1]
    )
    rows = {
        r["code"]: TeamRow(
            pk=r["pk"],
            code=r["code"],
            name=r["name"],
            segment=r["segment"],
            segment_label=str(Segment(r["segment"]).label),
            org_unit=r["org_unit__name"],
            chief_am=r["chief"] or "",
        )
        for r in hqs.annotate(chief=Subquery(chief_name))
        .order_by("code")
        .values("pk", "code", "name", "segment", "org_unit__name", "chief")
    }
    if not rows:
        return []

    branches = Customer._base_manager.filter(depth__gt=0).annotate(root=path_code("path", 0))
    if scope is not None:
        branches = branches.filter(scope)
    served = Exists(_active(Role.AM, day))
    province = Case(
        When(org_unit__depth__gte=1, then=path_code("org_unit__path", 1)), default=Value("")
    )
    aggregates = (
        branches.filter(root__in=list(rows))
        .filter(_trees_q(list(rows)))
        .annotate(is_served=Case(When(served, then=Value(1)), default=Value(0),
                                 output_field=IntegerField()))
        .annotate(served_province=Case(When(served, then=province), default=None))
        .values("root")
        .annotate(
            n=Count("pk"),
            n_served=Count(Case(When(is_served=1, then=Value(1)))),
            n_provinces=Count("served_province", distinct=True),
        )
    )  # fmt: skip
    for r in aggregates:
        row = rows[r["root"]]
        row.branches, row.served = r["n"], r["n_served"]
        row.gaps = row.branches - row.served
        row.provinces = r["n_provinces"]

    _add_kpi(user, day, rows)
    return list(rows.values())


def _add_kpi(user, day: datetime.date, rows: dict[str, TeamRow]) -> None:
    """Revenue YTD and growth of each group from the latest computed month up to `day`."""
    month = (
        Computation.objects.filter(month__lte=day.year * 100 + day.month)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if month is None:
        return
    by_pk = {row.pk: row for row in rows.values()}
    figures = (
        GroupMonth.objects.restrict(user, "view")
        .filter(month=month, group_id__in=list(by_pk))
        .values_list("group_id", "revenue_ytd_cents", "revenue_pytd_cents")
    )
    hundred = decimal.Decimal(100)
    places = decimal.Decimal("0.0001")
    for group_id, ytd, pytd in figures:
        row = by_pk[group_id]
        row.revenue_ytd = decimal.Decimal(ytd) / hundred
        row.growth = (decimal.Decimal(ytd - pytd) / pytd).quantize(places) if pytd else None


def add_manager_gaps(user, rows: list[TeamRow], day: datetime.date) -> None:
    """The industry-manager gaps of the shown rows' teams (`accounts.teams`: the group or a
    province involved without an industry manager of the customer's industry), as the team page
    counts them for this user: the whole team for whoever sees everything or is on it, else the
    part in their scope. Five queries for any number of rows (the team derivation's four)."""
    from .teams import GAP_NO_INDUSTRY_MANAGER, derive_teams

    if not rows:
        return
    hqs = list(Customer._base_manager.filter(pk__in=[row.pk for row in rows]))
    teams = derive_teams(hqs, day=day)
    scope = _scope(user)
    visible = None
    if scope is not None:
        vendor = connections[Customer._base_manager.db].vendor
        trees = Customer._base_manager.filter(
            reduce(operator.or_, [subtree_q("path", hq.path, vendor) for hq in hqs])
        )
        visible = set(trees.filter(scope).values_list("pk", flat=True))
    for row in rows:
        team = teams.get(row.pk)
        if team is None:
            continue
        partial = visible is not None and user.pk not in team.member_ids
        if partial:
            team.restrict_to(visible & {node.pk for node in team.nodes})
        row.manager_gaps = sum(
            1 for gap in team.gaps(visible_only=partial) if gap.kind == GAP_NO_INDUSTRY_MANAGER
        )


def sort_rows(rows: list[TeamRow], ordering: str) -> tuple[list[TeamRow], str]:
    """Rows sorted by a column (`key` ascending, `-key` descending), missing values last."""
    key = ordering.lstrip("-")
    if key not in SORT_KEYS:
        return sorted(rows, key=lambda r: r.code), ""
    descending = ordering.startswith("-")
    present = [r for r in rows if r.sort_keys[key] is not None]
    missing = [r for r in rows if r.sort_keys[key] is None]
    present.sort(key=lambda r: (r.sort_keys[key], r.code), reverse=descending)
    return present + missing, ordering
