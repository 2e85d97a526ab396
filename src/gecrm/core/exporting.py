"""Exports in the exchange formats: exactly the import columns, so an export re-imports unchanged.

Each app registers an `Exporter` next to its importer. Rows come from
`Model.objects.restrict(user, "view")` narrowed by the app's FilterSet (the same filters as the
web list and the API), streamed with `values_list(...).iterator()`: constant memory and a fixed
number of queries per chunk, whatever the row count.

Every export announces itself with `export_started` before the first byte is written (the audit
app logs who exported what, with which filters and how many rows). Columns holding personal data
(`Exporter.personal_columns`) are masked for users without the right to see it.
"""

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.dispatch import Signal
from django.http import QueryDict
from django.utils.translation import gettext as _

from .spreadsheets import iter_csv, write_csv, write_xlsx

CHUNK = 2000

# Sent once per export, before any row is written: kind, user (None at the command line without
# --user), fmt, filters, rows (the count), personal_data ("clear", "masked" or "none"), source.
export_started = Signal()


class ExportError(Exception):
    """Bad export parameters (unknown filter, invalid value); the message says which."""


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


EXPORTERS: dict[str, Exporter] = {}


def register_exporter(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.kind] = exporter
    return exporter


def get_exporter(kind: str) -> Exporter:
    try:
        return EXPORTERS[kind]
    except KeyError:
        raise ExportError(
            _("Unknown kind “%(kind)s”. Use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(sorted(EXPORTERS))}
        ) from None


def export_queryset(kind: str, user, filters=None):
    """The rows `user` may see, narrowed by `filters` (a dict or QueryDict of FilterSet params).

    `user=None` is the operator at the command line without `--user`: everything.
    """
    exporter = get_exporter(kind)
    manager = exporter.model._default_manager
    queryset = manager.all() if user is None else manager.restrict(user, "view")
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
    return queryset


def export_rows(kind: str, queryset, *, mask: bool = False) -> Iterator[tuple]:
    exporter = get_exporter(kind)
    rows = queryset.order_by(*exporter.order_by).values_list(*exporter.fields)
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


def _announce(kind: str, user, fmt: str, filters, queryset, source: str) -> bool:
    """Send `export_started`; True when personal columns must be masked for `user`."""
    from gecrm.audit.masking import can_view_personal_data

    exporter = get_exporter(kind)
    # At the command line without --user the operator exports everything, in clear.
    mask = bool(exporter.personal_columns) and user is not None
    mask = mask and not can_view_personal_data(user)
    personal_data = "masked" if mask else "clear"
    if not exporter.personal_columns:
        personal_data = "none"
    export_started.send(
        sender=exporter.model,
        kind=kind,
        user=user,
        fmt=fmt,
        filters=filters,
        rows=queryset.count(),
        personal_data=personal_data,
        source=source,
    )
    return mask


def stream_csv(kind: str, user, filters=None, *, source: str = "web") -> Iterator[bytes]:
    """CSV bytes (UTF-8 with BOM) in chunks, for streaming HTTP responses and stdout."""
    exporter = get_exporter(kind)
    queryset = export_queryset(kind, user, filters)
    mask = _announce(kind, user, "csv", filters, queryset, source)
    return iter_csv(exporter.columns, export_rows(kind, queryset, mask=mask))


def write_export(
    kind: str, user, stream, fmt: str = "csv", filters=None, *, source: str = "cli"
) -> None:
    exporter = get_exporter(kind)
    if fmt not in ("csv", "xlsx"):
        raise ExportError(_("Unknown format “%(fmt)s”: use csv or xlsx.") % {"fmt": fmt})
    queryset = export_queryset(kind, user, filters)
    mask = _announce(kind, user, fmt, filters, queryset, source)
    rows = export_rows(kind, queryset, mask=mask)
    if fmt == "xlsx":
        write_xlsx(stream, exporter.columns, rows, text_columns=exporter.text_columns)
    elif fmt == "csv":
        write_csv(stream, exporter.columns, rows)
    else:
        raise ExportError(_("Unknown format “%(fmt)s”: use csv or xlsx.") % {"fmt": fmt})


def export_bytes(kind: str, user, fmt: str = "csv", filters=None, *, source: str = "") -> bytes:
    buffer = io.BytesIO()
    write_export(kind, user, buffer, fmt, filters, source=source)
    return buffer.getvalue()
