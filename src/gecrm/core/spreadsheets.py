"""Reading and writing the exchange spreadsheets (CSV and .xlsx).

Readers stream rows as lists of stripped strings, numbered as in the file (the header is row 1).
An .xlsx file is a zip archive: its size, unpacked size and compression ratio are checked before
any parser sees it, so a zip bomb is refused instead of exhausting memory.
Writers escape cells a spreadsheet program would run as formulas, keep numbers as numbers and
keep codes (USCC, region, phone) as text; control characters (which .xlsx cannot hold) are
written as `\x07`.
"""

import csv
import datetime
import decimal
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .validation import CONTROL_CHARACTERS, escape_controls, has_control_bytes

FORMATS = ("csv", "xlsx")
# A real .xlsx compresses its XML about 5–30 times; far beyond that it is a crafted archive.
MAX_COMPRESSION_RATIO = 200
# Below this unpacked size the ratio cannot hurt, and tiny files legitimately compress well.
RATIO_CHECK_FLOOR = 10 * 1024 * 1024
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file cannot be read as an exchange spreadsheet; the message says why and what to do."""


def file_format(name: str) -> str:
    """`csv` or `xlsx` from a file name; anything else is refused."""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise SpreadsheetError(
            _("Unsupported file type “%(ext)s”: upload a .csv or .xlsx file.") % {"ext": ext}
        )
    return ext


def check_size(path: str | os.PathLike) -> int:
    size = os.path.getsize(path)
    limit = settings.GECRM_MAX_UPLOAD_BYTES
    if size > limit:
        raise SpreadsheetError(
            _(
                "The file is %(size)s bytes; the limit is %(limit)s bytes. Split it into smaller files."
            )
            % {"size": size, "limit": limit}
        )
    return size


def check_xlsx_archive(path: str | os.PathLike) -> None:
    """Refuse anything that is not a sane zip archive before python-calamine opens it."""
    if not zipfile.is_zipfile(path):
        raise SpreadsheetError(
            _("The file is not a valid .xlsx workbook (not a zip archive). Save it again as .xlsx.")
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError(
            _("The file is not a valid .xlsx workbook: %(reason)s") % {"reason": exc}
        ) from exc
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    limit = settings.GECRM_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise SpreadsheetError(
            _(
                "The workbook unpacks to %(size)s bytes, more than the limit of %(limit)s bytes; "
                "it is refused as a possible zip bomb. Split it or use CSV."
            )
            % {"size": unpacked, "limit": limit}
        )
    if unpacked > RATIO_CHECK_FLOOR and unpacked / packed > MAX_COMPRESSION_RATIO:
        raise SpreadsheetError(
            _(
                "The workbook is compressed %(ratio)d times, far more than a real spreadsheet; "
                "it is refused as a possible zip bomb."
            )
            % {"ratio": unpacked // packed}
        )


def _unescape(value: str) -> str:
    # Our own exports prefix formula-like text with an apostrophe; take it off again so that an
    # exported file re-imports unchanged.
    if value[:1] == "'" and escape_text(value[1:]) == value:
        return value[1:]
    return value


def clean_cell(text: str) -> str:
    """A CSV cell as the reader yields it: trimmed, our formula escape taken off."""
    text = text.strip()
    return _unescape(text) if text[:1] == "'" else text


def _cell_text(value) -> str:
    """An .xlsx cell as the text a user typed: 440300.0 → "440300", True → "true"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _unescape(value.strip())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


class RowReader:
    """Iterate `(row_number, cells)` over the data rows of a spreadsheet.

    `header` holds the normalised column names (stripped, lower case). Blank rows are skipped
    but still counted, so row numbers match what the user sees in the file. `fraction()` tells
    how far through the file the reader is, for progress reports.
    """

    def __init__(self, path: str | os.PathLike, fmt: str | None = None):
        self.path = Path(path)
        self.format = fmt or file_format(self.path.name)
        self.size = check_size(self.path)
        self.header: list[str] = []
        self._done_fraction = 0.0
        if self.format == "xlsx":
            check_xlsx_archive(self.path)
            self._rows = self._xlsx_rows()
        else:
            self._rows = self._csv_rows()
        self._read_header()

    def _read_header(self) -> None:
        for number, cells in self._rows:
            if any(cells):
                if number != 1:
                    raise SpreadsheetError(
                        _("The header must be on the first row; row 1 is empty.")
                    )
                while cells and not cells[-1]:
                    cells.pop()
                self.header = [c.lstrip("\ufeff").strip().lower() for c in cells]
                return
        raise SpreadsheetError(_("The file is empty: it needs a header row."))

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        raw = open(self.path, "rb")  # noqa: SIM115 - closed in the finally below
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        number = 0
        try:
            reader = csv.reader(text)
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except UnicodeDecodeError as exc:
                    raise SpreadsheetError(
                        _(
                            "Row %(row)d is not UTF-8 text. Save the file as “CSV UTF-8” and try "
                            "again."
                        )
                        % {"row": _first_undecodable_row(self.path)}
                    ) from exc
                except csv.Error as exc:
                    raise SpreadsheetError(
                        _("Row %(row)d cannot be read as CSV: %(reason)s")
                        % {"row": number + 1, "reason": exc}
                    ) from exc
                number += 1
                if number % 4096 == 0:
                    self._done_fraction = raw.tell() / (self.size or 1)
                cells = [c.strip() for c in cells]
                if "'" in "".join(cells):  # rare: only then look for our formula escapes
                    cells = [_unescape(c) for c in cells]
                yield number, cells
        finally:
            text.close()

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
            sheet = workbook.get_sheet_by_index(0)
        except Exception as exc:  # calamine raises its own error types for corrupt workbooks
            raise SpreadsheetError(
                _("The workbook cannot be read: %(reason)s") % {"reason": exc}
            ) from exc
        total = max(sheet.total_height, 1)
        try:
            for index, row in enumerate(sheet.iter_rows()):
                if index % 4096 == 0:
                    self._done_fraction = index / total
                yield index + 1, [_cell_text(v) for v in row]
        finally:
            workbook.close()

    def may_hold_control_characters(self) -> bool:
        """False when the file certainly holds no control character (a CSV is scanned as bytes
        once, far faster than looking at every row); an .xlsx may always hold some."""
        if self.format != "csv":
            return True
        with open(self.path, "rb") as f:
            while chunk := f.read(1 << 23):
                if has_control_bytes(chunk):
                    return True
        return False

    def close(self) -> None:
        """Close the file before the end of the rows (the reader closes it at the end itself)."""
        self._rows.close()

    def fraction(self) -> float:
        return min(self._done_fraction, 1.0)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        for number, cells in self._rows:
            if any(cells):
                yield number, cells
        self._done_fraction = 1.0


def read_rows(path: str | os.PathLike, fmt: str | None = None) -> RowReader:
    return RowReader(path, fmt)


# ----------------------------------------------------------------------------------- writing


def escape_text(value: str) -> str:
    """Defuse text a spreadsheet program would run as a formula (`=1+1`, `@SUM`, `-cmd|…`).

    A lone dash is no formula: reports print it for an empty cell, as printed tables do."""
    if value == "-":
        return value
    if value and value[0] in FORMULA_PREFIXES:
        return "'" + value
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        # Looks like our own escape: escape it once more so that it reads back as it was.
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def write_csv(stream, header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = True):
    """Write a CSV (UTF-8, with a BOM so that Excel reads Chinese correctly) to a binary stream."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig" if bom else "utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    text.flush()
    text.detach()


def iter_csv(header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = True):
    """Yield a CSV in chunks of bytes (for streaming responses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(header))
    first = buffer.getvalue()
    yield (("\ufeff" if bom else "") + first).encode()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(v) for v in row])
        if count % 1000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(stream, header: Iterable[str], rows: Iterable[Iterable], *, text_columns=()):
    """Write an .xlsx (openpyxl write-only) to a binary stream or path.

    Columns named in `text_columns` are written as text cells with the text number format, so
    that Excel does not turn `91440300MA5XXXXX01` or `440300` into numbers when edited.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    header = list(header)
    text_positions = {i for i, name in enumerate(header) if name in set(text_columns)}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([escape_controls(str(name)) for name in header])
    control = CONTROL_CHARACTERS.search
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, decimal.Decimal):
                value = float(value)
            elif isinstance(value, str):
                # A control character stored before imports and the API refused them would
                # make openpyxl raise (IllegalCharacterError): write it as `\x07` instead.
                value = escape_text(escape_controls(value) if control(value) else value)
            if i in text_positions and value is not None:
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.number_format = "@"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(stream)


def _first_undecodable_row(path) -> int:
    """The CSV row (header = 1) holding the first bytes that are not UTF-8.

    The reader decodes ahead in chunks, so where it stands when decoding fails is not the row.
    """
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8-sig")
    else:
        return 1
    rows = sum(1 for _ in csv.reader(io.StringIO(good, newline="")))
    return rows + 1 if not good or good.endswith(("\n", "\r")) else rows
