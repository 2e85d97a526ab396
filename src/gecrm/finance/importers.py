r"""`gecrm import billing` and `gecrm export billing` (DESIGN.md "Exchange formats": billing).

Billing files are large (5,000,000 rows a month), so rows are never held in Python. They end up
in a temporary staging table on the connection, `(row_number, month, customer_code,
product_code, amount_cents)`, by one of two routes:

- PostgreSQL and CSV (`load`): the file's bytes go straight into a table of text cells with one
  `COPY … (FORMAT csv)`; SQL converts the plain cells (`2024-09`, `C1`, `-1234.5`: nothing to
  trim or unescape) into the staging table. The few rows it leaves unconverted (white space
  around a cell, other month or amount spellings, blanks, errors) are read back, cleaned as the
  Python reader cleans cells and given to `parse`, so every rule and message stays in one place. A file PostgreSQL reads differently from Python's `csv`
  (ragged or blank lines, bad UTF-8, quotes inside unquoted cells, a `\.` line) makes the COPY
  fail or be refused, and the file is read row by row instead.
- otherwise (SQLite, .xlsx): each row is parsed in Python to a compact tuple and pushed in chunks
  (COPY on PostgreSQL, executemany on SQLite).

Everything else is SQL over the staging table: unknown customer and product codes, the
importer's data scope, summing duplicate rows into facts, comparing with the facts in the
database (idempotency), and the replace itself (`actions.do_replace_revenue`).
"""

import hashlib
import logging
import re

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gecrm.catalog.importers import product_columns
from gecrm.catalog.models import Product
from gecrm.core.exporting import Exporter, ReportColumn, register_exporter
from gecrm.core.importing import Importer, ImportIssue, register
from gecrm.core.months import format_month, parse_month
from gecrm.core.spreadsheets import clean_cell
from gecrm.core.validation import has_control_bytes
from gecrm.customers.importers import customer_columns
from gecrm.customers.models import Customer

from . import actions
from .filtersets import RevenueFilterSet
from .models import ImportBatch, Revenue
from .money import MAX_CENTS, from_cents, to_cents

RAW = "finance_billing_raw"
STAGE = "finance_billing_stage"
FIX = "finance_billing_fix"
FACTS = "finance_billing_facts"
KEYS = "finance_billing_keys"
STAGE_CHUNK = 50_000
WORK_MEM = "256MB"
TEMP_BUFFERS = "1GB"
MAX_ISSUES = 1000
_PLAIN_MONTH = re.compile(r"\d{4}-\d{2}")
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
COPY_CHUNK = 1 << 20
BOM = b"\xef\xbb\xbf"
# A quote with neither a separator nor a quote on either side: inside an unquoted cell, where
# Python's csv keeps it as text and PostgreSQL starts a quoted part. Valid CSV has none.
_MIDCELL_QUOTE = re.compile(rb'[^,\r\n"]"[^,\r\n"]')
# What `str.strip()` removes (Python's white space): a cell starting or ending with one of these
# (or starting with the apostrophe of our formula escape) is cleaned by Python, not SQL.
WHITESPACE = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_UNCLEAN_FIRST = ", ".join(str(ord(c)) for c in WHITESPACE + "'")
_UNCLEAN_LAST = ", ".join(str(ord(c)) for c in WHITESPACE)

logger = logging.getLogger(__name__)


def _plain_cell(cell: str) -> str:
    """SQL: the cell if it needs no cleaning (not blank, no white space around it, no formula
    escape: the common case), else NULL — Python cleans it (`clean_cell`)."""
    return (
        f"CASE WHEN ascii({cell}) NOT IN (0, {_UNCLEAN_FIRST}) "
        f"AND ascii(right({cell}, 1)) NOT IN ({_UNCLEAN_LAST}) THEN {cell} END"
    )


def _plain_cents(cell: str) -> str:
    """SQL: the cents of a plain amount (`1234`, `-12.5`, `0.05`: as `fast_cents`), else NULL —
    Python converts or rejects it (`to_cents`). Cheap string functions, no regular expression."""
    return (
        f"CASE WHEN translate({cell}, '0123456789', '') IN ('', '.', '-', '-.') "
        f"AND position('-' in {cell}) <= 1 AND ascii(ltrim({cell}, '-')) BETWEEN 48 AND 57 "
        f"AND (position('.' in {cell}) = 0 OR length({cell}) - position('.' in {cell}) <= 2) "
        f"AND length({cell}) <= 16 THEN ({cell}::numeric * 100)::bigint END"
    )


class _NotForCopy(Exception):
    """The file is CSV that PostgreSQL's COPY would read differently from Python's csv."""


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
    chinese_headers = {
        "month": "月份", "customer_code": "客户编码", "product_code": "产品编码", "amount": "金额",
    }  # fmt: skip
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
        if connection.vendor == "postgresql":
            self.tune_session()
        with connection.cursor() as cursor:
            for table in (RAW, STAGE, FIX, FACTS, KEYS):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGE} (row_number integer, month integer, "
                "customer_code text, product_code text, amount_cents bigint)"
            )
        self.staged = True

    def tune_session(self) -> None:
        """PostgreSQL's defaults suit small queries: millions of rows are summed and compared by
        hash in memory (work_mem, back to the default in `close`), and the temporary tables stay
        in the session's buffers (temp_buffers: settable only before the session's first
        temporary table, so a long-lived connection keeps what its first import set)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SET work_mem = '{WORK_MEM}'")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
        except DatabaseError:
            pass

    def month(self, text: str):
        known = self.months.get(text)
        if known is None:
            if _PLAIN_MONTH.fullmatch(text) and 1 <= int(text[5:]) <= 12:
                known = int(text[:4]) * 100 + int(text[5:])
                if not 190001 <= known <= 299912:  # as `parse_month`
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

    # --- PostgreSQL: the CSV's bytes into the database with one COPY, converted by SQL
    def load(self, reader, positions, progress):
        if connection.vendor != "postgresql" or reader.format != "csv":
            return None
        cells = [f"c{i}" for i in range(len(reader.header))]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
            # COPY fills the rows in file order, so the identity numbers the file's CSV records
            # as the Python reader does (the header is record 1).
            columns = ", ".join(f"{c} text" for c in cells)
            cursor.execute(
                f"CREATE TEMPORARY TABLE {RAW} "
                f"(row_number integer GENERATED ALWAYS AS IDENTITY, {columns})"
            )
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                self.copy_file(cursor, cells, reader.size, progress)
        except (DatabaseError, connection.Database.Error, _NotForCopy) as exc:
            logger.info("billing file %s read row by row: %s", self.file_name, exc)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {RAW}")
            return None  # the row-by-row reader reports what is wrong with the file, if anything
        reader.close()
        with transaction.atomic():
            total = self.convert(cells, positions)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {RAW}")
        self.rows = total
        if progress:
            progress("validate", 1.0, total)
        return total

    def copy_file(self, cursor, cells, size, progress) -> None:
        digest = hashlib.sha256()
        done = lines = 0
        tail = b""
        with (
            open(self.path, "rb") as f,
            cursor.cursor.copy(f"COPY {RAW} ({', '.join(cells)}) FROM STDIN (FORMAT csv)") as copy,
        ):
            while chunk := f.read(COPY_CHUNK):
                digest.update(chunk)
                data = chunk[3:] if not done and chunk.startswith(BOM) else chunk
                window = tail + data
                if b"\\." in window:
                    raise _NotForCopy("a \\. line (end of data for COPY)")
                if b'"' in data and _MIDCELL_QUOTE.search(window):
                    raise _NotForCopy("a quote inside an unquoted cell")
                if has_control_bytes(data):
                    # NUL would fail the COPY, the others would slip past the SQL checks: the
                    # row-by-row reader reports each on its row and column.
                    raise _NotForCopy("a control character")
                tail = data[-2:]
                copy.write(data)
                done += len(chunk)
                lines += data.count(b"\n")
                if progress:
                    progress("validate", 0.9 * done / (size or 1), max(lines - 1, 0))
        self.checksum = digest.hexdigest()

    def convert(self, cells: list[str], positions: list[int]) -> int:
        """Fill the staging table from the raw cells. SQL converts the plain cells; the rows with
        any other cell go to `parse` (`parse_leftovers`). Returns the number of data rows."""
        month, customer, product, amount = (cells[p] for p in positions)
        with connection.cursor() as cursor:
            # The file's month spellings are few: Python decides each once (`month`).
            cursor.execute(f"SELECT DISTINCT {month} FROM {RAW} WHERE row_number > 1 LIMIT 1000")  # noqa: S608
            months = {}
            for (text,) in cursor.fetchall():
                if text and text == clean_cell(text) and isinstance(self.month(text), int):
                    months[text] = self.month(text)
            month_sql = "NULL::integer"
            if months:
                whens = " ".join(["WHEN %s THEN %s"] * len(months))
                month_sql = f"CASE {month} {whens} END"
            cursor.execute(
                f"INSERT INTO {STAGE} SELECT row_number, {month_sql}, {_plain_cell(customer)}, "  # noqa: S608
                f"{_plain_cell(product)}, {_plain_cents(amount)} FROM {RAW} WHERE row_number > 1",
                [value for pair in months.items() for value in pair],
            )
            total = cursor.rowcount
            leftover = (
                "month IS NULL OR amount_cents IS NULL OR customer_code IS NULL "
                "OR product_code IS NULL"
            )
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STAGE} WHERE {leftover})")  # noqa: S608
            if cursor.fetchone()[0]:
                total -= self.parse_leftovers(
                    cursor,
                    f"SELECT row_number, {', '.join(cells)} FROM {RAW} "  # noqa: S608
                    f"WHERE row_number IN (SELECT row_number FROM {STAGE} WHERE {leftover}) "
                    "ORDER BY row_number",
                    positions,
                )
        return total

    def parse_leftovers(self, cursor, sql: str, positions: list[int]) -> int:
        """Clean and `parse` the rows SQL left unconverted, as the row-by-row reader would: it
        converts other spellings (`2024年9月`, ` 1,234.50`) and records the issues. The staging
        table takes the results; blank rows leave it. Returns the number of blank rows.
        Read through a server-side cursor: there may be millions (every amount `1,234.50`)."""
        cursor.execute(f"DROP TABLE IF EXISTS {FIX}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {FIX} (row_number integer, blank boolean, month integer, "
            "customer_code text, product_code text, amount_cents bigint)"
        )
        with connection.connection.cursor(name="finance_billing_leftovers") as leftovers:
            leftovers.execute(sql)
            while rows := leftovers.fetchmany(STAGE_CHUNK):
                with cursor.cursor.copy(f"COPY {FIX} FROM STDIN") as copy:
                    for row, *raw in rows:
                        cells = [clean_cell(value or "") for value in raw]
                        if any(cells):
                            record = self.parse(row, [cells[p] for p in positions])
                            copy.write_row((row, False, *record[1:]))
                        else:
                            copy.write_row((row, True, None, None, None, None))
        cursor.execute(
            f"DELETE FROM {STAGE} WHERE row_number IN "  # noqa: S608
            f"(SELECT row_number FROM {FIX} WHERE blank)"
        )
        blank = cursor.rowcount
        cursor.execute(
            f"UPDATE {STAGE} s SET month = f.month, customer_code = f.customer_code, "  # noqa: S608
            "product_code = f.product_code, amount_cents = f.amount_cents "
            f"FROM {FIX} f WHERE s.row_number = f.row_number AND NOT f.blank"
        )
        cursor.execute(f"DROP TABLE {FIX}")
        return blank

    # --- checks by SQL over the staged file
    def check(self) -> None:
        self.flush()
        if not self.checksum:  # (the COPY computes it as it reads the file)
            with open(self.path, "rb") as f:
                self.checksum = hashlib.file_digest(f, "sha256").hexdigest()
        customers = connection.ops.quote_name(Customer._meta.db_table)
        products = connection.ops.quote_name(Product._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {STAGE}")
            # A file of known codes (the common case) costs one pass: the facts are summed with
            # the codes looked up. Only a file with problems is searched for unknown codes.
            known = not self.issue_count and self.sum_facts(cursor, customers, products)
            for column, table, message in (
                ("customer_code", customers, _("Unknown customer code.")),
                ("product_code", products, _("Unknown product code.")),
            ):
                if known:
                    break
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

    def sum_facts(self, cursor, customers, products) -> bool:
        """Sum the staged rows into facts by month, customer and product; False if a code is
        unknown (its rows sum under a NULL id: `check` then reports them). Rows whose sum is
        beyond what a fact may hold are reported here."""
        try:
            with transaction.atomic():
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {FACTS} AS "  # noqa: S608
                    "SELECT s.month AS month, c.id AS customer_id, p.id AS product_id, "
                    "SUM(s.amount_cents) AS amount_cents "
                    f"FROM {STAGE} s LEFT JOIN {customers} c ON c.code = s.customer_code "
                    f"LEFT JOIN {products} p ON p.code = s.product_code "
                    "GROUP BY s.month, c.id, p.id"
                )
        except DatabaseError:  # SQLite: a sum beyond 64-bit integers ("integer overflow")
            self.overflow_issues(cursor)
            if not self.issue_count:
                raise
            return True
        # One pass for both questions (PostgreSQL sums bigints as numeric: no overflow there).
        cursor.execute(
            "SELECT COALESCE(MAX(CASE WHEN customer_id IS NULL OR product_id IS NULL "  # noqa: S608
            f"THEN 1 ELSE 0 END), 0), COALESCE(MAX(ABS(amount_cents)), 0) FROM {FACTS}"
        )
        unknown, largest = cursor.fetchone()
        if largest > MAX_CENTS:
            self.overflow_issues(cursor)
        return not unknown

    def overflow_issues(self, cursor) -> None:
        """An issue on each row of a month, customer and product whose rows sum to more than a
        fact may hold (each row being valid)."""
        total = "TOTAL" if connection.vendor == "sqlite" else "SUM"  # SQLite: a float, no overflow
        self.sql_issues(
            cursor,
            "SELECT s.row_number, s.customer_code || ' / ' || s.product_code "  # noqa: S608
            f"FROM {STAGE} s JOIN ("
            f"SELECT month, customer_code, product_code FROM {STAGE} "
            "GROUP BY month, customer_code, product_code "
            f"HAVING ABS({total}(amount_cents)) > {MAX_CENTS}) g ON g.month = s.month "
            "AND g.customer_code = s.customer_code AND g.product_code = s.product_code",
            [],
            "amount",
            _(
                "Rows of the same month, customer and product are summed, and these rows sum to "
                "more than %(max)s yuan, the most one revenue fact may hold. Check the amounts."
            )
            % {"max": f"{from_cents(MAX_CENTS):,}"},
        )

    def build_facts(self, scope_sql, scope_params) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {STAGE}")
            if connection.vendor == "sqlite":  # for `plan`'s join (PostgreSQL hashes instead)
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
        """Compare the file's facts with the database's, both ways, in SQL, month by month."""
        rev = connection.ops.quote_name(Revenue._meta.db_table)
        # Every existing fact with a key of the file lies in the replace scope (its customer is
        # in the file, hence in the actor's scope), so the rest of the scope is what goes.
        before = actions.count_in_scope_by_month(self.scope)
        in_scope = sum(before.values())
        with transaction.atomic(), connection.cursor() as cursor:
            if in_scope and connection.vendor == "postgresql":
                # Compare by hashing or merging both sides, not by an index probe per fact (the
                # planner's pick: 100 s for 3 million facts).
                cursor.execute("SET LOCAL enable_nestloop = off")
            if in_scope:
                cursor.execute(
                    "SELECT f.month, COUNT(*), "  # noqa: S608
                    "COALESCE(SUM(CASE WHEN r.id IS NULL THEN 1 ELSE 0 END), 0), "
                    "COALESCE(SUM(CASE WHEN r.amount_cents = f.amount_cents THEN 1 ELSE 0 END), 0) "
                    f"FROM {FACTS} f LEFT JOIN {rev} r ON r.month = f.month "
                    "AND r.customer_id = f.customer_id AND r.product_id = f.product_id "
                    "GROUP BY f.month"
                )
                by_month = {int(m): tuple(int(v) for v in rest) for m, *rest in cursor.fetchall()}
            else:  # new months (or customers): nothing to compare with
                cursor.execute(f"SELECT month, COUNT(*) FROM {FACTS} GROUP BY month")  # noqa: S608
                by_month = {int(m): (n, n, 0) for m, n in cursor.fetchall()}
        facts = sum(v[0] for v in by_month.values())
        created = sum(v[1] for v in by_month.values())
        unchanged = sum(v[2] for v in by_month.values())
        self.deleted = in_scope - (facts - created)
        updated = facts - created - unchanged
        self.unchanged_file = not (created or updated or self.deleted)
        self.month_changes = []
        for month in sorted(by_month):
            month_facts, gained, _same = by_month[month]
            had = before.get(month, 0)
            lost = had - (month_facts - gained)  # the facts of the month no row of the file keeps
            self.month_changes.append(
                {
                    "month": format_month(month),
                    "before": had,
                    "after": had - lost + gained,
                    "lost": lost,
                    "gained": gained,
                    "warn": lost * 2 > had > 0,
                }
            )
        return created, updated, unchanged

    def describe(self, result) -> None:
        """For the preview and `--dry-run`: each month's facts before and after, lost and gained;
        `warn` marks a month that would lose most (more than half) of its facts."""
        result.extra["months"] = self.month_changes
        result.needs_confirmation = any(m["warn"] for m in self.month_changes)

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
            for table in (RAW, STAGE, FIX, FACTS, KEYS):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            if connection.vendor == "postgresql":
                cursor.execute("RESET work_mem")


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
        report=(
            ReportColumn(gettext_lazy("Month"), "month", "month"),
            *customer_columns(),
            *product_columns(),
            ReportColumn(gettext_lazy("Amount (yuan)"), "amount_cents", "cents"),
        ),
    )
)
