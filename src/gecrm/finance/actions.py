"""Every write of revenue data: imports, rollbacks and the customer-month rollup."""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gecrm.catalog.models import Product
from gecrm.core.changes import diff, log_change, snapshot
from gecrm.core.models import ObjectChange
from gecrm.customers.models import Customer

from .models import BatchMonth, CustomerMonth, ImportBatch, ReplacedRevenue, Revenue
from .signals import revenue_changed


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


# ------------------------------------------------------------------------------ billing imports


class BillingError(Exception):
    """A billing write refused (stale or blocked rollback); the message says why and what next."""


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _send_on_commit(sender, months) -> None:
    months = set(months)
    if months:
        transaction.on_commit(lambda: revenue_changed.send(sender=sender, months=months))


@dataclass
class ReplaceScope:
    """Which facts an import replaces, as a SQL condition on the revenue table (named in full,
    not aliased: SQLite's DELETE takes no alias).

    `months`: the file's months. `keys_table`: with `--partial`, a table of the file's
    (month, customer_id) pairs — only those customers' facts of each month are replaced.
    `customer_sql`/`customer_params`: with a scoped actor, a subquery of the customer ids the
    actor may change — facts of other customers are never touched.
    """

    months: list[int]
    keys_table: str | None = None
    customer_sql: str | None = None
    customer_params: tuple = ()

    def where(self, model=Revenue) -> tuple[str, list]:
        """The condition on `model`'s table (the facts, or the rollup: both have `month` and
        `customer_id`, and the scope takes or leaves a customer's month whole)."""
        rev = _table(model)
        marks = ", ".join(str(int(m)) for m in self.months)
        parts = [f"{rev}.month IN ({marks})"]
        params: list = []
        if self.keys_table:
            parts.append(
                f"EXISTS (SELECT 1 FROM {self.keys_table} k "  # noqa: S608 - our temp table
                f"WHERE k.month = {rev}.month AND k.customer_id = {rev}.customer_id)"
            )
        if self.customer_sql is not None:
            parts.append(f"{rev}.customer_id IN ({self.customer_sql})")
            params.extend(self.customer_params)
        return " AND ".join(parts), params


def _lock_references(cursor, facts_table: str) -> None:
    """Check the facts' customers and products once each instead of a foreign key per row.

    The rows are locked as a foreign key check would lock them (PostgreSQL: FOR KEY SHARE; SQLite
    already holds the write lock), so none can go before the import commits; one deleted since
    the file was checked fails the import (IntegrityError: nothing written, run it again).
    """
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    for column, model in (("customer_id", Customer), ("product_id", Product)):
        cursor.execute(f"SELECT COUNT(DISTINCT {column}) FROM {facts_table}")  # noqa: S608
        wanted = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {_table(model)} "  # noqa: S608
            f"WHERE id IN (SELECT {column} FROM {facts_table}){lock}) q"
        )
        if cursor.fetchone()[0] != wanted:
            raise IntegrityError(f"a {model._meta.model_name} of the file was deleted meanwhile")


def count_in_scope(scope: ReplaceScope) -> int:
    return sum(count_in_scope_by_month(scope).values())


def count_in_scope_by_month(scope: ReplaceScope) -> dict[int, int]:
    """The facts an import of `scope` replaces, by month (months without facts are absent)."""
    where, params = scope.where()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT month, COUNT(*) FROM {_table(Revenue)} WHERE {where} GROUP BY month",  # noqa: S608
            params,
        )
        return {int(month): count for month, count in cursor.fetchall()}


def do_replace_revenue(
    *,
    facts_table: str,
    scope: ReplaceScope,
    file_name: str,
    checksum: str,
    partial: bool,
    rows: int,
    actor,
    progress=None,
) -> ImportBatch:
    """Replace the facts of `scope` with those of `facts_table` (month, customer_id, product_id,
    amount_cents) as a new import batch.

    One transaction, set-based: the replaced facts move to `ReplacedRevenue` (for rollback), the
    new ones are inserted with the batch, the scope's rollup is rebuilt from the file's facts,
    the batch is logged, and `revenue_changed` goes out once the transaction has committed.
    """
    rev, replaced_table = _table(Revenue), _table(ReplacedRevenue)
    months = sorted(scope.months)
    where, params = scope.where()

    def step(fraction):
        if progress:
            progress("write", fraction, rows)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM {facts_table}"  # noqa: S608
            )
            fact_count, total = cursor.fetchone()
        batch = ImportBatch.objects.create(
            file_name=file_name[:255],
            checksum=checksum,
            partial=partial,
            rows=rows,
            facts=fact_count,
            total_cents=int(total),
            first_month=months[0],
            last_month=months[-1],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        BatchMonth.objects.bulk_create([BatchMonth(batch=batch, month=m) for m in months])
        step(0.05)
        columns = "month, customer_id, product_id, amount_cents"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One pass: the deleted rows feed the insert.
                cursor.execute(
                    f"WITH gone AS (DELETE FROM {rev} WHERE {where} "  # noqa: S608
                    f"RETURNING batch_id, {columns}) "
                    f"INSERT INTO {replaced_table} (batch_id, source_batch_id, {columns}) "
                    f"SELECT %s, batch_id, {columns} FROM gone",
                    [*params, batch.pk],
                )
                replaced = cursor.rowcount
            else:
                cursor.execute(
                    f"INSERT INTO {replaced_table} (batch_id, source_batch_id, {columns}) "  # noqa: S608
                    f"SELECT %s, batch_id, {columns} FROM {rev} WHERE {where}",
                    [batch.pk, *params],
                )
                replaced = cursor.rowcount
                cursor.execute(f"DELETE FROM {rev} WHERE {where}", params)  # noqa: S608
            step(0.35)
            _lock_references(cursor, facts_table)
            # In the order of the unique index (and, within a month, of the customer index).
            cursor.execute(
                f"INSERT INTO {rev} ({columns}, batch_id) "  # noqa: S608
                f"SELECT {columns}, %s FROM {facts_table} ORDER BY month, customer_id, product_id",
                [batch.pk],
            )
            step(0.8)
            # The scope's customer-months now hold exactly the file's facts: their rollup comes
            # from the file's facts, without reading back the facts just written.
            rollup = _table(CustomerMonth)
            where, params = scope.where(CustomerMonth)
            cursor.execute(f"DELETE FROM {rollup} WHERE {where}", params)  # noqa: S608
            cursor.execute(
                f"INSERT INTO {rollup} (customer_id, month, revenue_cents, ict_cents) "  # noqa: S608
                "SELECT f.customer_id, f.month, SUM(f.amount_cents), "
                "SUM(CASE WHEN p.is_ict THEN f.amount_cents ELSE 0 END) "
                f"FROM {facts_table} f JOIN {_table(Product)} p ON p.id = f.product_id "
                "GROUP BY f.customer_id, f.month"
            )
        ImportBatch.objects.filter(pk=batch.pk).update(replaced=replaced)
        batch.replaced = replaced
        step(0.95)
        log_change(
            batch, ObjectChange.Action.CREATE, diff({}, snapshot(batch)), actor=actor,
            source="import",
        )  # fmt: skip
        _send_on_commit(ImportBatch, months)
    step(1.0)
    return batch


def batch_months(batch) -> list[int]:
    return list(batch.month_rows.order_by("month").values_list("month", flat=True))


def blocking_batch(batch) -> ImportBatch | None:
    """The first later active batch that touched one of `batch`'s months (None: none did)."""
    return (
        ImportBatch.objects.filter(
            status=ImportBatch.Status.ACTIVE,
            pk__gt=batch.pk,
            month_rows__month__in=BatchMonth.objects.filter(batch=batch).values("month"),
        )
        .order_by("pk")
        .first()
    )


def rollback_batch(batch: ImportBatch, actor) -> ImportBatch:
    """Undo an import: its facts go, the facts it replaced come back, the rollup of its months is
    rebuilt. Refused (BillingError, nothing changed) when the batch is no longer active or a
    later active batch touched one of its months (roll that one back first)."""
    rev, replaced_table = _table(Revenue), _table(ReplacedRevenue)
    columns = "month, customer_id, product_id, amount_cents"
    with transaction.atomic():
        # Lock the batch row (PostgreSQL; SQLite already holds the write lock) and re-read it.
        current = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
        if current is None:
            raise BillingError(_("This import batch no longer exists."))
        if current.status != ImportBatch.Status.ACTIVE:
            raise BillingError(
                _("Import batch #%(id)s was already rolled back; nothing was changed.")
                % {"id": current.pk}
            )
        later = blocking_batch(current)
        if later is not None:
            raise BillingError(
                _(
                    "Import batch #%(later)s (%(file)s) changed the same months later; roll it "
                    "back first. Nothing was changed."
                )
                % {"later": later.pk, "file": later.file_name}
            )
        months = batch_months(current)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {rev} WHERE batch_id = %s", [current.pk])  # noqa: S608
            removed = cursor.rowcount
            cursor.execute(
                f"INSERT INTO {rev} ({columns}, batch_id) "  # noqa: S608
                f"SELECT {columns}, source_batch_id FROM {replaced_table} WHERE batch_id = %s",
                [current.pk],
            )
            restored = cursor.rowcount
            cursor.execute(f"DELETE FROM {replaced_table} WHERE batch_id = %s", [current.pk])  # noqa: S608
        now = timezone.now()
        updated = ImportBatch.objects.filter(
            pk=current.pk, status=ImportBatch.Status.ACTIVE
        ).update(
            status=ImportBatch.Status.ROLLED_BACK,
            rolled_back_at=now,
            rolled_back_by=actor if getattr(actor, "pk", None) else None,
        )
        if updated != 1:  # cannot happen under the lock; never write half a rollback
            raise BillingError(_("The import batch changed meanwhile; nothing was changed."))
        rebuild_rollup(months)
        current.refresh_from_db()
        log_change(
            current,
            ObjectChange.Action.UPDATE,
            {
                "status": [ImportBatch.Status.ACTIVE, ImportBatch.Status.ROLLED_BACK],
                "facts_removed": [removed, 0],
                "facts_restored": [0, restored],
            },
            actor=actor,
            source="rollback",
        )
        _send_on_commit(ImportBatch, months)
    return current


def product_ict_changed() -> None:
    """A product's ICT flag changed: every month's ICT revenue may differ. Rebuild the whole
    rollup in the caller's transaction and announce every month with facts on commit."""
    with transaction.atomic():
        rebuild_rollup(None)
        months = set(Revenue.objects.order_by().values_list("month", flat=True).distinct())
        _send_on_commit(Product, months)
