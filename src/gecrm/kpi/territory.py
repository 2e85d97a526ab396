"""The horizontal (属地, by territory) view of the KPIs: the customers owned in an org subtree.

The vertical view (`scorecards`, DESIGN.md "KPI definitions") counts a whole group — the HQ and
every branch — for the org unit of its top-level customer. Horizontally each customer, branch
or not, counts for itself, for the org unit that owns it, with its own segment and industry
(README "KPIs by territory"): a province sees its branches' money, not the HQ's. For a set S of
customers and month M (YTD, PYTD as in DESIGN.md):

- revenue YTD / PYTD = Σ over S of the customers' billing in the window;
- revenue growth = (Σ rev(c, YTD) − Σ rev(c, PYTD)) / Σ rev(c, PYTD), the same customers;
- ICT penetration = |{c: ict_rev(c, YTD) > 0}| / |{c: rev(c, YTD) > 0}|;
- ICT revenue share = Σ ict_rev(c, YTD) / Σ rev(c, YTD).

The figures are `measures.Sums` whose "groups" are customers, so measures, rounding and reports
are shared with the vertical view. Where they come from:

- `customer_sums_sql`: every customer's YTD/PYTD sums from `finance.CustomerMonth` (one
  aggregation per customer id; the engine keeps it as a temporary table for both views);
- `cells_sql`: those sums per (owning org unit, segment, industry) — "cells", a few thousand;
- `engine.compute` stores the month's cells as `TerritoryMonth` rows;
- `figures(user, month, dimension)`: the cells `user` may see added up per dimension (all,
  segment, industry, org unit rolled up the tree), like `scorecards.figures`: the stored rows
  for who sees all money, and for a money scope made of org unit subtrees (limited to a segment
  or industry: sales managers, controllers, industry managers) the stored rows filtered by the
  very same rule, grouped in SQL; any other scope (assigned customers, trees of assignments)
  reads `CustomerMonth` of those customers only, through the (customer, month) index, with the
  same SQL (`scoped_cells_from_rollup`); `cells(user, month)` the cells themselves.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, Sum

from gecrm.access.scopes import NOTHING, VIEW_FINANCIAL, customer_scope, grant_of, subtree_q
from gecrm.core import months as month_utils
from gecrm.customers.models import Customer
from gecrm.finance.models import CustomerMonth

from .measures import Figures, Sums
from .models import TerritoryMonth
from .scorecards import (
    ALL,
    INDUSTRY,
    ORG_UNIT,
    SEGMENT,
    _from_cells,
    _latest_computation,
    roll_up_org_units,
)

DIMENSIONS = (ALL, SEGMENT, INDUSTRY, ORG_UNIT)
# The cell columns, in `Sums` order after the key columns.
CELL_SUMS = (
    "all_customers",
    "customers",
    "ict_customers",
    "revenue_ytd_cents",
    "revenue_pytd_cents",
    "ict_ytd_cents",
)


def customer_sums_sql(vendor: str, *, scan: bool, customers_sql: str = "") -> str:
    """SELECT of every customer's sums in the windows: `customer_id, revenue_ytd, revenue_pytd,
    ict_ytd, ict_pytd` (fen), one row per customer with rollup rows in the windows.

    `scan`: on SQLite read the rollup as a table (the engine reads most of it; through the month
    index it would be a row lookup each). `customers_sql`: a subquery of customer ids to limit
    it to (a scoped read: the rollup's (customer, month) index then serves it).
    Parameters: `customer_sums_params(month)` (then those of `customers_sql`).
    """
    rollup = CustomerMonth._meta.db_table
    plus = "+" if scan and vendor == "sqlite" else ""
    limit = f" AND r.customer_id IN ({customers_sql})" if customers_sql else ""
    return f"""
        SELECT r.customer_id,
               SUM(CASE WHEN r.month BETWEEN %s AND %s THEN r.revenue_cents ELSE 0 END)
                   AS revenue_ytd,
               SUM(CASE WHEN r.month BETWEEN %s AND %s THEN r.revenue_cents ELSE 0 END)
                   AS revenue_pytd,
               SUM(CASE WHEN r.month BETWEEN %s AND %s THEN r.ict_cents ELSE 0 END)
                   AS ict_ytd,
               SUM(CASE WHEN r.month BETWEEN %s AND %s THEN r.ict_cents ELSE 0 END)
                   AS ict_pytd
        FROM {rollup} r
        WHERE {plus}r.month BETWEEN %s AND %s{limit}
        GROUP BY r.customer_id
    """  # noqa: S608 (table names and fixed fragments only; values are parameters)


def customer_sums_params(month: int) -> list:
    """The YTD and PYTD bounds twice (revenue, ICT), then the months from the first of PYTD to
    the last of YTD (one range: the months between the windows add nothing to any sum)."""
    ytd_first, ytd_last = month_utils.ytd(month)
    pytd_first, pytd_last = month_utils.pytd(month)
    periods = [ytd_first, ytd_last, pytd_first, pytd_last]
    return [*periods, *periods, pytd_first, ytd_last]


def cells_sql(source: str) -> str:
    """SELECT of the cells — `org_unit_id, segment, industry` and the `CELL_SUMS` — from the
    per-customer sums `source` (a table name or a parenthesised subquery)."""
    customer = Customer._meta.db_table
    return f"""
        SELECT c.org_unit_id, c.segment, c.industry,
               COUNT(*),
               SUM(CASE WHEN s.revenue_ytd > 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN s.ict_ytd > 0 THEN 1 ELSE 0 END),
               SUM(s.revenue_ytd), SUM(s.revenue_pytd), SUM(s.ict_ytd)
        FROM {source} s
        JOIN {customer} c ON c.id = s.customer_id
        GROUP BY c.org_unit_id, c.segment, c.industry
    """  # noqa: S608 (table names and fixed fragments only)


def store_sql(source: str) -> str:
    """The engine's INSERT of a month's `TerritoryMonth` rows (parameter: the month)."""
    columns = ", ".join(("month", "org_unit_id", "segment", "industry", *CELL_SUMS))
    body = cells_sql(source).replace("SELECT c.org_unit_id", "SELECT %s, c.org_unit_id", 1)
    return f"INSERT INTO {TerritoryMonth._meta.db_table} ({columns}) {body}"


Cell = tuple[int, str, str, Figures]


def _cell(row) -> Cell:
    unit_id, segment, industry, *sums = row
    return (unit_id, segment, industry, Figures(Sums(*(int(v or 0) for v in sums))))


def _stored(month: int, q: Q | None = None) -> list[Cell]:
    queryset = TerritoryMonth.objects.filter(month=month)
    if q is not None:
        queryset = queryset.filter(q)
    rows = queryset.values_list("org_unit_id", "segment", "industry", *CELL_SUMS)
    return [_cell(row) for row in rows]


# The lookups of a money scope that `TerritoryMonth` rows answer as customers would: the rule's
# org unit subtrees and its segment / industry limits (`access.scopes._unit_q`, `_industry_q`).
_CELL_LOOKUPS = {"org_unit_id__in", "segment", "industry"}


def _answered_by_cells(q) -> bool:
    """Is the money scope `q` (a `Q` on customers) made only of lookups the cells carry?"""
    for child in q.children:
        if isinstance(child, Q):
            if not _answered_by_cells(child):
                return False
            continue
        lookup, value = child
        if lookup == "pk__in" and isinstance(value, list | tuple) and not value:  # `NOTHING`
            continue
        if lookup not in _CELL_LOOKUPS:
            return False
    return True


def _source(user):
    """Where `user`'s horizontal figures come from: `("stored", q)` — the stored cells, all
    (`q` None) or filtered by the money rule `q` —, `("rollup", scope)`, or None (no money)."""
    if user is None:
        return ("stored", None)
    scope = customer_scope(user, VIEW_FINANCIAL, vendor=connection.vendor)
    if scope is None:
        return ("stored", None)
    if scope is NOTHING:
        return None
    if _answered_by_cells(scope):
        return ("stored", scope)
    return ("rollup", scope)


def scoped_cells_from_rollup(scope: Q, month: int) -> list[Cell]:
    """The cells of the customers matching `scope`, read from the rollup now (set-based: one
    statement; the customers by the scope's indexes, their months by the (customer, month)
    index)."""
    vendor = connection.vendor
    ids = Customer._base_manager.filter(scope).order_by().values("pk").query
    customers_sql, customers_params = ids.get_compiler(connection=connection).as_sql()
    source = f"({customer_sums_sql(vendor, scan=False, customers_sql=customers_sql)})"
    with connection.cursor() as cursor:
        cursor.execute(cells_sql(source), [*customer_sums_params(month), *customers_params])
        return [_cell(row) for row in cursor.fetchall()]


def cells(user, month: int) -> list[Cell]:
    """(org unit id, segment, industry, Figures) of the customers whose money `user` may see
    (`user=None`: everything)."""
    source = _source(user)
    if source is None:
        return []
    kind, q = source
    return _stored(month, q) if kind == "stored" else scoped_cells_from_rollup(q, month)


_SUMS = {name: Sum(name) for name in CELL_SUMS}
_GROUPED_BY = {SEGMENT: "segment", INDUSTRY: "industry", ORG_UNIT: "org_unit_id"}


def _stored_figures(month: int, q, dimension: str) -> dict:
    """`_from_cells(_stored(month, q), dimension)`, grouped in SQL (the stored cells of who
    sees everything are thousands; the page asks for three dimensions)."""
    queryset = TerritoryMonth.objects.filter(month=month)
    if q is not None:
        queryset = queryset.filter(q)

    def figures_of(row) -> Figures:
        return Figures(Sums(*(int(row[name] or 0) for name in CELL_SUMS)))

    if dimension == ALL:
        row = queryset.aggregate(**_SUMS)
        return {"": figures_of(row)} if row["all_customers"] else {}
    field = _GROUPED_BY[dimension]
    if dimension == INDUSTRY:
        queryset = queryset.exclude(industry="")
    rows = queryset.order_by().values(field).annotate(**_SUMS)
    by_key = {row[field]: figures_of(row) for row in rows}
    return roll_up_org_units(by_key) if dimension == ORG_UNIT else by_key


def figures(user, month: int, dimension: str) -> dict:
    """`{key: Figures}` of the horizontal view (keys as `scorecards.figures`: "" for all, the
    segment or industry code — customers without an industry left out —, the org unit code with
    the customers owned anywhere in its subtree). Only `Figures.all` is set: "covered" is a
    property of groups. The rollup path's cells are kept with the user's grant for the month's
    latest computation (a page asks for several dimensions of the same customers)."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    source = _source(user)
    if source is None:
        return {}
    kind, q = source
    if kind == "stored":
        stored = _stored_figures(month, q, dimension)
        if stored or TerritoryMonth.objects.filter(month=month).exists():
            return stored
        # A month computed before the territory rows existed: read the rollup (correct, slower
        # for many customers) until `gecrm kpi compute` stores them.
        return _from_cells(scoped_cells_from_rollup(q or Q(), month), dimension)
    memo = grant_of(user).memo
    key = ("kpi.territory", month, _latest_computation(month))
    if key not in memo:
        memo[key] = scoped_cells_from_rollup(q, month)
    return _from_cells(memo[key], dimension)


def subtree_totals(user, month: int, path: str) -> Sums:
    """The customers of the customer subtree at `path` (a group: `/C001/`) whose money `user`
    may see, as one set of the horizontal view — a province's part of a group whose head is not
    theirs. One statement over the subtree's customers (path index) and their rollup rows."""
    vendor = connection.vendor
    scope = customer_scope(user, VIEW_FINANCIAL, vendor=vendor)
    if scope is NOTHING:
        return Sums()
    q = subtree_q("path", path, vendor)
    if scope is not None:
        q &= scope
    total = Sums()
    for _unit, _segment, _industry, cell in scoped_cells_from_rollup(q, month):
        total = total + cell.all
    return total


def totals(user, month: int) -> Figures:
    return figures(user, month, ALL).get("", Figures())
