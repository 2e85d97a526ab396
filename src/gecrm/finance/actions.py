"""Every write of revenue data: imports, rollbacks and the customer-month rollup."""

from django.db import connection, transaction

from .models import CustomerMonth, Revenue


def rebuild_rollup(months=None) -> None:
    """Rebuild `CustomerMonth` from the facts for `months` (YYYYMM ints; None: every month).

    Two set-based statements; the caller's transaction (if any) makes them atomic.
    """
    rollup = CustomerMonth._meta.db_table
    facts = Revenue._meta.db_table
    where, params = "", []
    if months is not None:
        months = sorted(set(months))
        if not months:
            return
        marks = ", ".join(["%s"] * len(months))
        where, params = f" WHERE f.month IN ({marks})", months
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_delete(rollup, months))
        cursor.execute(
            f"INSERT INTO {rollup} (customer_id, month, revenue_cents, ict_cents) "  # noqa: S608
            "SELECT f.customer_id, f.month, SUM(f.amount_cents), "
            "SUM(CASE WHEN p.is_ict THEN f.amount_cents ELSE 0 END) "
            f"FROM {facts} f JOIN catalog_product p ON p.id = f.product_id{where} "
            "GROUP BY f.customer_id, f.month",
            params,
        )


def _delete(table: str, months) -> str:
    if months is None:
        return f"DELETE FROM {table}"  # noqa: S608
    return f"DELETE FROM {table} WHERE month IN ({', '.join(str(int(m)) for m in months)})"  # noqa: S608
