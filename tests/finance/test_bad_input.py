"""Billing files with input that used to slip through (issue 11): control characters and NUL,
sums beyond a fact's range, extra cells, full-width and Arabic-Indic digits, Chinese headers, and
a file that would take most of a month's facts away (per-month figures, the CLI's confirmation).

Each runs on the suite's database: on PostgreSQL a CSV file takes the COPY route where it can.
"""

import pytest

from gecrm.core.importing import run_import
from tests.imports.helpers import run_cli

from .helpers import facts, state

SEP, OCT = 202409, 202410
HEADER = "month,customer_code,product_code,amount"
MAX = "99999999999999.99"


def issues(result):
    return {(i.row, i.column) for i in result.errors}


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f"])
def test_control_characters_are_an_error_on_their_row_and_column(world, csv_file, char):
    before = state()
    text = f"{HEADER}\n2024-09,C1,VOICE,1\n2024-09,C{char}2,VOICE,2\n2024-09,C2,LINE,3{char}4\n"
    result = run_import("billing", csv_file(text))
    assert not result.ok
    assert {(3, "customer_code"), (4, "amount")} <= issues(result), result.errors
    message = next(i for i in result.errors if i.row == 3).message
    assert f"U+{ord(char):04X}" in message
    assert state() == before


def test_nul_in_a_csv_and_a_control_character_in_an_xlsx(world, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "b.csv"
    path.write_bytes(b"month,customer_code,product_code,amount\n2024-09,C1,VO\x00ICE,1\n")
    result = run_import("billing", path)
    assert issues(result) == {(2, "product_code")}
    assert "U+0000" in result.errors[0].message
    # openpyxl refuses to write control characters, so an .xlsx can only hold them by hand:
    # a workbook whose shared string carries one as an escape (`_x0007_`) reads back with it.
    workbook = Workbook()
    workbook.active.append(["month", "customer_code", "product_code", "amount"])
    workbook.active.append(["2024-09", "C1_x0007_", "VOICE", 1])
    xlsx = tmp_path / "b.xlsx"
    workbook.save(xlsx)
    result = run_import("billing", xlsx)
    assert issues(result) == {(2, "customer_code")}
    assert "U+0007" in result.errors[0].message


def test_rows_whose_sum_overflows_are_named(world, csv_file):
    before = state()
    rows = "".join(f"2024-09,C1,VOICE,{MAX}\n" for _ in range(1000))
    text = f"{HEADER}\n2024-09,C2,VOICE,1\n{rows}"
    for dry_run in (True, False):
        result = run_import("billing", csv_file(text), dry_run=dry_run)
        assert not result.ok
        rows_named = {i.row for i in result.errors if i.column == "amount"}
        assert rows_named == set(range(3, 1003))
        assert "sum to more than 99,999,999,999,999.99" in result.errors[0].message
    assert state() == before


def test_a_sum_within_range_but_beyond_one_amount_is_refused_too(world, csv_file):
    # Two rows of the maximum: 64-bit integers hold the sum, a fact may not.
    result = run_import(
        "billing", csv_file(f"{HEADER}\n2024-09,C1,VOICE,{MAX}\n" * 1 + f"2024-09,C1,VOICE,{MAX}\n")
    )
    assert issues(result) == {(2, "amount"), (3, "amount")}
    assert facts() == {}


def test_extra_cells_are_an_error_on_their_row(world, csv_file):
    result = run_import("billing", csv_file(f"{HEADER}\n2024-09,C1,VOICE,1\n2024-09,C1,LINE,1,x\n"))
    assert issues(result) == {(3, "")}
    assert "more cells than the header" in result.errors[0].message
    assert facts() == {}


def test_full_width_digits_are_read_and_arabic_indic_refused(world, csv_file):
    result = run_import(
        "billing",
        csv_file(f"{HEADER}\n2024-09,C1,VOICE,１，２３４．５\n2024-09,C2,VOICE,－７\n"),
    )
    assert result.ok, result.errors
    assert facts() == {(SEP, "C1", "VOICE"): 123450, (SEP, "C2", "VOICE"): -700}
    result = run_import("billing", csv_file(f"{HEADER}\n2024-10,C1,VOICE,١٢٣\n"))
    assert issues(result) == {(2, "amount")}
    assert "digits 0–9" in result.errors[0].message


def test_chinese_headers(world, csv_file):
    result = run_import("billing", csv_file("月份,客户编码,产品编码,amount\n2024-09,C1,VOICE,5\n"))
    assert result.ok, result.errors
    assert facts() == {(SEP, "C1", "VOICE"): 500}
    result = run_import("billing", csv_file("月份,客户编码,customer_code,产品编码,金额\n"))
    assert (1, "customer_code") in issues(result)


def test_the_error_report_carries_the_rows_cells(world, csv_file):
    from gecrm.core.importing import issues_to_csv

    result = run_import(
        "billing", csv_file(f"{HEADER}\n2024-09,C1,VOICE,1\n2024-09,NOPE,VOICE,2\n")
    )
    assert result.errors[0].cells == ("2024-09", "NOPE", "VOICE", "2")
    lines = issues_to_csv(result).decode("utf-8-sig").splitlines()
    assert lines[0] == "row,column,value,message,month,customer_code,product_code,amount"
    assert lines[1].startswith("3,customer_code,NOPE,") and lines[1].endswith(
        ",2024-09,NOPE,VOICE,2"
    )


# ----------------------------------------------------------- a file that replaces most of a month


@pytest.fixture
def month_of_facts(world, csv_file):
    rows = "".join(
        f"2024-09,{c},{p},1\n" for c in ("C1", "C2", "C1.SZ") for p in ("VOICE", "LINE", "CLOUD")
    )
    assert run_import("billing", csv_file(f"{HEADER}\n{rows}2024-10,C1,VOICE,1\n")).ok
    return csv_file(f"{HEADER}\n2024-09,C1,VOICE,1\n2024-09,B1,VOICE,2\n2024-10,C1,VOICE,1\n")


def test_the_dry_run_says_what_each_month_loses_and_gains(month_of_facts):
    result = run_import("billing", month_of_facts, dry_run=True)
    assert result.ok
    assert result.extra["months"] == [
        {"month": "2024-09", "before": 9, "after": 2, "lost": 8, "gained": 1, "warn": True},
        {"month": "2024-10", "before": 1, "after": 1, "lost": 0, "gained": 0, "warn": False},
    ]
    assert result.needs_confirmation


def test_the_cli_refuses_without_a_terminal_and_imports_with_yes(month_of_facts, monkeypatch):
    before = state()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    status, out, err = run_cli("billing", str(month_of_facts))
    assert status == 1
    assert "! 2024-09: 9 facts → 2 (loses 8, gains 1)" in out
    assert "--yes" in err
    assert state() == before
    status, out, _err = run_cli("billing", str(month_of_facts), "--dry-run")
    assert status == 0 and "2024-09: 9 facts → 2" in out
    assert state() == before
    status, out, _err = run_cli("billing", str(month_of_facts), "--yes")
    assert status == 0, _err
    assert facts()[(SEP, "B1", "VOICE")] == 200
    assert len([k for k in facts() if k[0] == SEP]) == 2


@pytest.mark.parametrize(("answer", "imported"), [("n", False), ("y", True), ("", False)])
def test_the_cli_asks_on_a_terminal(month_of_facts, monkeypatch, answer, imported):
    import sys

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: answer)
    status, _out, err = run_cli("billing", str(month_of_facts))
    assert status == (0 if imported else 1)
    assert ((SEP, "B1", "VOICE") in facts()) is imported
    if not imported:
        assert "cancelled" in err
