"""Scoped reads of the KPI figures per dimension (the one place reports get their sums from).

`figures(user, month, dimension)` answers `{key: Figures}`:
- for the operator (`user=None`, the command line without `--user`) and for users who see all
  money (`access.scopes.sees_all_money`), the stored `Snapshot` rows;
- for everyone else the same shape aggregated by SQL from their own groups only
  (`GroupMonth.objects.restrict(user)`), so that no count, sum or average leaks other groups.
  Their "industry average" is then the average over the groups of that industry they may see.

`aggregate(queryset, dimension)` is what the engine stores, too: the engine and the scoped path
share one aggregation, so a user who sees everything gets the same figures both ways.
"""

from __future__ import annotations

from operator import add

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from gecrm.access.scopes import VIEW_FINANCIAL, grant_of, sees_all_money
from gecrm.org.models import OrgUnit

from .measures import SUM_FIELDS, Figures, Sums
from .models import Computation, GroupMonth, Snapshot

ALL = Snapshot.Dimension.ALL
SEGMENT = Snapshot.Dimension.SEGMENT
INDUSTRY = Snapshot.Dimension.INDUSTRY
ORG_UNIT = Snapshot.Dimension.ORG_UNIT
CHIEF_AM = Snapshot.Dimension.CHIEF_AM
DIMENSIONS = (ALL, SEGMENT, INDUSTRY, ORG_UNIT, CHIEF_AM)


_PREFIX = "kpi_"  # annotation names must not shadow the summed columns


def _annotations() -> dict:
    positive = Q(revenue_ytd_cents__gt=0)
    ict = Q(ict_ytd_cents__gt=0)
    covered = Q(covered=True)
    annotations = {
        "all_groups": Count("pk"),
        "groups": Count("pk", filter=positive),
        "ict_groups": Count("pk", filter=ict),
        "revenue_ytd_cents": Sum("revenue_ytd_cents"),
        "revenue_pytd_cents": Sum("revenue_pytd_cents"),
        "ict_ytd_cents": Sum("ict_ytd_cents"),
        "covered_all_groups": Count("pk", filter=covered),
        "covered_groups": Count("pk", filter=covered & positive),
        "covered_ict_groups": Count("pk", filter=covered & ict),
        "covered_revenue_ytd_cents": Sum("revenue_ytd_cents", filter=covered),
        "covered_revenue_pytd_cents": Sum("revenue_pytd_cents", filter=covered),
        "covered_ict_ytd_cents": Sum("ict_ytd_cents", filter=covered),
    }
    return {_PREFIX + name: value for name, value in annotations.items()}


_ALL_KEYS = tuple(_PREFIX + name for name in SUM_FIELDS)
_COVERED_KEYS = tuple(f"{_PREFIX}covered_{name}" for name in SUM_FIELDS)


def _figures(row: dict) -> Figures:
    # `Figures.from_row` of the annotations, spelled out: a scoped page makes ~1,000 of these.
    return Figures(
        Sums(*(int(row[key] or 0) for key in _ALL_KEYS)),
        Sums(*(int(row[key] or 0) for key in _COVERED_KEYS)),
    )


def aggregate(queryset, dimension: str) -> dict[str, Figures]:
    """Sum `GroupMonth` rows of `queryset` (one month) per key of `dimension`, in SQL.

    Keys: "" for all, the segment code, the industry code (groups without an industry are left
    out), the chief AM's username (uncovered groups left out), the org unit code (each unit
    holds every group owned anywhere in its subtree: one GROUP BY org unit, then the org tree —
    a few thousand nodes, not facts — is rolled up in Python).
    """
    annotations = _annotations()
    if dimension == ALL:
        row = queryset.aggregate(**annotations)
        return {"": _figures(row)} if row[_PREFIX + "all_groups"] else {}
    if dimension == SEGMENT:
        field = "segment"
    elif dimension == INDUSTRY:
        field = "industry"
        queryset = queryset.exclude(industry="")
    elif dimension == CHIEF_AM:
        # By user id, then the few usernames: joining every row to the users cost more than
        # the grouping at 100k groups.
        field = "chief_am_id"
        queryset = queryset.filter(chief_am__isnull=False)
    elif dimension == ORG_UNIT:
        field = "org_unit_id"
    else:
        raise ValueError(dimension)
    rows = queryset.order_by().values(field).annotate(**annotations)
    by_key = {row[field]: _figures(row) for row in rows}
    if dimension == ORG_UNIT:
        return roll_up_org_units(by_key)
    if dimension == CHIEF_AM:
        return usernames_of(by_key, queryset)
    return by_key


def usernames_of(by_user_id: dict, queryset) -> dict:
    """Per chief AM user id → per username; `queryset`: the `GroupMonth` rows of those chief
    AMs (the users are read by a subquery on them: a list of 1,000 ids cost more to send)."""
    if not by_user_id:
        return {}
    names = get_user_model()._base_manager.filter(
        pk__in=queryset.filter(chief_am__isnull=False).order_by().values("chief_am_id")
    )
    return {name: by_user_id[pk] for pk, name in names.values_list("pk", "username")}


def aggregate_industries(queryset, dimension: str) -> dict[str, set[str]]:
    """The industry codes behind each key's industry average, from `GroupMonth` rows of
    `queryset` (one month): per org unit code those of the covered groups owned anywhere in its
    subtree; per chief AM username those of their groups. Groups without an industry add none.
    """
    queryset = queryset.exclude(industry="").order_by()
    result: dict[str, set[str]] = {}
    if dimension == ORG_UNIT:
        pairs = queryset.filter(covered=True).values_list("org_unit__path", "industry").distinct()
        for path, industry in pairs:
            for code in (c for c in path.split("/") if c):
                result.setdefault(code, set()).add(industry)
        return result
    if dimension == CHIEF_AM:
        chief_rows = queryset.filter(chief_am__isnull=False)
        pairs = list(chief_rows.values_list("chief_am_id", "industry").distinct())
        name_of = {
            user_id: name
            for name, user_id in usernames_of(
                {user_id: user_id for user_id, _ in pairs}, chief_rows
            ).items()
        }
        for user_id, industry in pairs:
            result.setdefault(name_of[user_id], set()).add(industry)
        return result
    raise ValueError(dimension)


def roll_up_org_units(by_unit_id: dict[int, Figures]) -> dict[str, Figures]:
    """Per-unit figures (groups owned directly) → per unit code, each unit with its subtree's.

    Units whose subtree owns no group are left out.
    """
    if not by_unit_id:
        return {}
    units = OrgUnit._base_manager.values_list("pk", "code", "path")
    code_of = {}
    path_of = {}
    for pk, code, path in units:
        code_of[pk] = code
        path_of[pk] = path
    # Added up as tuples of the 12 integers (a thousand units, each on a path of 3–4 codes):
    # building a `Figures` per addition cost most of an administrator's territory view.
    totals: dict[str, tuple] = {}
    for unit_id, figures in by_unit_id.items():
        values = (*_integers(figures.all), *_integers(figures.covered))
        for code in (c for c in path_of[unit_id].split("/") if c):
            before = totals.get(code)
            totals[code] = values if before is None else tuple(map(add, before, values))
    n = len(SUM_FIELDS)
    return {code: Figures(Sums(*values[:n]), Sums(*values[n:])) for code, values in totals.items()}


def _integers(sums: Sums) -> tuple:
    return (
        sums.all_groups,
        sums.groups,
        sums.ict_groups,
        sums.revenue_ytd_cents,
        sums.revenue_pytd_cents,
        sums.ict_ytd_cents,
    )


def sees_everything(user) -> bool:
    return user is None or sees_all_money(user)


def group_months(user, month: int):
    """The `GroupMonth` rows of `month` the user may see the money of (all for `user=None`)."""
    queryset = GroupMonth.objects.filter(month=month)
    return queryset if user is None else queryset.restrict(user, VIEW_FINANCIAL)


def figures(user, month: int, dimension: str) -> dict[str, Figures]:
    """`{key: Figures}` for `dimension` in `month`, as `user` may see them (see module doc)."""
    if sees_everything(user):
        # Tuples, not model instances: a chief AM scorecard reads 1,000 snapshots per page.
        rows = Snapshot.objects.filter(month=month, dimension=dimension).values_list(
            "key", *SUM_FIELDS, *(f"covered_{name}" for name in SUM_FIELDS)
        )
        n = len(SUM_FIELDS)
        return {
            row[0]: Figures(
                Sums(*(int(v or 0) for v in row[1 : n + 1])),
                Sums(*(int(v or 0) for v in row[n + 1 :])),
            )
            for row in rows
        }
    if dimension == CHIEF_AM:
        return {
            name: sum((cell for _industry, cell in cells[1:]), cells[0][1])
            for name, cells in _scoped_chief_cells(user, month).items()
        }
    return _from_cells(_scoped_cells(user, month), dimension)


def _scoped_chief_cells(user, month: int) -> dict[str, list[tuple[str, Figures]]]:
    """{chief AM username: [(industry, Figures)]} over the user's rows: one GROUP BY (chief
    AM, industry) answers both the chief AM figures (`aggregate(rows, CHIEF_AM)`, the same
    integer sums added in Python) and the industries behind their averages
    (`aggregate_industries`); kept with the user's grant like `_scoped_cells`."""
    memo = grant_of(user).memo
    key = ("kpi.chief_cells", month, _latest_computation(month))
    if key not in memo:
        queryset = group_months(user, month).filter(chief_am__isnull=False)
        rows = queryset.order_by().values("chief_am_id", "industry").annotate(**_annotations())
        by_id: dict = {}
        for row in rows:
            by_id.setdefault(row["chief_am_id"], []).append((row["industry"], _figures(row)))
        memo[key] = usernames_of(by_id, queryset)
    return memo[key]


def _latest_computation(month: int):
    return (
        Computation.objects.filter(month=month).order_by("-pk").values_list("pk", flat=True)
    ).first()


# A scoped user's page asks for several dimensions of the same groups (the dashboard: all,
# industry and org unit). One GROUP BY (org unit, segment, industry) over their rows — a few
# hundred cells — answers all of them; it is kept with the user's grant (dropped with it) for
# the month's latest computation (a recompute makes new cells).
def _scoped_cells(user, month: int) -> list[tuple[int, str, str, Figures]]:
    memo = grant_of(user).memo
    key = ("kpi.cells", month, _latest_computation(month))
    if key not in memo:
        fields = ("org_unit_id", "segment", "industry")
        rows = group_months(user, month).order_by().values(*fields).annotate(**_annotations())
        memo[key] = [(*(row[f] for f in fields), _figures(row)) for row in rows]
    return memo[key]


def _from_cells(cells, dimension: str) -> dict:
    """`aggregate(rows, dimension)` (not the chief AM) from the (org unit, segment, industry)
    cells of the same rows: the same exact integer sums, added in Python."""
    totals: dict = {}
    for unit_id, segment, industry, cell in cells:
        if dimension == ALL:
            key = ""
        elif dimension == SEGMENT:
            key = segment
        elif dimension == INDUSTRY:
            if not industry:
                continue
            key = industry
        elif dimension == ORG_UNIT:
            key = unit_id
        else:
            raise ValueError(dimension)
        totals[key] = totals[key] + cell if key in totals else cell
    if dimension == ORG_UNIT:
        return roll_up_org_units(totals)
    return totals


def industries(user, month: int, dimension: str) -> dict[str, set[str]]:
    """`{key: industry codes}` behind the org unit (`ORG_UNIT`) or chief AM (`CHIEF_AM`) rows'
    industry averages (`aggregate_industries`), as `user` may see them: stored with the
    snapshots for who sees everything, from their own groups' rows for everyone else."""
    if sees_everything(user):
        stored = list(
            Snapshot.objects.filter(month=month, dimension=dimension).values_list(
                "key", "industries"
            )
        )
        if all(codes is not None for _key, codes in stored):
            return {key: set(codes.split(";")) for key, codes in stored if codes}
    elif dimension == CHIEF_AM:
        result = {
            name: {industry for industry, _cell in cells if industry}
            for name, cells in _scoped_chief_cells(user, month).items()
        }
        return {name: codes for name, codes in result.items() if codes}
    return aggregate_industries(group_months(user, month), dimension)


def totals(user, month: int) -> Figures:
    """All groups the user may see, as one set (zero sums when none)."""
    return figures(user, month, ALL).get("", Figures())


__all__ = [
    "ALL",
    "CHIEF_AM",
    "DIMENSIONS",
    "INDUSTRY",
    "ORG_UNIT",
    "SEGMENT",
    "SUM_FIELDS",
    "Figures",
    "Sums",
    "aggregate",
    "aggregate_industries",
    "figures",
    "group_months",
    "industries",
    "totals",
]
