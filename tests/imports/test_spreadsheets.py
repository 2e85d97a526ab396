"""Spreadsheet safety: zip bombs and oversize files refused, formulas defused in exports."""

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from gecrm.catalog.actions import do_create_product
from gecrm.core.exporting import export_bytes
from gecrm.core.importing import run_import
from gecrm.core.spreadsheets import escape_text, read_rows, write_csv, write_xlsx

from .helpers import snapshot, write_file

HEADER = ["code", "name", "category", "is_ict"]


def rejected(path, phrase):
    before = snapshot()
    result = run_import("products", path)
    assert not result.ok
    assert [(i.row, i.column) for i in result.errors] == [(0, "")]
    assert phrase in result.errors[0].message
    assert snapshot() == before
    return result


def test_a_zip_bomb_is_refused_before_parsing(db, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (12 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    rejected(path, "zip bomb")


def test_a_workbook_unpacking_beyond_the_limit_is_refused(db, tmp_path, settings):
    path = write_file(tmp_path, "xlsx", HEADER, [["P1", "云", "cloud", "true"]] * 50)
    settings.GECRM_MAX_UNPACKED_BYTES = 2000
    rejected(path, "zip bomb")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_oversize_file_is_refused(db, tmp_path, settings, fmt):
    path = write_file(tmp_path, fmt, HEADER, [["P1", "云", "cloud", "true"]] * 100)
    settings.GECRM_MAX_UPLOAD_BYTES = 1000
    rejected(path, "the limit is 1000 bytes")


def test_a_file_that_is_not_a_workbook_is_refused(db, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"code,name\nP1,x\n")
    rejected(path, "not a valid .xlsx")


def test_a_csv_that_is_not_utf8_is_refused(db, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("code,name,category,is_ict\nP1,云主机,cloud,true\n".encode("gbk"))
    rejected(path, "Row 2 is not UTF-8")


@pytest.mark.parametrize(("bad_row", "rows"), [(2, 3), (4, 3), (502, 600), (601, 600)])
def test_the_first_row_that_is_not_utf8_is_named(db, tmp_path, bad_row, rows):
    # The reader decodes ahead in 8 KiB chunks: the row must come from the bytes, not from it.
    lines = ["code,name,category,is_ict"] + [
        f"P{i},cloud{i},cloud,true" for i in range(2, rows + 2)
    ]
    data = "\n".join(lines[: bad_row - 1]).encode() + b"\n"
    data += f"P{bad_row},云主机,cloud,true".encode("gbk") + b"\n"
    data += "\n".join(lines[bad_row:]).encode()
    path = tmp_path / "gbk.csv"
    path.write_bytes(data)
    rejected(path, f"Row {bad_row} is not UTF-8")


def test_other_file_types_are_refused(db, tmp_path):
    path = tmp_path / "products.xls"
    path.write_bytes(b"whatever")
    rejected(path, "Unsupported file type")


def test_an_empty_file_is_refused(db, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    rejected(path, "empty")


DANGEROUS = ['=HYPERLINK("http://x")', "+86 755 1234", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_escape_text_defuses_formulas(value):
    assert escape_text(value) == "'" + value


def test_escape_text_keeps_ordinary_text_and_our_own_escape_reversible():
    assert escape_text("中国示范银行") == "中国示范银行"
    assert escape_text("") == ""
    # A value that already looks escaped is escaped again, so it reads back unchanged.
    assert escape_text("'=x") == "''=x"
    # A lone dash (an empty cell of a printed table) runs nothing and stays as it is.
    assert escape_text("-") == "-"
    assert escape_text("'-") == "''-"


def test_writers_escape_text_and_keep_numbers(tmp_path):
    from decimal import Decimal

    rows = [[value, 42, Decimal("22.540000"), "440300"] for value in DANGEROUS]
    buffer = io.BytesIO()
    write_csv(buffer, ["text", "n", "lat", "region"], rows)
    text = buffer.getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+86" in text and "'-2+3" in text and "'@SUM" in text
    assert "'\tcmd" in text and "'\rcmd" in text
    assert ",42,22.540000,440300" in text

    path = tmp_path / "out.xlsx"
    write_xlsx(path, ["text", "n", "lat", "region"], rows, text_columns=("region",))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    # XML turns a carriage return into a line feed; it is still escaped.
    assert [r[0] for r in sheet[1:]] == ["'" + v.replace("\r", "\n") for v in DANGEROUS]
    assert sheet[1][1] == 42 and sheet[1][2] == pytest.approx(22.54)
    assert sheet[1][3] == "440300"  # a code stays text
    from openpyxl import load_workbook

    cells = list(load_workbook(path).active.iter_rows(min_row=2, values_only=False))
    assert all(row[0].data_type == "s" for row in cells)  # never a formula cell
    assert cells[0][3].number_format == "@"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_formulas_are_escaped_and_reimport_unchanged(db, tmp_path, fmt):
    dangerous = DANGEROUS if fmt == "csv" else [v for v in DANGEROUS if v[0] != "\r"]
    # (.xlsx is XML, which reads a carriage return back as a line feed.)
    for i, name in enumerate([*dangerous, "'=already quoted", "普通产品"]):
        do_create_product(
            {"code": f"P{i}", "name": name, "category": "cloud", "is_ict": True},
            actor=None,
            source="test",
        )
    data = export_bytes("products", None, fmt)
    path = tmp_path / f"products.{fmt}"
    path.write_bytes(data)
    names = {number: cells[1] for number, cells in read_rows(path)}
    assert "=HYPERLINK" in names[2]
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        for line in ("P1,'+86 755 1234,", "P2,'-2+3,", "P3,'@SUM(A1),", "P4,'\tcmd,"):
            assert line in text
        assert "\"'=HYPERLINK" in text and '"\'\rcmd"' in text
    before = snapshot()
    result = run_import("products", path)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(dangerous) + 2)
    assert snapshot() == before
