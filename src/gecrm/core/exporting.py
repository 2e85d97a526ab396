"""Exports in two shapes: the exchange (import) format and a report for people.

The **import** shape holds exactly the import columns, so an export re-imports unchanged. The
**report** shape (`Exporter.report`) is for reading: translated column heads, labels instead of
codes, names beside codes, and in `.xlsx` a frozen, bold header row, column widths and number
formats (see `gecrm.core.report_sheets`). Both come from the same rows: the same scope, filters
and order.

Each app registers an `Exporter` next to its importer. Rows come from
`Model.objects.restrict(user, "view")` narrowed by the app's FilterSet (the same filters as the
web list and the API), streamed with `values_list(...).iterator()`: constant memory and a fixed
number of queries per chunk, whatever the row count.

Every export announces itself with `export_started` before the first byte is written (the audit
app logs who exported what, with which filters and how many rows). Columns holding personal data
(`Exporter.personal_columns`, `ReportColumn.personal`) are masked for users without the right to
see it.

The order is the list's: an `ordering` parameter (the list's sort) first, then the exporter's own
`order_by` to break ties; without one, the exporter's `order_by`.
"""

import datetime
import decimal
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.dispatch import Signal
from django.http import QueryDict
from django.utils.translation import gettext as _

from .months import format_month
from .spreadsheets import iter_csv, write_csv, write_xlsx

CHUNK = 2000
SHAPES = ("import", "report")

# Sent once per export, before any row is written: kind, user (None at the command line without
# --user), fmt, shape ("import" or "report"), filters, rows (the count), personal_data ("clear",
# "masked" or "none"), source.
export_started = Signal()


class ExportError(Exception):
    """Bad export parameters (unknown filter, invalid value); the message says which."""


# How a report column shows its value (and, in .xlsx, its number format and default width).
REPORT_KINDS = (
    "text",
    "code",
    "name",
    "label",
    "money",
    "cents",
    "date",
    "month",
    "bool",
    "number",
)


@dataclass(frozen=True)
class ReportColumn:
    """A column of the report shape: a translatable head and how to show the value.

    `field` is a values_list lookup. `kind`: `code` (kept as text), `name` (wide text), `label`
    (a choice code shown by its label from `choices`, a TextChoices class), `money` (a Decimal of
    yuan), `cents` (an integer of fen shown as yuan), `date`, `month` (YYYYMM shown YYYY-MM),
    `bool` (是/否), `number`, `text`. `lookup` turns the field's values of a chunk of rows into
    what is shown, in one query (e.g. staff ids → their posts). `personal` names the kind of
    personal data (see gecrm.audit.masking.MASKERS) masked unless the user may see it.
    """

    label: str
    field: str
    kind: str = "text"
    choices: type | None = None
    lookup: Callable[[list], dict] | None = None
    width: float | None = None
    personal: str = ""

    def __post_init__(self):
        if self.kind not in REPORT_KINDS:
            raise ValueError(f"Unknown report column kind {self.kind!r}")


@dataclass
class Exporter:
    kind: str
    model: type
    columns: tuple[str, ...]
    filterset_class: type
    # values_list lookups, one per column unless `decorate` reshapes the rows.
    fields: tuple[str, ...]
    order_by: tuple[str, ...] = ("code",)
    text_columns: tuple[str, ...] = ()
    # Turns a chunk of values_list rows into output rows (e.g. adds staff posts in one query).
    decorate: Callable[[list[tuple]], Iterable[tuple]] | None = None
    row: Callable[[tuple], tuple] | None = field(default=None)
    # column → kind of personal data (see gecrm.audit.masking.MASKERS), masked unless the user
    # may see personal data.
    personal_columns: dict[str, str] = field(default_factory=dict)
    # The report shape's columns (empty: this kind has no report shape).
    report: tuple[ReportColumn, ...] = ()

    def personal(self, shape: str) -> bool:
        if shape == "report":
            return any(column.personal for column in self.report)
        return bool(self.personal_columns)


EXPORTERS: dict[str, Exporter] = {}


def register_exporter(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.kind] = exporter
    return exporter


def extend_report(kind: str, *columns: ReportColumn) -> None:
    """Add report columns to another app's kind (e.g. accounts adds the customers' AMs)."""
    exporter = EXPORTERS[kind]
    exporter.report = (*exporter.report, *columns)


def get_exporter(kind: str) -> Exporter:
    try:
        return EXPORTERS[kind]
    except KeyError:
        raise ExportError(
            _("Unknown kind “%(kind)s”. Use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(sorted(EXPORTERS))}
        ) from None


def export_queryset(kind: str, user, filters=None):
    """The rows `user` may see, narrowed by `filters` (a dict or QueryDict of FilterSet params),
    in the export's order: the filters' `ordering` (the list's sort) first, then the exporter's.

    `user=None` is the operator at the command line without `--user`: everything.
    """
    exporter = get_exporter(kind)
    manager = exporter.model._default_manager
    queryset = manager.all() if user is None else manager.restrict(user, "view")
    sorted_by: tuple = ()
    if filters:
        if not isinstance(filters, QueryDict):
            data = QueryDict(mutable=True)
            for key, value in filters.items():
                if isinstance(value, list | tuple):
                    data.setlist(key, [str(v) for v in value])
                else:
                    data[key] = str(value)
            filters = data
        filterset = exporter.filterset_class(data=filters, queryset=queryset)
        unknown = sorted(set(filters) - set(filterset.filters) - {"page", "format"})
        if unknown:
            raise ExportError(
                _("Unknown filter %(names)s. Filters of %(kind)s: %(known)s.")
                % {
                    "names": ", ".join(unknown),
                    "kind": kind,
                    "known": ", ".join(filterset.filters),
                }
            )
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            raise ExportError(_("Invalid filter: %(problems)s") % {"problems": problems})
        queryset = filterset.qs
        if filters.get("ordering"):
            # The list's sort, as its FilterSet applies it (the same filter as the list page).
            sorted_by = tuple(queryset.query.order_by)
    return queryset.order_by(*sorted_by, *exporter.order_by)


def export_rows(kind: str, queryset, *, mask: bool = False, shape: str = "import"):
    """The rows of `queryset` in `shape`, in its order (the exporter's when it has none)."""
    exporter = get_exporter(kind)
    if not queryset.query.order_by:
        queryset = queryset.order_by(*exporter.order_by)
    if shape == "report":
        return _report_rows(exporter, queryset, mask)
    return _import_rows(exporter, queryset, mask)


def _import_rows(exporter: Exporter, queryset, mask: bool) -> Iterator[tuple]:
    rows = queryset.values_list(*exporter.fields)
    masker = _masker(exporter) if mask else None
    if exporter.decorate is None and exporter.row is None and masker is None:
        yield from rows.iterator(chunk_size=CHUNK)
        return
    batch: list[tuple] = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield from _finish(exporter, batch, masker)
            batch = []
    if batch:
        yield from _finish(exporter, batch, masker)


def _finish(exporter: Exporter, batch: list[tuple], masker=None) -> Iterable[tuple]:
    rows = exporter.decorate(batch) if exporter.decorate else batch
    rows = map(exporter.row, rows) if exporter.row else rows
    return map(masker, rows) if masker else rows


def _masker(exporter: Exporter):
    from gecrm.audit.masking import MASKERS

    if not exporter.personal_columns:
        return None
    plan = [
        (exporter.columns.index(column), MASKERS[kind])
        for column, kind in exporter.personal_columns.items()
    ]

    def mask(row: tuple) -> tuple:
        row = list(row)
        for index, masker in plan:
            row[index] = masker(row[index])
        return tuple(row)

    return mask


# ------------------------------------------------------------------ the report shape


def report_header(exporter: Exporter) -> list[str]:
    """The report's column heads in the active language."""
    if not exporter.report:
        raise ExportError(
            _("“%(kind)s” has no report format; export it in the import format.")
            % {"kind": exporter.kind}
        )
    return [str(column.label) for column in exporter.report]


def _show(column: ReportColumn, mask: bool) -> Callable:
    """The function that turns a stored value of `column` into the value the report shows."""
    if column.personal and mask:
        from gecrm.audit.masking import MASKERS

        return MASKERS[column.personal]
    if column.kind == "label":
        labels = {value: str(label) for value, label in column.choices.choices}
        return lambda value: labels.get(value, value) if value else ""
    if column.kind == "cents":
        return lambda value: (
            None
            if value is None
            else (decimal.Decimal(value) / 100).quantize(decimal.Decimal("0.01"))
        )
    if column.kind == "month":
        return lambda value: format_month(value) if value else ""
    if column.kind == "bool":
        yes, no = _("Yes"), _("No")
        return lambda value: "" if value is None else (yes if value else no)
    if column.kind == "date":
        return lambda value: value.date() if isinstance(value, datetime.datetime) else value
    return lambda value: "" if value is None else value


def _report_rows(exporter: Exporter, queryset, mask: bool) -> Iterator[tuple]:
    columns = exporter.report
    report_header(exporter)  # refuses a kind without a report shape
    fields = list(dict.fromkeys(column.field for column in columns))
    positions = [fields.index(column.field) for column in columns]
    # A looked-up column shows what its lookup found (masked, when personal, like the others).
    shows = [
        _show(column, mask) if not column.lookup or (column.personal and mask) else None
        for column in columns
    ]
    looked_up = [i for i, column in enumerate(columns) if column.lookup]
    batch: list[tuple] = []

    def shown(i, value, found):
        if i in found:
            value = found[i].get(value, "")
            return shows[i](value) if shows[i] else value
        return shows[i](value)

    def finish(batch):
        found = {
            i: columns[i].lookup(list({row[positions[i]] for row in batch})) for i in looked_up
        }
        for row in batch:
            yield tuple(shown(i, row[p], found) for i, p in enumerate(positions))

    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield from finish(batch)
            batch = []
    if batch:
        yield from finish(batch)


# ------------------------------------------------------------------ writing


def _check(kind: str, fmt: str, shape: str) -> Exporter:
    exporter = get_exporter(kind)
    if fmt not in ("csv", "xlsx"):
        raise ExportError(_("Unknown format “%(fmt)s”: use csv or xlsx.") % {"fmt": fmt})
    if shape not in SHAPES:
        raise ExportError(_("Unknown shape “%(shape)s”: use import or report.") % {"shape": shape})
    if shape == "report":
        report_header(exporter)
    return exporter


def _announce(kind: str, user, fmt: str, filters, queryset, source: str, shape: str) -> bool:
    """Send `export_started`; True when personal columns must be masked for `user`."""
    from gecrm.audit.masking import can_view_personal_data

    exporter = get_exporter(kind)
    personal = exporter.personal(shape)
    # At the command line without --user the operator exports everything, in clear.
    mask = personal and user is not None and not can_view_personal_data(user)
    personal_data = ("masked" if mask else "clear") if personal else "none"
    export_started.send(
        sender=exporter.model,
        kind=kind,
        user=user,
        fmt=fmt,
        shape=shape,
        filters=filters,
        rows=queryset.count(),
        personal_data=personal_data,
        source=source,
    )
    return mask


def _header(exporter: Exporter, shape: str) -> list[str]:
    return report_header(exporter) if shape == "report" else list(exporter.columns)


def stream_csv(
    kind: str, user, filters=None, *, source: str = "web", shape: str = "import"
) -> Iterator[bytes]:
    """CSV bytes (UTF-8 with BOM) in chunks, for streaming HTTP responses and stdout."""
    exporter = _check(kind, "csv", shape)
    queryset = export_queryset(kind, user, filters)
    mask = _announce(kind, user, "csv", filters, queryset, source, shape)
    rows = export_rows(kind, queryset, mask=mask, shape=shape)
    return iter_csv(_header(exporter, shape), rows)


def write_export(
    kind: str,
    user,
    stream,
    fmt: str = "csv",
    filters=None,
    *,
    source: str = "cli",
    shape: str = "import",
) -> None:
    exporter = _check(kind, fmt, shape)
    queryset = export_queryset(kind, user, filters)
    mask = _announce(kind, user, fmt, filters, queryset, source, shape)
    rows = export_rows(kind, queryset, mask=mask, shape=shape)
    if shape == "report" and fmt == "xlsx":
        from .report_sheets import write_report_xlsx

        write_report_xlsx(stream, exporter.report, rows)
    elif fmt == "xlsx":
        write_xlsx(stream, exporter.columns, rows, text_columns=exporter.text_columns)
    else:
        write_csv(stream, _header(exporter, shape), rows)


def export_bytes(
    kind: str, user, fmt: str = "csv", filters=None, *, source: str = "", shape: str = "import"
) -> bytes:
    buffer = io.BytesIO()
    write_export(kind, user, buffer, fmt, filters, source=source, shape=shape)
    return buffer.getvalue()
