"""The import framework: validate a whole file, then write all of it in one transaction or nothing.

Each kind (`orgunits`, `staff`, `products`, `customers`, …) has an `Importer` in the app that owns
the model (`<app>/importers.py`), registered in `IMPORTERS`. `run_import` drives it:

1. read the header and check the columns;
2. stream the rows, turning each into a compact tuple of clean values or into issues
   (row as in the file, column, value, message) — no query per row, only dict lookups against
   reference data loaded once;
3. check what needs the whole file: duplicates, parents (which may come after their children or
   already be in the database), cycles, uniqueness against the database;
4. if anything is wrong, return every issue and write nothing;
5. otherwise classify rows as new, changed or unchanged and write new and changed rows with
   set-based statements (executemany on SQLite, COPY on PostgreSQL) in one transaction, bumping
   versions and logging every change. Unchanged rows are not touched, so re-importing a file is
   a no-op.
"""

import contextlib
import datetime
import decimal
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .changes import current_ip, loggable_fields
from .exceptions import CreateForbidden, StaleObjectError
from .models import PATH_SEPARATOR, ObjectChange, TreeModel
from .querysets import may_create
from .spreadsheets import SpreadsheetError, read_rows, write_csv, write_xlsx
from .trees import move_descendants
from .validation import (
    CONTROL_CHARACTERS,
    ascii_number,
    choices_hint,
    code_error,
    control_error,
    escape_controls,
    strip_controls,
)

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 10_000
CHUNK = 2000
SOURCE = "import"


@dataclass(frozen=True)
class ImportIssue:
    """One problem in a file. `row` is the row as numbered in the file (1 = header, 0 = file)."""

    row: int
    column: str
    value: str
    message: str
    # The row's cells as in the file (attached to the report after the run, see `_attach_cells`).
    cells: tuple = ()


@dataclass
class ImportResult:
    kind: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Kinds that replace a scope (billing) also delete what the file no longer holds.
    deleted: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    dry_run: bool = False
    # A sentence the importer adds to the summary (e.g. "no batch was created"), and any ids it
    # wants the caller to link to (e.g. {"batch": 12}).
    note: str = ""
    extra: dict = field(default_factory=dict)
    # The file's header, for the error report's columns of original cells.
    header: list = field(default_factory=list)
    # Set by `Importer.describe`: the import would destroy much (a billing month losing most of
    # its facts), so the CLI asks before writing. `cancelled`: the answer was no.
    needs_confirmation: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, label: str = "") -> str:
        """One line for the user; `label` names the kind (the CLI shows the kind's code)."""
        kind = label or self.kind
        if self.cancelled:
            return _("%(kind)s: cancelled, nothing imported.") % {"kind": kind}
        if not self.ok:
            return _("%(kind)s: %(count)d problems, nothing imported.") % {
                "kind": kind,
                "count": len(self.errors),
            }
        template = (
            _(
                "%(kind)s (dry run): %(total)d rows: would create %(created)d, update %(updated)d, "
                "leave %(unchanged)d unchanged."
            )
            if self.dry_run
            else _(
                "%(kind)s: %(total)d rows: created %(created)d, updated %(updated)d, "
                "%(unchanged)d unchanged."
            )
        )
        text = template % {
            "kind": kind,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.deleted:
            deleted = (
                _("Would delete %(deleted)d.") if self.dry_run else _("Deleted %(deleted)d.")
            ) % {"deleted": self.deleted}
            text = f"{text} {deleted}"
        return f"{text} {self.note}" if self.note else text


ProgressCallback = Callable[[str, float, int], None]
"""`progress(phase, fraction_done, rows)`; phase is "validate" or "write"."""


# ------------------------------------------------------------------------ value parsing helpers


def label_lookup(choices_cls, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Map code, Chinese label and English label (lower-cased) of each choice to its code."""
    lookup: dict[str, str] = {}
    for value, label in choices_cls.choices:
        lookup[str(value).lower()] = value
        with translation.override(None):
            lookup[str(label).strip().lower()] = value
        with translation.override("en"):
            lookup[str(label).strip().lower()] = value
    lookup.update(extra or {})
    return lookup


BOOLEANS = {
    "true": True, "false": False, "1": True, "0": False, "是": True, "否": False,
    "yes": True, "no": False, "y": True, "n": False, "t": True, "f": False,
}  # fmt: skip


_COORDINATE = re.compile(r"-?(?:0|[1-9][0-9]{0,2})(?:\.[0-9]{1,6})?")


def coordinate_text(raw: str, low: int, high: int) -> str:
    """A latitude/longitude as the canonical 6-place text the database round-trips to.

    The common case (plain decimal, at most 6 places) is formatted without `Decimal`: this runs
    twice per row of million-row files. Anything else goes through `parse_decimal`.
    """
    if _COORDINATE.fullmatch(raw):
        value = float(raw)
        if low <= value <= high:
            if value == 0:
                return "0.000000"
            whole, _dot, fraction = raw.partition(".")
            return f"{whole}.{fraction:0<6}"
    return f"{parse_decimal(raw, 6, low, high):.6f}"


def parse_decimal(raw: str, places: int, low, high) -> decimal.Decimal:
    """Parse a coordinate-like number; raises ValueError with a user message."""
    raw = ascii_number(raw)
    try:
        value = decimal.Decimal(raw.replace(",", "."))
    except decimal.InvalidOperation:
        raise ValueError(_("Not a number.")) from None
    if not value.is_finite():
        raise ValueError(_("Not a number."))
    if value < low or value > high:
        raise ValueError(_("Must be between %(low)s and %(high)s.") % {"low": low, "high": high})
    value = value.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    return value if value else abs(value)  # no "-0.000000"


_email_validator = EmailValidator()


def email_error(value: str) -> str | None:
    try:
        _email_validator(value)
    except ValidationError:
        return _("Not a valid e-mail address.")
    return None


# ------------------------------------------------------------------------------ database helpers


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def table_count(model) -> int:
    return model._base_manager.count()


def fetch_keyed(queryset, key: str, keys: Iterable[str], fields: list[str], *, scan: bool):
    """Yield `values_list(*fields)` rows whose `key` is in `keys`.

    With `scan` the whole table is streamed once (cheaper when the file covers much of it);
    otherwise the keys are looked up in chunks through the unique index.
    """
    if scan:
        yield from queryset.values_list(*fields).order_by().iterator(chunk_size=CHUNK)
        return
    keys = list(keys)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        yield from queryset.filter(**{f"{key}__in": chunk}).values_list(*fields).order_by()


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for `count` new rows, taken before inserting so rows can reference each other.

    SQLite: the import holds the write lock (IMMEDIATE transactions), so max(id)+1… is ours.
    PostgreSQL: the ids come from the table's own sequence, so concurrent inserts never collide.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - our table
        start = cursor.fetchone()[0]
        try:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
        except DatabaseError:
            row = None
        # AUTOINCREMENT never reuses the ids of deleted rows; neither do we.
        start = max(start, row[0] if row else 0)
        return list(range(start + 1, start + 1 + count))


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert plain tuples with one executemany (SQLite) or one COPY (PostgreSQL)."""
    cols = ", ".join(_quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_quote(table)} ({cols}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
            return
        marks = ", ".join(["?"] * len(columns))
        raw = cursor.cursor  # the sqlite3 cursor: skip Django's per-statement wrapper work
        rows = iter(rows)
        while True:
            batch = [row for _, row in zip(range(50_000), rows, strict=False)]
            if not batch:
                break
            raw.executemany(f"INSERT INTO {_quote(table)} ({cols}) VALUES ({marks})", batch)  # noqa: S608


def update_rows(
    table: str, columns: list[str], rows: list[tuple], *, updated_at, bump_version: bool = True
) -> None:
    """Update rows by id with set-based statements; each tuple is `(*values, id, version)`.

    The `version` condition makes a row edited by someone since we read it fail the whole import
    (`StaleObjectError`) instead of being silently overwritten.
    """
    if not rows:
        return
    version_sql = ", version = version + 1" if bump_version else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The temporary table has a version column too: name the target's.
            version_sql = version_sql.replace("= version", "= t.version")
            temp = f"import_{table}"[:60]
            cursor.execute(
                f"CREATE TEMP TABLE {_quote(temp)} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {', '.join(_quote(c) for c in columns)}, id, version "
                f"FROM {_quote(table)} WHERE false"
            )
            with cursor.cursor.copy(f"COPY {_quote(temp)} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f"{_quote(c)} = s.{_quote(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {_quote(table)} AS t SET {sets}, updated_at = %s{version_sql} "  # noqa: S608
                f"FROM {_quote(temp)} AS s WHERE t.id = s.id AND t.version = s.version",
                [updated_at],
            )
            matched = cursor.rowcount
            cursor.execute(f"DROP TABLE {_quote(temp)}")
        else:
            sets = ", ".join(f"{_quote(c)} = ?" for c in columns)
            stamp = connection.ops.adapt_datetimefield_value(updated_at)
            raw = cursor.cursor
            raw.executemany(
                f"UPDATE {_quote(table)} SET {sets}, updated_at = '{stamp}'{version_sql} "  # noqa: S608
                "WHERE id = ? AND version = ?",
                rows,
            )
            matched = raw.rowcount
    if matched != len(rows):
        raise StaleObjectError()


def write_change_log(model, entries: Iterable[tuple[int, str, str, dict]], *, actor) -> None:
    """Log `(object_id, object_repr, action, changes)` entries as `ObjectChange` rows.

    The same rows `core.changes.bulk_log_changes` writes, but streamed with executemany/COPY:
    an import of a million customers logs a million creations, and building ORM objects for
    them would cost more than the import itself.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", "") or ""
    ip = current_ip.get()
    otype = model._meta.label_lower
    dumps = json.JSONEncoder(ensure_ascii=False, default=_plain).encode
    columns = [
        "time", "actor_id", "actor_name", "ip", "object_type", "object_id", "object_repr",
        "action", "changes", "source",
    ]  # fmt: skip
    insert_rows(
        ObjectChange._meta.db_table,
        columns,
        (
            (
                now,
                actor_id,
                actor_name,
                ip,
                otype,
                str(pk),
                repr_[:200],
                action,
                dumps(changes),
                SOURCE,
            )
            for pk, repr_, action, changes in entries
        ),
    )


# ------------------------------------------------------------------------------- the framework


class Importer:
    """One import kind. Subclasses declare columns and implement `parse`, `check`, `plan`, `write`.

    `parse(row, values)` gets the row number and the cells in `columns` order (blank for absent
    optional columns) and either returns a compact record or records issues and returns None.
    """

    kind: str = ""
    verbose_name = ""
    columns: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    # Columns written as text in .xlsx templates and exports (codes that look like numbers).
    text_columns: tuple[str, ...] = ()
    # The Chinese header of each column, accepted as an alias of the English one (README
    # "Exchange formats"); templates come with either.
    chinese_headers: dict[str, str] = {}

    @classmethod
    def header_names(cls) -> dict[str, str]:
        """Every accepted header (lower case) → its column."""
        names = {column: column for column in cls.columns}
        names.update({label.lower(): column for column, label in cls.chinese_headers.items()})
        return names

    @classmethod
    def template_header(cls, headers: str = "en") -> list[str]:
        if headers == "zh":
            return [cls.chinese_headers.get(column, column) for column in cls.columns]
        return list(cls.columns)

    def __init__(self, *, actor=None, partial: bool = False):
        self.actor = actor
        self.partial = partial
        self.issues: list[ImportIssue] = []
        self.records: list[tuple] = []
        # Set by `run_import`: the file being read and the name the user gave it.
        self.path = None
        self.file_name = ""

    # Set by `plan` of kinds that replace a scope: existing rows the file no longer holds.
    deleted = 0

    # --- hooks for streaming importers (the defaults hold everything in `records`)
    def keep(self, record) -> None:
        """Hold a parsed record. Importers of very large files stage records elsewhere (a
        temporary table) instead of keeping them in memory."""
        self.records.append(record)

    def sorted_issues(self) -> list[ImportIssue]:
        """The issues as reported: by row, then column."""
        return sorted(self.issues, key=lambda i: (i.row, i.column))

    def describe(self, result: "ImportResult") -> None:
        """After `plan`: add what the preview should show (e.g. billing's facts per month)."""

    def finish(self, result: "ImportResult") -> None:
        """Add to the result (a note, ids to link to) once the import is over."""

    def close(self) -> None:
        """Release what the import used (temporary tables), whatever the outcome."""

    # --- issues
    def issue(self, row: int, column: str, value, message) -> None:
        self.issues.append(
            ImportIssue(row, column, "" if value is None else str(value), str(message))
        )

    def required_issue(self, row: int, column: str) -> None:
        self.issue(row, column, "", _("This value is required."))

    @property
    def unrestricted(self) -> bool:
        """CLI runs without --user and superusers are not limited by data scope."""
        return self.actor is None or getattr(self.actor, "is_superuser", False)

    # How new records are found again to check that the importer may edit them (None: the
    # importer checks creation rights itself, or has none to check).
    scope_model = None
    scope_lookup = "code"

    @property
    def checks_created_scope(self) -> bool:
        """Whether new records must be checked against the actor's change scope (after writing
        them, inside the transaction: the preview then writes and rolls back too)."""
        return not self.unrestricted and self.scope_model is not None

    def created_outside_scope(self) -> list[ImportIssue]:
        """After writing (inside the transaction): new records the actor may not edit.

        The data scope is a query, so the exact test is to ask it about the written rows; a
        non-empty answer rolls the whole import back (`gecrm.access.creating`, the rule of every
        create path: one creates only what one could edit afterwards).
        """
        new = getattr(self, "new", None)
        if not self.checks_created_scope or not new:
            return []
        if not may_create(self.scope_model, self.actor):
            # Posts that create nothing of the kind: every new row, on its key.
            message = str(CreateForbidden(self.scope_model))
            return [ImportIssue(r[0], self.columns[0], str(r[1]), message) for r in new]
        keys = [record[1] for record in new]
        allowed: set = set()
        for start in range(0, len(keys), CHUNK):
            allowed.update(
                self.scoped(self.scope_model, "change")
                .filter(**{f"{self.scope_lookup}__in": keys[start : start + CHUNK]})
                .values_list(self.scope_lookup, flat=True)
            )
        return self.outside_scope_issues([record for record in new if record[1] not in allowed])

    def outside_scope_issues(self, records: list[tuple]) -> list[ImportIssue]:
        """The issues of new `records` outside the actor's change scope, each on the column that
        put it there (importers of kinds with parents or owners say which)."""
        message = str(_("You may not create this record (outside your data scope)."))
        return [ImportIssue(r[0], self.columns[0], str(r[1]), message) for r in records]

    def scoped(self, model, action: str = "view"):
        if self.unrestricted:
            return model._base_manager.all()
        return model.objects.restrict(self.actor, action)

    # --- life cycle
    def prepare(self) -> None:
        """Load reference data (once, before reading rows)."""

    def load(self, reader, positions: list[int], progress) -> int | None:
        """Take in the whole file by a faster route than `parse` row by row (e.g. COPY of a CSV
        into the database, checked by SQL); return the number of data rows, or None to have the
        rows read and parsed one by one. `positions` are the file's columns of `columns`."""
        return None

    def parse(self, row: int, values: list[str]):
        raise NotImplementedError

    def check(self) -> None:
        """Checks that need the whole file (duplicates, parents, cycles, the database)."""

    def plan(self) -> tuple[int, int, int]:
        """Classify records; return (created, updated, unchanged)."""
        raise NotImplementedError

    def write(self, progress: ProgressCallback | None) -> None:
        raise NotImplementedError


IMPORTERS: dict[str, type[Importer]] = {}


def register(importer_cls: type[Importer]) -> type[Importer]:
    IMPORTERS[importer_cls.kind] = importer_cls
    return importer_cls


def check_header(importer: Importer, header: list[str]) -> list[int] | None:
    """Positions of the importer's columns in the file, or None after recording header issues.

    A column may be headed in English or in Chinese (`code` or `客户编码`), mixed freely; the
    same column twice (`code` and `客户编码`) is an error."""
    known = importer.header_names()
    seen: dict[str, int] = {}
    written: dict[str, str] = {}
    ok = True
    for position, name in enumerate(header):
        if not name:
            continue
        column = known.get(name)
        if column is None:
            listed = ", ".join(
                f"{c} ({importer.chinese_headers[c]})" if c in importer.chinese_headers else c
                for c in importer.columns
            )
            importer.issue(
                1,
                name,
                name,
                _("Unknown column. The columns of %(kind)s are: %(columns)s.")
                % {"kind": importer.kind, "columns": listed},
            )
            ok = False
        elif column in seen:
            importer.issue(
                1,
                name,
                name,
                _("The column appears twice (also as “%(other)s”).") % {"other": written[column]}
                if written[column] != name
                else _("The column appears twice."),
            )
            ok = False
        else:
            seen[column] = position
            written[column] = name
    for name in importer.required:
        if name not in seen:
            importer.issue(
                1, name, "", _("The required column “%(column)s” is missing.") % {"column": name}
            )
            ok = False
    if not ok:
        return None
    return [seen.get(name, -1) for name in importer.columns]


class OutsideScope(Exception):
    """Raised inside the import transaction to roll back records the actor may not create."""

    def __init__(self, issues: list[ImportIssue]):
        super().__init__(f"{len(issues)} records outside the data scope")
        self.issues = issues


class _PreviewRollback(Exception):
    """Raised at the end of a preview's trial write: nothing a preview does is kept."""


def run_import(
    kind: str,
    path,
    *,
    actor=None,
    dry_run: bool = False,
    partial: bool = False,
    progress: ProgressCallback | None = None,
    fmt: str | None = None,
    file_name: str = "",
    confirm: Callable[[ImportResult], bool] | None = None,
) -> ImportResult:
    """Validate the whole file, then (unless `dry_run`) write all of it in one transaction.

    `confirm(result)` is asked, once the file is checked and planned and before anything is
    written, when the result `needs_confirmation`; False cancels the import."""
    if kind not in IMPORTERS:
        raise KeyError(kind)
    importer = IMPORTERS[kind](actor=actor, partial=partial)
    importer.path = path
    importer.file_name = file_name or os.path.basename(str(path))
    result = ImportResult(kind=kind, dry_run=dry_run)
    try:
        _run(importer, result, path, dry_run=dry_run, progress=progress, fmt=fmt, confirm=confirm)
        if result.ok:
            importer.finish(result)
    finally:
        importer.close()
    if not result.ok:
        _attach_cells(result, path, fmt)
    return result


def _read_rows(importer: Importer, reader, positions: list[int], progress) -> int:
    """Parse and keep the file's rows one by one; return how many there were.

    A row with cells beyond the header, or with control characters (NUL…), gets an issue; its
    control characters are taken out before `parse` sees it, so the row still takes part in
    every other check (and nothing downstream — COPY, the database — ever sees them)."""
    parse = importer.parse
    keep = importer.keep
    total = 0
    width = max(positions) + 1
    header_width = len(reader.header)
    pad = [""] * width
    names = dict(zip(positions, importer.columns, strict=True))
    positions = [p if p >= 0 else width for p in positions]  # absent → the blank pad cell
    control = CONTROL_CHARACTERS.search if reader.may_hold_control_characters() else None
    for number, cells in reader:
        total += 1
        if len(cells) > header_width and any(cells[header_width:]):
            importer.issue(
                number,
                "",
                escape_controls(", ".join(cells[header_width:])),
                _("The row has more cells than the header has columns (%(n)d).")
                % {"n": header_width},
            )
        if control and control(",".join(cells)):
            cells = _without_controls(importer, number, cells, names, reader.header)
        if len(cells) <= width:
            cells = cells + pad[: width + 1 - len(cells)]
        record = parse(number, [cells[p] for p in positions])
        if record is not None:
            keep(record)
        if progress and total % PROGRESS_EVERY == 0:
            progress("validate", reader.fraction(), total)
    return total


def _without_controls(importer, number, cells, names, header) -> list[str]:
    """Record an issue for each cell holding a control character; return the cells without."""
    clean = []
    for position, cell in enumerate(cells):
        if error := control_error(cell):
            column = names.get(position) or (header[position] if position < len(header) else "")
            importer.issue(number, column, escape_controls(cell), error)
            cell = strip_controls(cell)
        clean.append(cell)
    return clean


def _attach_cells(result: ImportResult, path, fmt) -> None:
    """Give each issue the cells of its row as in the file, for the error report: the file is
    read again (only when it has problems) up to the last row with an issue."""
    wanted = {issue.row for issue in result.errors if issue.row > 1}
    try:
        reader = read_rows(path, fmt)
    except SpreadsheetError:
        return
    try:
        result.header = [escape_controls(name) for name in reader.header]
        found: dict[int, tuple] = {}
        if wanted:
            last = max(wanted)
            for number, cells in reader:
                if number in wanted:
                    found[number] = tuple(escape_controls(cell) for cell in cells)
                if number >= last:
                    break
    except SpreadsheetError:
        return
    finally:
        reader.close()
    result.errors = [replace(issue, cells=found.get(issue.row, ())) for issue in result.errors]


def _run(
    importer: Importer, result: ImportResult, path, *, dry_run, progress, fmt, confirm=None
) -> None:
    kind = importer.kind
    try:
        reader = read_rows(path, fmt)
        positions = check_header(importer, reader.header)
        if positions is None:
            result.errors = importer.issues
            return
        importer.prepare()
        total = importer.load(reader, positions, progress)
        if total is None:
            total = _read_rows(importer, reader, positions, progress)
    except SpreadsheetError as exc:
        importer.issue(0, "", "", exc)
        result.errors = importer.issues
        return
    result.total = total
    if total == 0:  # the same for every kind: a file of only a header is a mistake
        importer.issue(0, "", "", _("The file has no data rows."))
        result.errors = importer.sorted_issues()
        return
    if progress:
        progress("validate", 1.0, total)
        progress("check", 0.0, total)  # duplicates, parents, cycles, the database: no rows to count
    importer.check()
    if progress:
        progress("check", 1.0, total)
    if importer.issues:
        result.errors = importer.sorted_issues()
        return
    result.created, result.updated, result.unchanged = importer.plan()
    result.deleted = importer.deleted
    importer.describe(result)
    if not (result.created or result.updated or result.deleted):
        return
    if dry_run and not (result.created and importer.checks_created_scope):
        return
    if not dry_run and result.needs_confirmation and confirm is not None and not confirm(result):
        result.cancelled = True
        return
    try:
        with transaction.atomic():
            # A preview of new records for a restricted importer writes them and rolls back:
            # whether they lie in the actor's scope is answered by the scope query itself.
            importer.write(None if dry_run else progress)
            if outside := importer.created_outside_scope():
                raise OutsideScope(outside)
            if dry_run:
                raise _PreviewRollback
    except _PreviewRollback:
        pass
    except OutsideScope as exc:
        result.errors = exc.issues
        result.created = result.updated = result.unchanged = result.deleted = 0
    except (StaleObjectError, IntegrityError) as exc:
        logger.info("import of %s lost a race: %s", kind, exc)
        result.errors = [
            ImportIssue(
                0,
                "",
                "",
                _(
                    "Someone changed the same records while the file was being imported; nothing "
                    "was written. Run the import again."
                ),
            )
        ]
        result.created = result.updated = result.unchanged = result.deleted = 0


# --------------------------------------------------------------------------------- error report

REPORT_COLUMNS = ("row", "column", "value", "message")


def _report_header(result: ImportResult) -> list[str]:
    """The report's own columns, then the file's (the row's original cells)."""
    return [str(_(c)) for c in REPORT_COLUMNS] + list(result.header)


def _issue_rows(result: ImportResult):
    for issue in result.errors:
        yield (issue.row, issue.column, issue.value, issue.message, *issue.cells)


def issues_to_csv(result: ImportResult) -> bytes:
    buffer = io.BytesIO()
    write_csv(buffer, _report_header(result), _issue_rows(result))
    return buffer.getvalue()


def issues_to_xlsx(result: ImportResult) -> bytes:
    buffer = io.BytesIO()
    header = _report_header(result)
    # The file's cells are written as text, as they were read (codes that look like numbers).
    text = {str(_("value")), *header[len(REPORT_COLUMNS) :]}
    write_xlsx(buffer, header, _issue_rows(result), text_columns=text)
    return buffer.getvalue()


# Report headers are translated at download time; mark them for the catalogue here.
_REPORT_HEADERS = (
    gettext_lazy("row"),
    gettext_lazy("column"),
    gettext_lazy("value"),
    gettext_lazy("message"),
)


# ------------------------------------------------------------------------- keyed table importers


class TableImporter(Importer):
    """An importer for a model keyed by a unique `code`, optionally a `TreeModel`.

    `parse` returns `(row, code, *values)` with `values` aligned with `fields` in *comparison
    space*: plain strings, ids of reference rows, canonical decimal strings — the same shape
    `existing_values` produces from the database, so an unchanged row compares equal. For trees
    the `parent` field holds the parent's code ("" for a root).
    """

    model: type[models.Model]
    fields: tuple[str, ...] = ()
    key = "code"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tree = issubclass(self.model, TreeModel)
        self.existing: dict[str, tuple] = {}  # code → (id, version, values, path, parent_id)
        self.db_parents: dict[str, tuple] = {}  # code → (id, path, *parent_extra) not in file
        self.by_code: dict[str, tuple] = {}
        self.paths: dict[str, str | None] = {}
        meta = self.model._meta
        self._field_objs = [meta.get_field(name) for name in self.fields]
        self._db_lookups = [
            "parent__code" if name == "parent" else f.attname
            for name, f in zip(self.fields, self._field_objs, strict=True)
        ]
        self._normalisers = [self._normaliser(f) for f in self._field_objs]

    # Extra values fetched for database parents (e.g. an org unit's kind, for the kind rule).
    parent_extra: tuple[str, ...] = ()

    @staticmethod
    def _normaliser(f):
        if isinstance(f, models.DecimalField):
            places = f.decimal_places
            return lambda v: None if v is None else f"{v:.{places}f}"
        if isinstance(f, models.ForeignKey):
            if f.name == "parent":
                return lambda v: v or ""
            return None
        if isinstance(f, models.CharField | models.TextField):
            return lambda v: v or ""
        return None

    def _db_values(self, raw: tuple) -> tuple:
        return tuple(norm(v) if norm else v for v, norm in zip(raw, self._normalisers, strict=True))

    def object_repr(self, code: str, values: tuple) -> str:
        return f"{values[self.fields.index('name')]} ({code})"

    # --- whole-file checks
    def check(self) -> None:
        self.check_duplicates()
        self.load_existing()
        self.check_unique_fields()
        if self.tree:
            self.check_tree()

    def check_duplicates(self) -> None:
        by_code: dict[str, tuple] = {}
        for record in self.records:
            first = by_code.setdefault(record[1], record)
            if first is not record:
                self.issue(
                    record[0],
                    self.key,
                    record[1],
                    _("Duplicate code: row %(row)d has it too.") % {"row": first[0]},
                )
        self.by_code = by_code

    def load_existing(self) -> None:
        codes = self.by_code.keys()
        scan = len(codes) * 4 >= table_count(self.model)
        self._scan = scan
        fields = ["code", "id", "version", *self._db_lookups]
        if self.tree:
            fields += ["path", "parent_id"]
        n = len(self._db_lookups)
        existing = {}
        queryset = self.model._base_manager.all()
        wanted = self.by_code
        for row in fetch_keyed(queryset, "code", codes, fields, scan=scan):
            code = row[0]
            if code in wanted:
                values = self._db_values(row[3 : 3 + n])
                if self.tree:
                    existing[code] = (row[1], row[2], values, row[3 + n], row[4 + n])
                else:
                    existing[code] = (row[1], row[2], values, None, None)
        self.existing = existing
        if not self.unrestricted and existing:
            allowed = set()
            for start in range(0, len(existing), CHUNK):
                chunk = list(existing)[start : start + CHUNK]
                allowed.update(
                    self.scoped(self.model, "change")
                    .filter(code__in=chunk)
                    .values_list("code", flat=True)
                )
            for code in existing.keys() - allowed:
                self.issue(
                    self.by_code[code][0],
                    self.key,
                    code,
                    _("You may not change this record (outside your data scope)."),
                )

    def check_unique_fields(self) -> None:
        """Uniqueness of other fields (e.g. USCC) within the file and against the database."""

    # --- trees
    def parent_index(self) -> int:
        return self.fields.index("parent")

    def check_tree(self) -> None:
        pi = self.parent_index() + 2
        by_code = self.by_code
        wanted = {r[pi] for r in self.records if r[pi] and r[pi] not in by_code}
        db_parents = {}
        fields = ["code", "id", "path", *self.parent_extra]
        scan = self._scan and len(wanted) * 4 >= table_count(self.model)
        for row in fetch_keyed(self.model._base_manager.all(), "code", wanted, fields, scan=scan):
            if row[0] in wanted:
                db_parents[row[0]] = row[1:]
        self.db_parents = db_parents
        for record in self.records:
            parent = record[pi]
            if parent and code_error(parent):
                continue  # an impossible code, already reported
            if parent and parent not in by_code and parent not in db_parents:
                self.issue(
                    record[0],
                    "parent_code",
                    parent,
                    _("Unknown parent: no row in the file or the database has this code."),
                )
            elif parent == record[1]:
                self.issue(
                    record[0], "parent_code", parent, _("A record cannot be its own parent.")
                )
        self.resolve_paths()

    def resolve_paths(self) -> None:
        """Compute every file node's final path from the file's and the database's parents.

        A database node not in the file keeps its parent, but its path changes when one of its
        ancestors moves, so its dependency is the deepest ancestor that is in the file. A walk
        that meets itself is a cycle: every file node on it gets an issue.
        """
        pi = self.parent_index() + 2
        by_code = self.by_code
        db_parents = self.db_parents
        paths: dict[str, str | None] = {}
        make_path = self.model.make_path
        sep = PATH_SEPARATOR

        def db_path(code):
            if code in db_parents:
                return db_parents[code][1]
            return None

        def dependency(code):
            """(kind, dep): kind "file" → dep is the parent code; "db" → deepest file ancestor."""
            if code in by_code:
                return by_code[code][pi] or None
            path = db_path(code)
            if path is None:
                return False  # unknown: already reported
            ancestors = path.strip(sep).split(sep)[:-1]
            for ancestor in reversed(ancestors):
                if ancestor in by_code:
                    return ancestor
            return None

        def compute(code, dep):
            if code in by_code:
                return make_path(paths[dep] if dep else None, code)
            path = db_path(code)
            if dep is None:
                return path
            marker = f"{sep}{dep}{sep}"
            return paths[dep] + path[path.index(marker) + len(marker) :]

        for start in by_code:
            if start in paths:
                continue
            chain: list[tuple[str, object]] = []
            on_chain: dict[str, int] = {}
            code = start
            outcome = None  # None: resolved normally; "bad": unresolvable
            while True:
                if code in paths:
                    if paths[code] is None:
                        outcome = "bad"
                    break
                if code in on_chain:
                    cycle = [c for c, _d in chain[on_chain[code] :]]
                    shown = " → ".join([*cycle, code]) if len(cycle) < 20 else ""
                    for member in cycle:
                        if member in by_code:
                            self.issue(
                                by_code[member][0],
                                "parent_code",
                                by_code[member][pi],
                                _("Parent cycle: %(cycle)s") % {"cycle": shown or member},
                            )
                    outcome = "bad"
                    break
                dep = dependency(code)
                if dep is False:
                    outcome = "bad"
                    break
                on_chain[code] = len(chain)
                chain.append((code, dep))
                if dep is None:
                    break
                code = dep
            for code, dep in reversed(chain):
                if outcome == "bad":
                    paths[code] = None
                else:
                    paths[code] = compute(code, dep)
        max_length = self.model._meta.get_field("path").max_length
        for code, record in by_code.items():
            path = paths.get(code)
            if path is not None and len(path) > max_length:
                self.issue(
                    record[0],
                    "parent_code",
                    record[pi],
                    _(
                        "The tree is too deep: the path of this record would exceed "
                        "%(n)d characters."
                    )
                    % {"n": max_length},
                )
        self.paths = paths

    # --- planning and writing
    def plan(self) -> tuple[int, int, int]:
        existing = self.existing
        self.new: list[tuple] = []
        self.changed: list[tuple] = []
        unchanged = 0
        for code, record in self.by_code.items():
            old = existing.get(code)
            if old is None:
                self.new.append(record)
            elif old[2] != record[2:]:
                self.changed.append(record)
            else:
                # Equal values with a different path means an ancestor moved: the ancestor's
                # subtree rewrite in `write` fixes the path; the row itself did not change.
                unchanged += 1
        return len(self.new), len(self.changed), unchanged

    # Columns computed from a row's values (a name's search keys, …): `derive` returns them in
    # this order from the row's write values (in `fields` order); inserts and updates carry them.
    derived_columns: tuple[str, ...] = ()

    def derive(self, values: list) -> tuple:
        return ()

    def bulk_insert(self):
        """Context around the insert of the new rows (e.g. to maintain a derived index in bulk)."""
        return contextlib.nullcontext()

    def extra_insert_values(self) -> dict[str, object]:
        """Defaults of the model's columns the file does not set (status, …)."""
        covered = {"id", "created_at", "updated_at", "version", "code", "path", "depth"}
        covered.update(f.attname for f in self._field_objs)
        covered.update(self.derived_columns)
        extra = {}
        for f in self.model._meta.concrete_fields:
            if f.attname not in covered:
                extra[f.column] = f.get_default()
        return extra

    def write(self, progress: ProgressCallback | None) -> None:
        model = self.model
        table = model._meta.db_table
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        ids = reserve_ids(model, len(self.new))
        id_of = {code: old[0] for code, old in self.existing.items()}
        id_of.update(zip((r[1] for r in self.new), ids, strict=True))
        tree = self.tree
        fields = self.fields
        parent_pos = fields.index("parent") if tree else -1
        db_parents = self.db_parents
        paths = self.paths
        columns = [f.column for f in self._field_objs]
        derived = self.derived_columns
        derive = self.derive
        columns += derived
        extra = self.extra_insert_values()
        log_names = [f.name for f in loggable_fields(model)]

        def parent_id(code):
            if not code:
                return None
            return id_of[code] if code in id_of else db_parents[code][0]

        def write_values(record):
            values = list(record[2:])
            if tree:
                values[parent_pos] = parent_id(values[parent_pos])
            if derived:
                values += derive(values)
            return values

        total = len(self.new) + len(self.changed)

        # Updates first: a USCC moving from one row to another is freed before it is taken.
        updates = []
        log_entries = []
        moved = []
        for record in self.changed:
            code = record[1]
            old_id, old_version, old_values, old_path, old_parent_id = self.existing[code]
            values = write_values(record)
            row = values
            if tree:
                path = paths[code]
                row = [*values, path, path.count(PATH_SEPARATOR) - 2]
                if path != old_path:
                    moved.append((old_path, path))
            updates.append((*row, old_id, old_version))
            changes = {}
            for i, name in enumerate(fields):
                if old_values[i] != record[2 + i]:
                    before = old_parent_id if i == parent_pos else old_values[i]
                    changes[name] = [_plain(before), _plain(values[i])]
            log_entries.append((old_id, self.object_repr(code, record[2:]), "update", changes))
        update_columns = columns + (["path", "depth"] if tree else [])
        self.before_update()
        update_rows(table, update_columns, updates, updated_at=now)
        # Deepest first, so a node that moved inside a subtree that moved too ends up right.
        for old_path, new_path in sorted(moved, key=lambda m: -m[0].count(PATH_SEPARATOR)):
            move_descendants(model, old_path, new_path)
        if progress:
            progress("write", len(updates) / (total or 1), len(updates))

        insert_columns = ["id", "created_at", "updated_at", "version", "code", *columns]
        if tree:
            insert_columns += ["path", "depth"]
        insert_columns += list(extra)
        extra_values = tuple(extra.values())
        name_of_column = {f.column: f.name for f in model._meta.concrete_fields}
        log_positions = [
            (name, insert_columns.index(col))
            for col, name in name_of_column.items()
            if name in log_names
        ]
        new = self.new
        done = len(updates)

        def insert_tuples():
            nonlocal done
            for record, pk in zip(new, ids, strict=True):
                row = [pk, stamp, stamp, 1, record[1], *write_values(record)]
                if tree:
                    path = paths[record[1]]
                    row += [path, path.count(PATH_SEPARATOR) - 2]
                row += extra_values
                yield row
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress("write", done / (total or 1), done)

        logged_new = []

        def insert_and_remember():
            for row in insert_tuples():
                logged_new.append(row)
                yield row

        with self.bulk_insert():
            insert_rows(table, insert_columns, insert_and_remember())
        name_pos = insert_columns.index(model._meta.get_field("name").column)
        code_pos = insert_columns.index("code")

        def create_entries():
            # Insert tuples hold plain values (str, int, bool, None): no conversion needed.
            for row in logged_new:
                changes = {name: [None, row[pos]] for name, pos in log_positions}
                yield (row[0], f"{row[name_pos]} ({row[code_pos]})", "create", changes)

        write_change_log(model, create_entries(), actor=self.actor)
        write_change_log(model, log_entries, actor=self.actor)
        if progress:
            progress("write", 1.0, total)

    def before_update(self) -> None:
        """Hook run just before changed rows are written."""


TEMPLATE_HEADERS = ("en", "zh")


def template_bytes(kind: str, fmt: str, headers: str = "en") -> bytes:
    """An empty file with the header of `kind` (English or, `headers="zh"`, Chinese column
    names), to be filled in by users."""
    importer = IMPORTERS[kind]
    header = importer.template_header(headers)
    buffer = io.BytesIO()
    if fmt == "xlsx":
        text = {header[importer.columns.index(c)] for c in importer.text_columns}
        write_xlsx(buffer, header, [], text_columns=text)
    else:
        write_csv(buffer, header, [])
    return buffer.getvalue()


__all__ = [
    "IMPORTERS",
    "ascii_number",
    "choices_hint",
    "code_error",
    "ImportIssue",
    "ImportResult",
    "Importer",
    "TableImporter",
    "issues_to_csv",
    "issues_to_xlsx",
    "register",
    "run_import",
    "template_bytes",
]


IMPORT_POSTS = ("sales_control",)


def can_import(user, posts=None) -> bool:
    """Superusers and sales controllers (销售管控岗) may import; nobody else. `posts`: the
    user's post codes when the caller has them already (saves the query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if posts is not None:
        return any(post in posts for post in IMPORT_POSTS)
    from django.apps import apps

    staff_post = apps.get_model("org", "StaffPost")
    return staff_post.objects.filter(staff__user=user, post__in=IMPORT_POSTS).exists()
