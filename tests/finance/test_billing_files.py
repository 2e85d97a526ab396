"""Billing files as they come (BOM, CRLF, quotes, blank rows, other spellings) and their problems,
reported by row and column whichever route read the file.

On PostgreSQL a CSV file is COPYed into the database and checked by SQL (`BillingImporter.load`),
except files COPY would read differently from Python's csv, which are read row by row like .xlsx
files and every file on SQLite. These tests run on whichever database the suite uses; the `route`
fixture asserts which route was taken.
"""

import pytest
from django.db import connection

from gecrm.core.importing import run_import
from gecrm.finance.importers import BillingImporter

from .helpers import facts, state

SEP, OCT = 202409, 202410
BOM = "\ufeff"
HEADER = "month,customer_code,product_code,amount"


def imp(path, **kwargs):
    return run_import("billing", path, **kwargs)


@pytest.fixture
def route(monkeypatch):
    """The routes that read the files imported so far: "copy" or "rows"."""
    used = []
    load = BillingImporter.load

    def spy(self, *args):
        total = load(self, *args)
        used.append("rows" if total is None else "copy")
        return total

    monkeypatch.setattr(BillingImporter, "load", spy)
    return used


def fast():
    """The route a well-formed CSV takes on this database."""
    return "copy" if connection.vendor == "postgresql" else "rows"


def problems(result):
    return [(i.row, i.column, i.value) for i in result.errors]


def test_bom_crlf_and_quoted_cells_with_commas(world, csv_file, route):
    path = csv_file(
        f'{BOM}{HEADER}\r\n2024-09,C1,VOICE,"1,234.50"\r\n"2024-09","C2","CLOUD","-0.5"\r\n'
    )
    result = imp(path)
    assert result.ok, result.errors
    assert result.total == 2
    assert facts() == {(SEP, "C1", "VOICE"): 123450, (SEP, "C2", "CLOUD"): -50}
    assert route == [fast()]


def test_other_spellings_white_space_escapes_and_column_order(world, csv_file, route):
    path = csv_file(
        "amount,product_code,customer_code,month\n"
        '" 1,000 ",VOICE\u3000, C1 ,2024年9月\n'
        "'-5,CLOUD,C1,2024/10\n"
        "+2.5,LINE,C2,\t2024-09\n"
        "7.10,LINE,C2,2024-09\n"
    )
    result = imp(path)
    assert result.ok, result.errors
    assert facts() == {
        (SEP, "C1", "VOICE"): 100000,
        (OCT, "C1", "CLOUD"): -500,
        (SEP, "C2", "LINE"): 250 + 710,
    }
    assert route == [fast()]


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(world, csv_file, route):
    path = csv_file(
        f"{HEADER}\n"
        "2024-09,C1,VOICE,1\n"  # 2
        ",,,\n"  # 3: blank, skipped
        ' , ,"", \n'  # 4: blank too
        '2024-09,"X\nY",VOICE,1\n'  # 5: one record over two lines
        "2024-13,C1,VOICE,1\n"  # 6
        "2024-09,C1,NOPE,1.234\n"  # 7
        "2024-09,,VOICE,12a\n"  # 8
    )
    result = imp(path)
    assert problems(result) == [
        (5, "customer_code", "X\nY"),
        (6, "month", "2024-13"),
        (7, "amount", "1.234"),
        (7, "product_code", "NOPE"),
        (8, "amount", "12a"),
        (8, "customer_code", ""),
    ]
    messages = {(i.row, i.column): i.message for i in result.errors}
    assert "Unknown customer" in messages[(5, "customer_code")]
    assert "Not a month" in messages[(6, "month")]
    assert "2 decimal" in messages[(7, "amount")]
    assert "Unknown product" in messages[(7, "product_code")]
    assert "Not a number" in messages[(8, "amount")]
    assert "required" in messages[(8, "customer_code")]
    assert route == [fast()]
    good = csv_file(f"{HEADER}\n2024-09,C1,VOICE,1\n,,,\n2024-09,C2,VOICE,2\n")
    result = imp(good)
    assert result.ok and result.total == 2
    assert facts() == {(SEP, "C1", "VOICE"): 100, (SEP, "C2", "VOICE"): 200}


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("2024-13,C1,VOICE,1", "month", "Not a month"),
        ("3000-01,C1,VOICE,1", "month", "Not a month"),
        ("2024-09,C1,VOICE,1.234", "amount", "2 decimal"),
        ("2024-09,C1,VOICE,-", "amount", "Not a number"),
        ("2024-09,C1,VOICE,1e5", "amount", "Not a number"),
        ("2024-09,C1,VOICE,99999999999999999", "amount", "too large"),
        ("2024-09,NOPE,VOICE,1", "customer_code", "Unknown customer"),
        ("2024-09,C1,NOPE,1", "product_code", "Unknown product"),
        ('2024-09,"C1,X",VOICE,1', "customer_code", "Unknown customer"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_written(world, csv_file, route, row, column, message):
    imp(csv_file(f"{HEADER}\n2024-09,C2,VOICE,1\n"))
    before = state()
    result = imp(csv_file(f"{BOM}{HEADER}\r\n2024-09,C1,VOICE,1\r\n{row}\r\n"))
    assert [(i.row, i.column) for i in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert state() == before
    assert route == [fast(), fast()]


def test_empty_files(world, csv_file, route):
    for text in ("", BOM, "\r\n"):
        result = imp(csv_file(text))
        assert [i.row for i in result.errors] == [0]
        assert "empty" in result.errors[0].message
    for text in (f"{HEADER}\n", f"{BOM}{HEADER}\r\n", f"{HEADER}"):
        result = imp(csv_file(text))
        assert [i.row for i in result.errors] == [0]
        assert "no data rows" in result.errors[0].message
    assert not state()[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An empty cell after the last column (a trailing comma): COPY refuses it, the reader
        # ignores it. A cell with something in it is an error (test_bad_input.py).
        (f"{HEADER}\n2024-09,C1,VOICE,1,\n", {(SEP, "C1", "VOICE"): 100}),
        # A blank line: COPY refuses it, the reader skips it.
        (f"{HEADER}\n2024-09,C1,VOICE,1\n\n2024-09,C2,VOICE,2\n",
         {(SEP, "C1", "VOICE"): 100, (SEP, "C2", "VOICE"): 200}),
        # Mixed line endings.
        (f"{HEADER}\r\n2024-09,C1,VOICE,1\n", {(SEP, "C1", "VOICE"): 100}),
    ],
)  # fmt: skip
def test_files_copy_would_refuse_are_read_row_by_row(world, csv_file, route, text, expected):
    result = imp(csv_file(text))
    assert result.ok, result.errors
    assert facts() == expected
    assert route == ["rows"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # Python's csv keeps a quote inside an unquoted cell; COPY would start a quoted part.
        (f'{HEADER}\n2024-09,C"1,VOICE,1\n', (2, "customer_code", 'C"1')),
        # COPY would stop reading at a "\." line.
        (f"{HEADER}\n\\.\n2024-09,C1,VOICE,1\n", (2, "customer_code", "")),
    ],
)
def test_files_copy_would_misread_are_read_row_by_row(world, csv_file, route, text, problem):
    result = imp(csv_file(text))
    assert problem in problems(result)
    assert route == ["rows"]


def test_a_file_that_is_not_utf8_is_reported(world, csv_file, route):
    good = "2024-09,C1,VOICE,1\n" * 2000  # more than the reader decodes with the header
    result = imp(csv_file(f"{HEADER}\n{good}".encode() + b"2024-09,\xff,VOICE,1\n"))
    assert [i.row for i in result.errors] == [0]
    assert "Row 2002 is not UTF-8" in result.errors[0].message
    assert route == ["rows"]


def test_both_routes_read_a_file_alike(world, csv_file, route, monkeypatch):
    """The same file read by the fast route, then row by row, gives the same facts: the second
    import changes nothing."""
    spellings = ["2024-09", "2024/9", " 2024-09", "2024年9月"]
    amounts = ["1", "-2.5", "0.05", "1,000", " 3 ", "'-4", "+6.10", "7."]
    customers = ["C1", "C1.SZ", "C2", " B1", "B1.X"]
    products = ["VOICE", "LINE", "CLOUD"]
    lines = [HEADER]
    for i in range(400):
        lines.append(f'{spellings[i % 4]},{customers[i % 5]},{products[i % 3]},"{amounts[i % 8]}"')
        if i % 97 == 0:
            lines.append(",,,")
    path = csv_file(BOM + "\r\n".join(lines) + "\r\n")
    first = imp(path)
    assert first.ok, first.errors
    assert first.total == 400
    monkeypatch.setattr(BillingImporter, "load", lambda self, *args: None)
    again = imp(path)
    assert again.ok
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert route == [fast()]
