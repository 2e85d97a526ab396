"""`gecrm import billing` and `gecrm export billing` (DESIGN.md "Exchange formats": billing).

Billing files are large (5,000,000 rows a month), so rows are never held in Python: each row is
parsed to a compact tuple and pushed in chunks into a temporary staging table on the connection
(COPY on PostgreSQL, executemany on SQLite). Everything else is SQL over that table: unknown
customer and product codes, the importer's data scope, summing duplicate rows into facts,
comparing with the facts in the database (idempotency), and the replace itself
(`actions.do_replace_revenue`).
"""

import hashlib
import re

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils.translation import gettext as _

from gecrm.catalog.models import Product
from gecrm.core.exporting import Exporter, register_exporter
from gecrm.core.importing import Importer, ImportIssue, register
from gecrm.core.months import format_month, parse_month
from gecrm.customers.models import Customer

from . import actions
from .filtersets import RevenueFilterSet
from .models import ImportBatch, Revenue
from .money import from_cents, to_cents

STAGE = "finance_billing_stage"
FACTS = "finance_billing_facts"
KEYS = "finance_billing_keys"
STAGE_CHUNK = 50_000
MAX_ISSUES = 1000
_PLAIN_MONTH = re.compile(r"\d{4}-\d{2}")
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def fast_cents(text: str):
    """The common amounts (`1234`, `-12.5`, `0.05`) without the regex of `to_cents`; anything
    else (thousands separators, `+`, errors) goes through `to_cents`."""
    whole, dot, fraction = text.partition(".")
    digits = whole[1:] if whole[:1] == "-" else whole
    if digits.isdigit() and digits.isascii() and len(digits) < 15 and len(fraction) <= 2:
        if not fraction:
            cents = int(digits) * 100
        elif fraction.isdigit() and fraction.isascii():
            cents = int(digits) * 100 + int(fraction if len(fraction) == 2 else fraction + "0")
        else:
            return to_cents(text)
        return -cents if whole[:1] == "-" else cents
    return to_cents(text)


def _copy_text(value: str) -> str:
    """A value for COPY's text format (backslash, tab and line breaks escaped)."""
    if _COPY_SPECIAL.search(value) is None:
        return value
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


@register
class BillingImporter(Importer):
    kind = "billing"
    columns = ("month", "customer_code", "product_code", "amount")
    required = ("month", "customer_code", "product_code", "amount")
    text_columns = ("customer_code", "product_code")
    # The web page confirms this kind in a background job and shows its progress.
    background = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = 0
        self.issue_count = 0
        self.buffer: list[tuple] = []
        self.months: dict[str, int | str] = {}  # month text → YYYYMM, or the error message
        self.staged = False
        self.facts_ready = False
        self.checksum = ""
        self.scope: actions.ReplaceScope | None = None
        self.batch: ImportBatch | None = None
        self.unchanged_file = False

    # --- issues: the first MAX_ISSUES by row, and how many more there were
    def issue(self, row, column, value, message) -> None:
        self.issue_count += 1
        if len(self.issues) < MAX_ISSUES:
            super().issue(row, column, value, message)

    def sorted_issues(self) -> list[ImportIssue]:
        issues = sorted(self.issues, key=lambda i: (i.row, i.column))[:MAX_ISSUES]
        more = self.issue_count - len(issues)
        if more > 0:
            issues.append(
                ImportIssue(
                    0,
                    "",
                    "",
                    _(
                        "%(more)d more problems are not listed (only the first %(shown)d, by row). "
                        "Fix these and check the file again."
                    )
                    % {"more": more, "shown": len(issues)},
                )
            )
        return issues

    # --- reading
    def prepare(self) -> None:
        with open(self.path, "rb") as f:
            self.checksum = hashlib.file_digest(f, "sha256").hexdigest()
        with connection.cursor() as cursor:
            for table in (STAGE, FACTS, KEYS):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGE} (row_number integer, month integer, "
                "customer_code text, product_code text, amount_cents bigint)"
            )
        self.staged = True

    def month(self, text: str):
        known = self.months.get(text)
        if known is None:
            if _PLAIN_MONTH.fullmatch(text) and 1 <= int(text[5:]) <= 12:
                known = int(text[:4]) * 100 + int(text[5:])
                if known < 190001:
                    known = _("Not a month: use YYYY-MM, e.g. 2024-09.")
            else:
                try:
                    known = parse_month(text)
                except ValueError as exc:
                    known = str(exc)
            if len(self.months) < 10_000:
                self.months[text] = known
        return known

    def parse(self, row, v):
        month_text, customer, product, amount = v
        if month_text and customer and product and amount:  # the common case, fast
            month = self.months.get(month_text)
            if month.__class__ is int:
                try:
                    return (row, month, customer, product, fast_cents(amount))
                except ValueError:
                    pass
        ok = True
        month = None
        if not month_text:
            self.required_issue(row, "month")
            ok = False
        else:
            month = self.month(month_text)
            if isinstance(month, str):
                self.issue(row, "month", month_text, month)
                ok = False
        if not customer:
            self.required_issue(row, "customer_code")
            ok = False
        if not product:
            self.required_issue(row, "product_code")
            ok = False
        cents = None
        if not amount:
            self.required_issue(row, "amount")
            ok = False
        else:
            try:
                cents = fast_cents(amount)
            except ValueError as exc:
                self.issue(row, "amount", amount, exc)
                ok = False
        # Codes are checked against the database by SQL once the file is staged, so a row with
        # a bad amount still gets its unknown codes reported.
        return (row, month if ok else None, customer, product, cents)

    def keep(self, record) -> None:
        self.rows += 1
        self.buffer.append(record)
        if len(self.buffer) >= STAGE_CHUNK:
            self.flush()

    def flush(self) -> None:
        rows, self.buffer = self.buffer, []
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                lines = "".join(
                    f"{r}\t{m if m is not None else chr(92) + 'N'}\t{_copy_text(c)}\t"
                    f"{_copy_text(p)}\t{a if a is not None else chr(92) + 'N'}\n"
                    for r, m, c, p, a in rows
                )
                with cursor.cursor.copy(f"COPY {STAGE} FROM STDIN") as copy:
                    copy.write(lines)
            else:
                cursor.cursor.executemany(f"INSERT INTO {STAGE} VALUES (?, ?, ?, ?, ?)", rows)  # noqa: S608

    # --- checks by SQL over the staged file
    def check(self) -> None:
        self.flush()
        if self.rows == 0:
            self.issue(0, "", "", _("The file has no data rows."))
            return
        customers = connection.ops.quote_name(Customer._meta.db_table)
        products = connection.ops.quote_name(Product._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {STAGE}")
            for column, table, message in (
                ("customer_code", customers, _("Unknown customer code.")),
                ("product_code", products, _("Unknown product code.")),
            ):
                self.sql_issues(
                    cursor,
                    f"SELECT s.row_number, s.{column} FROM {STAGE} s WHERE s.{column} <> '' "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.code = s.{column})",
                    [],
                    column,
                    message,
                )
            scope_sql, scope_params = self.change_scope()
            if scope_sql is not None:
                self.sql_issues(
                    cursor,
                    f"SELECT s.row_number, s.customer_code FROM {STAGE} s "  # noqa: S608
                    f"JOIN {customers} c ON c.code = s.customer_code "
                    f"WHERE c.id NOT IN ({scope_sql})",
                    scope_params,
                    "customer_code",
                    _(
                        "This customer is outside your data scope: you may not import its "
                        "revenue. Remove the row or ask its province's sales controller."
                    ),
                )
        if self.issue_count:
            return
        self.build_facts(scope_sql, scope_params)

    def sql_issues(self, cursor, sql, params, column, message) -> None:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) q", params)  # noqa: S608
        count = cursor.fetchone()[0]
        if not count:
            return
        cursor.execute(f"{sql} ORDER BY s.row_number LIMIT {MAX_ISSUES}", params)
        found = cursor.fetchall()
        for row, value in found:
            super().issue(row, column, value, message)
        self.issue_count += count
        # Keep the first MAX_ISSUES by row across all checks (sorted_issues trims again).
        if len(self.issues) > MAX_ISSUES:
            self.issues = sorted(self.issues, key=lambda i: (i.row, i.column))[:MAX_ISSUES]

    def change_scope(self) -> tuple[str | None, tuple]:
        """The ids of the customers the actor may change, as SQL (None: no limit)."""
        if self.unrestricted:
            return None, ()
        queryset = Customer.objects.restrict(self.actor, "change").order_by().values("pk")
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            return "SELECT -1", ()
        return sql, tuple(params)

    def build_facts(self, scope_sql, scope_params) -> None:
        customers = connection.ops.quote_name(Customer._meta.db_table)
        products = connection.ops.quote_name(Product._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {FACTS} AS "  # noqa: S608
                "SELECT s.month AS month, c.id AS customer_id, p.id AS product_id, "
                "SUM(s.amount_cents) AS amount_cents "
                f"FROM {STAGE} s JOIN {customers} c ON c.code = s.customer_code "
                f"JOIN {products} p ON p.code = s.product_code "
                "GROUP BY s.month, c.id, p.id"
            )
            cursor.execute(f"DROP TABLE {STAGE}")
            cursor.execute(
                f"CREATE UNIQUE INDEX {FACTS}_key ON {FACTS} (month, customer_id, product_id)"
            )
            cursor.execute(f"SELECT DISTINCT month FROM {FACTS} ORDER BY month")  # noqa: S608
            months = [row[0] for row in cursor.fetchall()]
            keys = None
            if self.partial:
                keys = KEYS
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {KEYS} AS "  # noqa: S608
                    f"SELECT DISTINCT month, customer_id FROM {FACTS}"
                )
                cursor.execute(f"CREATE UNIQUE INDEX {KEYS}_key ON {KEYS} (month, customer_id)")
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {FACTS}")
                if keys:
                    cursor.execute(f"ANALYZE {KEYS}")
        self.facts_ready = True
        self.scope = actions.ReplaceScope(
            months=months, keys_table=keys, customer_sql=scope_sql, customer_params=scope_params
        )

    # --- planning and writing
    def plan(self) -> tuple[int, int, int]:
        """Compare the file's facts with the database's, both ways, in SQL."""
        rev = connection.ops.quote_name(Revenue._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), "  # noqa: S608
                "COALESCE(SUM(CASE WHEN r.id IS NULL THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN r.amount_cents = f.amount_cents THEN 1 ELSE 0 END), 0) "
                f"FROM {FACTS} f LEFT JOIN {rev} r ON r.month = f.month "
                "AND r.customer_id = f.customer_id AND r.product_id = f.product_id"
            )
            facts, created, unchanged = (int(v) for v in cursor.fetchone())
        # Every existing fact with a key of the file lies in the replace scope (its customer is
        # in the file, hence in the actor's scope), so the rest of the scope is what goes.
        in_scope = actions.count_in_scope(self.scope)
        self.deleted = in_scope - (facts - created)
        updated = facts - created - unchanged
        self.unchanged_file = not (created or updated or self.deleted)
        return created, updated, unchanged

    def write(self, progress) -> None:
        self.batch = actions.do_replace_revenue(
            facts_table=FACTS,
            scope=self.scope,
            file_name=self.file_name,
            checksum=self.checksum,
            partial=self.partial,
            rows=self.rows,
            actor=self.actor,
            progress=progress,
        )

    def finish(self, result) -> None:
        if self.batch is not None:
            result.extra["batch"] = self.batch.pk
            result.note = _("Import batch #%(id)d covers %(months)s.") % {
                "id": self.batch.pk,
                "months": month_span(self.batch.first_month, self.batch.last_month),
            }
        elif self.unchanged_file and result.dry_run:
            result.note = _("Nothing to change: the database already holds exactly these facts.")
        elif self.unchanged_file:
            result.note = _(
                "Nothing to change: the database already holds exactly these facts; no import "
                "batch was created."
            )

    def close(self) -> None:
        if not self.staged:
            return
        # Outside any transaction the drop is immediate; inside a failed one it would raise.
        if connection.in_atomic_block and connection.needs_rollback:
            return
        with connection.cursor() as cursor:
            for table in (STAGE, FACTS, KEYS):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")


def month_span(first: int, last: int) -> str:
    if first == last:
        return format_month(first)
    return f"{format_month(first)} – {format_month(last)}"


register_exporter(
    Exporter(
        kind="billing",
        model=Revenue,
        columns=BillingImporter.columns,
        filterset_class=RevenueFilterSet,
        fields=("month", "customer__code", "product__code", "amount_cents"),
        order_by=("month", "customer__code", "product__code"),
        text_columns=BillingImporter.text_columns,
        row=lambda r: (format_month(r[0]), r[1], r[2], from_cents(r[3])),
    )
)
