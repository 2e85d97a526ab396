"""The report shape: translated heads, labels instead of codes, names beside codes, and a
formatted .xlsx (frozen header, widths, number formats) — from the same rows as the import
format, which stays unchanged."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from gecrm.accounts.actions import do_assign
from gecrm.audit.models import AuditEvent
from gecrm.catalog.actions import do_create_product
from gecrm.core.exporting import (
    EXPORTERS,
    Exporter,
    ExportError,
    ReportColumn,
    export_bytes,
    register_exporter,
)
from gecrm.core.testing import make_customer, make_staff
from gecrm.customers.filtersets import CustomerFilterSet
from gecrm.customers.models import Customer


@pytest.fixture(autouse=True)
def chinese():
    # Reports are for Chinese readers: labels (金融, 客户经理) are asserted in Chinese; the
    # column heads through gettext, so that they hold before and after the catalogue has them.
    with translation.override("zh-hans"):
        yield


def heads(*msgids: str) -> tuple[str, ...]:
    return tuple(gettext(msgid) for msgid in msgids)


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def csv_rows(data: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def products(admin):
    return [
        do_create_product(
            {"code": code, "name": name, "category": category, "is_ict": ict}, actor=admin
        )
        for code, name, category, ict in (
            ("VOICE", "固话", "fixed", False),
            ("CLOUD", "云主机", "cloud", True),
        )
    ]


@pytest.fixture
def billing(hq_tree, products, tmp_path):
    path = tmp_path / "billing.csv"
    path.write_text(
        "month,customer_code,product_code,amount\n"
        "2024-09,C001.SZ,CLOUD,1234567.5\n2024-09,C001,VOICE,-2\n2024-10,C001.BJ,VOICE,3\n",
        encoding="utf-8",
    )
    call_command("import", "billing", str(path), stdout=io.StringIO())


def test_customers_report_has_heads_labels_and_names_beside_codes(org, hq_tree, admin):
    am = make_staff("sz_am01", org["GD.SZ"], posts=("am",), name="张三", actor=admin)
    do_assign(
        Customer.objects.get(code="C001.SZ"), am.user, "am", actor=admin, source="test",
        start=datetime.date(2020, 1, 1),
    )  # fmt: skip
    sheet = sheet_of(export_bytes("customers", None, "xlsx", shape="report"))
    rows = rows_of(sheet)
    head = rows[0]
    assert head[:8] == heads(
        "Customer code", "Customer name", "USCC", "Segment", "Industry", "Parent customer code",
        "Parent customer", "Region code",
    )  # fmt: skip
    assert head[8:] == heads(
        "Region", "Owning org unit code", "Owning org unit name", "Status", "Address",
        "Account manager",
    )  # fmt: skip
    names = [
        "Customer code", "Customer name", "USCC", "Segment", "Industry", "Parent customer code",
        "Parent customer", "Region code", "Region", "Owning org unit code", "Owning org unit name",
        "Status", "Address", "Account manager",
    ]  # fmt: skip
    by_code = {row[0]: dict(zip(names, row, strict=True)) for row in rows[1:]}
    sz = by_code["C001.SZ"]
    assert sz["Customer name"] == "中国示范银行深圳分行"
    assert (sz["Segment"], sz["Industry"]) == ("金融", "银行")  # labels, not fin / fin.bank
    assert (sz["Parent customer code"], sz["Parent customer"]) == ("C001", "中国示范银行")
    assert (sz["Owning org unit code"], sz["Owning org unit name"]) == (
        "GD.SZ",
        "深圳分公司政企客户部",
    )
    assert (sz["Region code"], sz["Region"]) == ("440300", "广东省深圳市")
    assert sz["Account manager"] == "张三"
    assert by_code["C001"]["Parent customer"] is None and by_code["C001"]["Account manager"] is None
    # People read it: frozen heads, bold, widths, codes kept as text.
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet.auto_filter.ref == f"A1:N{len(rows)}"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCN"}
    assert widths == {"A": 16, "B": 30, "C": 22, "N": 30}
    # No column narrower than its head (a Chinese character counts two).
    for cell in sheet[1]:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width >= sum(2 if ord(c) > 0x2E7F else 1 for c in cell.value)
    assert sheet["C2"].number_format == "@"


def test_the_customers_report_csv_has_the_same_heads_and_labels(org, hq_tree):
    xlsx = rows_of(sheet_of(export_bytes("customers", None, "xlsx", shape="report")))
    rows = csv_rows(export_bytes("customers", None, "csv", shape="report"))
    assert tuple(rows[0]) == xlsx[0]
    assert [row[:5] for row in rows[1:]] == [list(row[:5]) for row in xlsx[1:]]
    assert rows[1][3] == "金融"


def test_the_import_format_is_unchanged(org, hq_tree):
    rows = csv_rows(export_bytes("customers", None, "csv"))
    assert rows[0] == [
        "code", "name", "uscc", "segment", "industry", "parent_code", "region", "org_unit",
        "address", "lat", "lon",
    ]  # fmt: skip
    assert [row[:8] for row in rows[1:3]] == [
        ["C001", "中国示范银行", rows[1][2], "fin", "fin.bank", "", "110000", "HQ"],
        ["C001.BJ", "中国示范银行北京分行", rows[2][2], "fin", "fin.bank", "C001", "110000", "BJ"],
    ]
    sheet = sheet_of(export_bytes("customers", None, "xlsx"))
    assert sheet.freeze_panes is None  # the plain exchange sheet


def test_billing_report_formats_money_and_names_customers_and_products(billing):
    sheet = sheet_of(export_bytes("billing", None, "xlsx", shape="report"))
    rows = rows_of(sheet)
    assert rows[0] == heads(
        "Month", "Customer code", "Customer name", "Product code", "Product name",
        "Amount (yuan)",
    )  # fmt: skip
    assert rows[1:] == [
        ("2024-09", "C001", "中国示范银行", "VOICE", "固话", -2),
        ("2024-09", "C001.SZ", "中国示范银行深圳分行", "CLOUD", "云主机", 1234567.5),
        ("2024-10", "C001.BJ", "中国示范银行北京分行", "VOICE", "固话", 3),
    ]
    assert [sheet.cell(row, 6).number_format for row in (2, 3, 4)] == ["#,##0.00"] * 3
    assert sheet.column_dimensions["F"].width == 18
    assert sheet.freeze_panes == "A2"
    text = csv_rows(export_bytes("billing", None, "csv", shape="report"))
    assert text[2] == [
        "2024-09",
        "C001.SZ",
        "中国示范银行深圳分行",
        "CLOUD",
        "云主机",
        "1234567.50",
    ]


def test_staff_and_org_unit_reports_show_post_and_kind_labels(org, admin):
    make_staff("gd_mix", org["GD"], posts=("am", "industry_manager"), name="李四", actor=admin)
    rows = rows_of(sheet_of(export_bytes("staff", None, "xlsx", shape="report")))
    assert rows[0] == heads(
        "Username", "Full name", "Owning org unit code", "Owning org unit name", "Posts", "E-mail",
        "Work phone",
    )  # fmt: skip
    mix = next(row for row in rows if row[0] == "gd_mix")
    assert mix[1:5] == ("李四", "GD", "广东省公司政企客户部", "客户经理、行业经理")
    units = {
        row[0]: row
        for row in rows_of(sheet_of(export_bytes("orgunits", None, "xlsx", shape="report")))
    }
    assert units["GD.SZ"][:6] == (
        "GD.SZ", "深圳分公司政企客户部", "GD", "广东省公司政企客户部", "地市分公司", "440300"
    )  # fmt: skip
    assert units["GD.FIN"][7] == "金融"


def test_products_report_says_yes_or_no(products):
    rows = csv_rows(export_bytes("products", None, "csv", shape="report"))
    assert tuple(rows[0]) == heads("Product code", "Product name", "Category", "ICT")
    assert rows[1][0] == "CLOUD" and rows[1][3] == gettext("Yes") and rows[2][3] == gettext("No")
    assert rows[1][2] != "cloud"


def test_the_report_follows_the_filters_and_scope(org, hq_tree, admin):
    make_customer("G1", org["BJ"], segment="gov", industry="gov.party", actor=admin)
    rows = csv_rows(export_bytes("customers", None, "csv", {"segment": "gov"}, shape="report"))
    assert [row[0] for row in rows[1:]] == ["G1"]
    bj = make_staff("bj_am", org["BJ"], posts=("am",), actor=admin).user
    do_assign(Customer.objects.get(code="G1"), bj, "am", actor=admin, source="test")
    rows = csv_rows(export_bytes("customers", bj, "csv", shape="report"))
    assert [row[0] for row in rows[1:]] == ["G1"]


def test_the_cli_exports_a_report(org, hq_tree, tmp_path):
    out = tmp_path / "customers.xlsx"
    call_command("export", "customers", "--shape", "report", "--format", "xlsx", "-o", str(out))
    sheet = load_workbook(out).active
    assert sheet["A1"].value == gettext("Customer code") and sheet.freeze_panes == "A2"
    event = AuditEvent.objects.get(kind="export")
    assert event.details["shape"] == "report" and event.source == "cli"


def test_a_kind_without_a_report_shape_is_refused_and_not_logged(db):
    register_exporter(
        Exporter(
            kind="test_plain",
            model=Customer,
            columns=("code",),
            filterset_class=CustomerFilterSet,
            fields=("code",),
        )
    )
    try:
        with pytest.raises(ExportError, match="没有报表格式|no report format"):
            export_bytes("test_plain", None, "xlsx", shape="report")
        with pytest.raises(ExportError, match="shape|导出形式"):
            export_bytes("test_plain", None, "csv", shape="poster")
    finally:
        EXPORTERS.pop("test_plain")
    assert not AuditEvent.objects.filter(kind="export").exists()


def test_report_cells_never_run_as_formulas_nor_break_the_file(org, admin):
    make_customer("F1", org["GD"], name="=HYPERLINK(1)\x07", actor=admin)
    rows = rows_of(sheet_of(export_bytes("customers", None, "xlsx", shape="report")))
    # The formula is defused; the bell (which .xlsx cannot hold) does not break the file.
    assert rows[1][1].startswith("'=HYPERLINK(1)")


def test_unknown_report_column_kinds_are_refused():
    with pytest.raises(ValueError):
        ReportColumn("X", "code", "colour")


def test_assignments_report_names_people_and_formats_dates(org, hq_tree, admin):
    am = make_staff("sz_am02", org["GD.SZ"], posts=("am",), name="王五", actor=admin)
    customer = Customer.objects.get(code="C001.SZ")
    do_assign(
        customer, am.user, "am", actor=admin, source="test",
        start=datetime.date(2024, 9, 5), end=datetime.date(2025, 1, 31),
    )  # fmt: skip
    sheet = sheet_of(export_bytes("assignments", None, "xlsx", shape="report"))
    rows = rows_of(sheet)
    assert rows[0] == heads(
        "Customer code", "Customer name", "Username", "Full name", "Role", "Start date", "End date"
    )
    assert rows[1] == (
        "C001.SZ", "中国示范银行深圳分行", "sz_am02", "王五", "客户经理",
        datetime.datetime(2024, 9, 5), datetime.datetime(2025, 1, 31),
    )  # fmt: skip
    assert sheet["F2"].number_format == sheet["G2"].number_format == "yyyy-mm-dd"
    text = csv_rows(export_bytes("assignments", None, "csv", shape="report"))
    assert text[1][4:] == ["客户经理", "2024-09-05", "2025-01-31"]


def test_a_report_costs_the_same_queries_for_more_rows(org, hq_tree, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_bytes("customers", admin, "xlsx", shape="report")
        return len(captured)

    few = queries()
    for i in range(12):
        make_customer(f"M{i:02d}", org["GD.GZ"], region="440100", actor=admin)
    assert queries() == few
