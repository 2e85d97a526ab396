"""The report shape of an export as an `.xlsx` sheet for people (see `gecrm.core.exporting`).

A bold, shaded header row frozen above the data (and an auto-filter on it), column widths by the
kind of column, `#,##0.00` on money, `yyyy-mm-dd` on dates and codes kept as text. Written with
openpyxl's write-only workbook: constant memory whatever the row count. Text is escaped as in the
import format (a cell never runs as a formula) and characters an .xlsx cannot hold are dropped.
"""

import decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .spreadsheets import escape_text
from .validation import escape_controls

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
# Default widths (in characters of Excel's default font; a Chinese character counts about two).
WIDTHS = {
    "code": 16,
    "name": 30,
    "text": 18,
    "label": 14,
    "money": 18,
    "cents": 18,
    "date": 12,
    "month": 10,
    "bool": 8,
    "number": 12,
}
NUMBER_FORMATS = {
    "money": MONEY_FORMAT,
    "cents": MONEY_FORMAT,
    "date": DATE_FORMAT,
    "code": TEXT_FORMAT,
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="FFE8EEF7")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)


def column_width(column) -> float:
    """The column's width: its own, else the kind's, never narrower than its head."""
    width = column.width or WIDTHS[column.kind]
    head = str(column.label)
    head_width = sum(2 if ord(char) > 0x2E7F else 1 for char in head) + 2
    return max(width, head_width)


def _text(value: str) -> str:
    return escape_controls(escape_text(value))


def write_report_xlsx(stream, columns, rows) -> None:
    """Write `rows` (values as `exporting` shows them) under the heads of `columns`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(column)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=_text(str(column.label)))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        header.append(cell)
    sheet.append(header)
    formats = [NUMBER_FORMATS.get(column.kind) for column in columns]
    count = 0
    for row in rows:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            if isinstance(value, decimal.Decimal):
                value = float(value)
            elif isinstance(value, str):
                value = _text(value)
            if number_format and value not in (None, ""):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(stream)
