"""The KPI engine: `compute(month)` turns the customer-month rollup into the month's snapshots.

One transaction:
1. a) sum YTD/PYTD revenue and ICT revenue of every customer from `finance.CustomerMonth` into
   a temporary table (`customer_sums_table_sql`), then per group (`group_sums_sql`; set-based,
   no Python loop over facts). A member's group is resolved from its materialised `path` at
   compute time (the first code of the path), so a re-parent changes the figures from the next
   computation on;
   b) delete the month's `GroupMonth` rows and write one row per top-level customer with one
   `INSERT … SELECT` (`group_month_sql`): segment, industry and org unit of the top customer;
   the chief AM active on the month's last day (lowest user id if several) and `covered`; the
   sums of a);
2. replace the month's `Snapshot` rows for every dimension (all, segment, industry, org unit
   rolled up the tree, chief AM) with `scorecards.aggregate` — GROUP BY in SQL over the month's
   `GroupMonth` rows — and, for org units and chief AMs, the industries their industry average
   is over (`scorecards.aggregate_industries`), so that the reports of who sees everything read
   stored rows only;
3. record a `Computation`.

The SQL is portable (SQLite and PostgreSQL); the one vendor branch is the string search
(`INSTR` / `STRPOS`). On PostgreSQL the month is locked with a transaction advisory lock so that
two computations of the same month (an import and an assignment change at once) run one after
the other instead of failing on the unique constraint.
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from gecrm.accounts.models import Assignment
from gecrm.core import months as month_utils
from gecrm.customers.models import Customer
from gecrm.finance.models import CustomerMonth

from .models import Computation, GroupMonth, Snapshot, TerritoryMonth
from .scorecards import CHIEF_AM, DIMENSIONS, ORG_UNIT, aggregate, aggregate_industries
from .territory import customer_sums_params, customer_sums_sql, store_sql

CHIEF_AM_ROLE = "chief_am"
# Dimensions whose snapshots also store the industries behind their industry average.
INDUSTRY_DIMENSIONS = (ORG_UNIT, CHIEF_AM)
# Arbitrary namespace for pg_advisory_xact_lock(namespace, month).
_LOCK_NAMESPACE = 4_004


def _group_code_sql(vendor: str, path: str) -> str:
    """The code of the top-level customer of a member whose path is `path` (`/TOP/…/`)."""
    find = "STRPOS" if vendor == "postgresql" else "INSTR"
    return f"SUBSTR({path}, 2, {find}(SUBSTR({path}, 2), '/') - 1)"


# The per-customer and per-group sums of step 1a, temporary tables of the computing connection
# (dropped again before the transaction ends).
CUSTOMER_SUMS = "kpi_customer_sums"
GROUP_SUMS = "kpi_group_sums"


def customer_sums_table_sql(vendor: str) -> str:
    """The CREATE TEMPORARY TABLE … AS SELECT of every customer's YTD/PYTD revenue and ICT sums
    (`territory.customer_sums_sql`: the rollup's rows of both windows per customer id, the big
    aggregation). A statement of its own (not a subquery of an INSERT) so that PostgreSQL may
    run it with parallel workers, which it never does for an INSERT … SELECT. Both views read
    it: the groups (`group_sums_sql`) and the territory cells (`territory.store_sql`).

    Parameters: `territory.customer_sums_params(month)`.
    """
    return f"CREATE TEMPORARY TABLE {CUSTOMER_SUMS} AS {customer_sums_sql(vendor, scan=True)}"


def group_sums_sql(vendor: str) -> str:
    """The CREATE TEMPORARY TABLE … AS SELECT of every group's YTD/PYTD revenue and ICT sums,
    from the customers' sums: a member's group code is computed once per customer, not once per
    customer-month. No parameters.
    """
    customer = Customer._meta.db_table
    group_code = _group_code_sql(vendor, "m.path")
    return f"""
        CREATE TEMPORARY TABLE {GROUP_SUMS} AS
        SELECT t.id AS group_id,
               SUM(s.revenue_ytd) AS revenue_ytd, SUM(s.revenue_pytd) AS revenue_pytd,
               SUM(s.ict_ytd) AS ict_ytd, SUM(s.ict_pytd) AS ict_pytd
        FROM {CUSTOMER_SUMS} s
        JOIN {customer} m ON m.id = s.customer_id
        JOIN {customer} t ON t.code = {group_code}
        GROUP BY t.id
    """  # noqa: S608 (table names and fixed fragments only)


def group_month_sql(vendor: str) -> str:
    """The INSERT … SELECT writing a month's `GroupMonth` rows from the group sums.

    In group order: the (month, group) unique index (and its check against the month's rows
    just deleted) is then written left to right — three times faster on PostgreSQL than in the
    hash join's order at 100k groups.

    Parameters (`_group_month_params`): month, role, last day twice.
    """
    q = connection.ops.quote_name
    group_month = GroupMonth._meta.db_table
    customer = Customer._meta.db_table
    assignment = Assignment._meta.db_table
    true = "TRUE" if vendor == "postgresql" else "1"
    false = "FALSE" if vendor == "postgresql" else "0"
    return f"""
        INSERT INTO {group_month} (
            month, group_id, segment, industry, org_unit_id, chief_am_id, covered,
            revenue_ytd_cents, revenue_pytd_cents, ict_ytd_cents, ict_pytd_cents
        )
        SELECT %s, g.id, g.segment, g.industry, g.org_unit_id, c.user_id,
               CASE WHEN c.user_id IS NULL THEN {false} ELSE {true} END,
               COALESCE(f.revenue_ytd, 0), COALESCE(f.revenue_pytd, 0),
               COALESCE(f.ict_ytd, 0), COALESCE(f.ict_pytd, 0)
        FROM {customer} g
        LEFT JOIN (
            SELECT a.customer_id, MIN(a.user_id) AS user_id
            FROM {assignment} a
            WHERE a.role = %s AND a.start <= %s AND (a.{q("end")} IS NULL OR a.{q("end")} >= %s)
            GROUP BY a.customer_id
        ) c ON c.customer_id = g.id
        LEFT JOIN {GROUP_SUMS} f ON f.group_id = g.id
        WHERE g.parent_id IS NULL
        ORDER BY g.id
    """  # noqa: S608 (table names and fixed fragments only; values are parameters)


def _group_month_params(month: int) -> list:
    last_day = connection.ops.adapt_datefield_value(month_utils.last_day(month))
    return [month, CHIEF_AM_ROLE, last_day, last_day]


def _has_statistics(cursor, table: str) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return False
    cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
    return cursor.fetchone() is not None


def compute(month: int, reason: str = "") -> Computation:
    """Compute and store the KPI snapshots of `month` (YYYYMM); returns the `Computation`.

    Replaces whatever was stored for the month, in one transaction (readers see the old
    snapshots until it commits). `reason` says why ("cli", "billing import", …).
    """
    month_utils.parse_month(str(month))  # a real month, or ValueError
    started = time.monotonic()
    vendor = connection.vendor
    with transaction.atomic():
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, month])
                # The aggregation hashes every customer of the month: give it memory. JIT
                # compiling the expressions costs more than it saves at a few million rows.
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"DROP TABLE IF EXISTS {GROUP_SUMS}")
            cursor.execute(f"DROP TABLE IF EXISTS {CUSTOMER_SUMS}")
            cursor.execute(customer_sums_table_sql(vendor), customer_sums_params(month))
            cursor.execute(group_sums_sql(vendor))
            GroupMonth.objects.filter(month=month).delete()
            cursor.execute(group_month_sql(vendor), _group_month_params(month))
            groups = cursor.rowcount
            TerritoryMonth.objects.filter(month=month).delete()
            cursor.execute(store_sql(CUSTOMER_SUMS), [month])
            cursor.execute(f"DROP TABLE {GROUP_SUMS}")
            cursor.execute(f"DROP TABLE {CUSTOMER_SUMS}")
            if vendor == "sqlite" and not _has_statistics(cursor, GroupMonth._meta.db_table):
                # Without statistics SQLite reads a scoped user's groups through the (month,
                # industry) index, i.e. all of the month's rows. Every month has the same shape,
                # so the first computation's statistics serve the later ones.
                cursor.execute(f"ANALYZE {GroupMonth._meta.db_table}")
        Snapshot.objects.filter(month=month).delete()
        month_rows = GroupMonth.objects.filter(month=month)
        now = timezone.now()
        snapshots = []
        for dimension in DIMENSIONS:
            industries = None
            if dimension in INDUSTRY_DIMENSIONS:
                industries = aggregate_industries(month_rows, dimension)
            for key, figures in aggregate(month_rows, dimension).items():
                snapshots.append(
                    Snapshot(
                        month=month, dimension=dimension, key=key, computed_at=now,
                        industries=None if industries is None
                        else ";".join(sorted(industries.get(key, ()))),
                        **figures.as_columns(),
                    )
                )  # fmt: skip
        Snapshot.objects.bulk_create(snapshots, batch_size=2000)
        if groups is None or groups < 0:
            groups = month_rows.count()
        return Computation.objects.create(
            month=month,
            duration_ms=int((time.monotonic() - started) * 1000),
            groups=groups,
            reason=reason[:40],
        )


def computed_months() -> list[int]:
    """Every month computed at least once, ascending."""
    return list(Computation.objects.order_by("month").values_list("month", flat=True).distinct())


def latest_month() -> int | None:
    """The latest computed month, or None when nothing was computed yet."""
    return Computation.objects.order_by("-month").values_list("month", flat=True).first()


def is_computed(month: int) -> bool:
    return Computation.objects.filter(month=month).exists()


def months_with_facts() -> list[int]:
    """Every month that has revenue in the rollup, ascending (for `gecrm kpi compute --all`)."""
    return list(CustomerMonth.objects.order_by("month").values_list("month", flat=True).distinct())
