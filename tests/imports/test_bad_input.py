"""Input that used to slip through an import (issue 11), for every kind and both formats:
header-only files, Chinese column headers, control characters and NUL, cells beyond the header,
codes the API cannot address, full-width and Arabic-Indic digits, enumeration hints, and the error
report carrying the row's cells. Billing's own cases are in tests/finance/test_bad_input.py."""

import csv
import io

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from gecrm.core.exporting import export_bytes
from gecrm.core.importing import (
    IMPORTERS,
    issues_to_csv,
    issues_to_xlsx,
    run_import,
    template_bytes,
)
from gecrm.customers.models import Customer

from .helpers import CUSTOMER_HEADER, FORMATS, customer_row, problems, snapshot, write_file

KINDS = sorted(IMPORTERS)


def xlsx_text(value: str) -> str:
    """How a control character sits in an .xlsx (openpyxl refuses to write it raw)."""
    return "".join(f"_x{ord(c):04X}_" if ord(c) < 32 or ord(c) == 127 else c for c in value)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_header_only_file_is_an_error_for_every_kind(org, tmp_path, kind, fmt):
    before = snapshot()
    path = write_file(tmp_path, fmt, IMPORTERS[kind].columns, [])
    result = run_import(kind, path)
    assert [(i.row, i.message) for i in result.errors] == [(0, "The file has no data rows.")]
    assert snapshot() == before


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_chinese_templates_are_read_back_for_every_kind(org, tmp_path, kind, fmt):
    importer = IMPORTERS[kind]
    assert set(importer.chinese_headers) == set(importer.columns)  # every column has one
    path = tmp_path / f"template.{fmt}"
    path.write_bytes(template_bytes(kind, fmt, "zh"))
    result = run_import(kind, path)
    # The header is accepted: the only problem is that there are no rows.
    assert [i.row for i in result.errors] == [0]
    assert result.header == [importer.chinese_headers[c].lower() for c in importer.columns]


def test_chinese_and_mixed_headers_import_customers(org, tmp_path):
    header = ["客户编码", "客户名称", "uscc", "细分市场", "行业", "上级客户编码", "行政区划",
              "所属组织", "地址", "纬度", "经度"]  # fmt: skip
    rows = [customer_row("K1", lat="22.5", lon="114.1"), customer_row("K1.A", parent_code="K1")]
    result = run_import("customers", write_file(tmp_path, "xlsx", header, rows))
    assert result.ok, result.errors
    assert Customer.objects.get(code="K1.A").parent.code == "K1"
    assert str(Customer.objects.get(code="K1").lat) == "22.500000"


def test_the_same_column_in_both_languages_is_an_error(org, tmp_path):
    header = [*CUSTOMER_HEADER, "客户编码"]
    path = write_file(tmp_path, "csv", header, [[*customer_row("K1"), "K1"]])
    before = snapshot()
    result = run_import("customers", path)
    assert problems(result) == {(1, "客户编码")}
    assert "also as “code”" in result.errors[0].message
    assert snapshot() == before


def test_an_unknown_column_lists_both_languages(org, tmp_path):
    result = run_import("products", write_file(tmp_path, "csv", ["code", "名称"], [["P", "x"]]))
    assert "code (产品编码), name (产品名称)" in result.errors[0].message


@pytest.fixture
def admin_client(admin):
    from django.test import Client

    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def api_client(admin):
    from django.test import Client

    from gecrm.access.models import ApiToken

    _token, raw = ApiToken.issue(admin)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_web_offers_templates_in_both_languages(admin_client):
    from django.urls import reverse

    page = admin_client.get(reverse("imports:index")).content.decode()
    assert 'id="template-customers-csv-zh"' in page
    url = reverse("imports:template", args=["customers", "csv"])
    response = admin_client.get(url, {"headers": "zh"})
    assert response.status_code == 200
    first = response.content.decode("utf-8-sig").splitlines()[0]
    assert first.startswith("客户编码,客户名称,统一社会信用代码,细分市场,行业,上级客户编码")
    assert "zh" in response["Content-Disposition"]
    assert admin_client.get(url).content.decode("utf-8-sig").startswith("code,name")
    assert admin_client.get(url, {"headers": "fr"}).status_code == 404
    xlsx = admin_client.get(
        reverse("imports:template", args=["billing", "xlsx"]), {"headers": "zh"}
    )
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0)
    assert sheet.to_python()[0] == ["月份", "客户编码", "产品编码", "金额"]


# ------------------------------------------------------------------------ control characters


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_control_characters_are_an_error_for_every_kind(org, tmp_path, kind, fmt, char):
    columns = IMPORTERS[kind].columns
    cells = ["x"] * len(columns)
    cells[1] = f"a{char}b"
    if fmt == "xlsx":
        cells[1] = xlsx_text(cells[1])
    before = snapshot()
    result = run_import(kind, write_file(tmp_path, fmt, columns, [cells]))
    assert (2, columns[1]) in problems(result), result.errors
    issue = next(i for i in result.errors if (i.row, i.column) == (2, columns[1]))
    assert f"U+{ord(char):04X}" in issue.message
    assert issue.value == f"a\\x{ord(char):02x}b"  # shown, never stored raw
    assert snapshot() == before
    issues_to_xlsx(result)  # the report can be written


def test_a_nul_in_a_code_of_an_otherwise_good_file(org, tmp_path):
    path = tmp_path / "c.csv"
    good = ",".join(customer_row("K1"))
    path.write_bytes(
        f"{','.join(CUSTOMER_HEADER)}\n{good}\nK\x002,客户,,ent,,,,GD.SZ,,,\n".encode()
    )
    result = run_import("customers", path)
    assert problems(result) == {(3, "code")}
    assert not Customer.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_cells_beyond_the_header_are_an_error_for_every_kind(org, tmp_path, kind):
    columns = IMPORTERS[kind].columns
    path = tmp_path / "extra.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([columns, ["x"] * len(columns) + ["", "surplus"]])
    result = run_import(kind, path)
    extra = [i for i in result.errors if i.column == ""]
    assert [(i.row, i.value) for i in extra] == [(2, ", surplus")]
    assert "more cells than the header" in extra[0].message


def test_an_empty_trailing_cell_is_no_error(org, tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text(",".join(CUSTOMER_HEADER) + "\n" + ",".join(customer_row("K1")) + ",,\n")
    assert run_import("customers", path).ok


# ------------------------------------------------------------------------------------ codes


BAD_CODES = ["A B", 'A"B', "A'B", "A/B", ".A", "A?B", "A#B", "A%B", "A\\B", "A\u3000B"]


@pytest.mark.parametrize("code", BAD_CODES)
def test_codes_the_api_cannot_address_are_refused_by_every_entry_path(
    org, admin, tmp_path, api_client, code
):
    from django.urls import reverse

    from gecrm.core.validation import code_rule_message
    from gecrm.customers.forms import CustomerForm

    message = code_rule_message()
    for kind, row in (
        ("customers", customer_row(code)),
        ("orgunits", [code, "单位", "GD", "prefecture", "", ""]),
        ("products", [code, "产品", "cloud", "true"]),
    ):
        result = run_import(kind, write_file(tmp_path, "csv", IMPORTERS[kind].columns, [row]))
        assert (2, "code") in problems(result), (kind, result.errors)
        assert message in [i.message for i in result.errors if i.column == "code"]
        if kind == "customers":
            parent = run_import(
                kind,
                write_file(
                    tmp_path, "csv", CUSTOMER_HEADER, [customer_row("K1", parent_code=code)]
                ),
            )
            assert (2, "parent_code") in problems(parent)
    body = {"code": code, "name": "客户", "segment": "ent", "org_unit": "GD.SZ"}
    response = api_client.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 422
    with translation.override("zh-hans"):  # the API answers in Chinese by default
        api_message = code_rule_message()
    assert [e["msg"] for e in response.json()["detail"] if e["loc"][-1] == "code"] == [api_message]
    with translation.override("en"):
        form = CustomerForm(data={**body, "status": "active"}, user=admin)
        assert not form.is_valid()
        assert message in form.errors["code"]
    assert not Customer.objects.exists()
    assert reverse("imports:index")  # (the web import is run_import: covered above)


def test_good_codes_pass_every_path(org, tmp_path):
    for code in ("C001.SZ", "示范-01", "A_b.9"):
        result = run_import(
            "customers", write_file(tmp_path, "csv", CUSTOMER_HEADER, [customer_row(code)])
        )
        assert result.ok, result.errors


# ------------------------------------------------------------------------ numbers and hints


def test_full_width_coordinates_are_read_and_arabic_indic_refused(org, tmp_path):
    rows = [customer_row("K1", lat="２２．５４", lon="１１４．０６")]
    assert run_import("customers", write_file(tmp_path, "csv", CUSTOMER_HEADER, rows)).ok
    assert str(Customer.objects.get(code="K1").lat) == "22.540000"
    rows = [customer_row("K2", lat="٢٢.٥", lon="114")]
    result = run_import("customers", write_file(tmp_path, "csv", CUSTOMER_HEADER, rows))
    assert problems(result) == {(2, "lat")}
    assert "digits 0–9" in result.errors[0].message


def test_pilot_phases_read_full_width_digits(org, tmp_path):
    from gecrm.core.validation import ascii_number

    assert ascii_number("１２") == "12"
    with pytest.raises(ValueError):
        ascii_number("١٢")


def test_enumeration_errors_list_the_chinese_labels(org, tmp_path):
    rows = [customer_row("K1", segment="银行业", industry="")]
    result = run_import("customers", write_file(tmp_path, "csv", CUSTOMER_HEADER, rows))
    message = result.errors[0].message
    assert "gov (党政军)" in message and "fin (金融)" in message and "sme (中小企业)" in message
    result = run_import(
        "products",
        write_file(tmp_path, "csv", IMPORTERS["products"].columns, [["P", "x", "no", "1"]]),
    )
    assert "cloud (" in result.errors[0].message


# ------------------------------------------------------------------------------- the report


def test_the_error_report_carries_the_rows_cells(org, tmp_path):
    rows = [customer_row("K1"), customer_row("K2", org_unit="NOPE"), customer_row("K3")]
    result = run_import("customers", write_file(tmp_path, "xlsx", CUSTOMER_HEADER, rows))
    text = issues_to_csv(result).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["row", "column", "value", "message", *CUSTOMER_HEADER]
    assert lines[1][:3] == ["3", "org_unit", "NOPE"]
    assert lines[1][4:] == rows[1]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(issues_to_xlsx(result))).get_sheet_by_index(0)
    data = sheet.to_python()
    assert data[1][4:] == rows[1]


def test_the_cli_prints_the_rows_cells_after_its_problems(org, tmp_path):
    from .test_cli_and_roundtrip import run_cli

    path = write_file(tmp_path, "csv", CUSTOMER_HEADER, [customer_row("K2", org_unit="NOPE")])
    status, _out, err = run_cli("customers", str(path))
    assert status == 1
    lines = err.splitlines()
    assert lines[0].endswith("Unknown org unit code. [NOPE]")
    assert lines[1] == "    " + " | ".join(customer_row("K2", org_unit="NOPE"))


# --------------------------------------------------------------------- exports of stored data


def test_an_xlsx_export_survives_control_characters_stored_before(org, hq_tree, tmp_path):
    # (PostgreSQL cannot store NUL at all; SQLite could, before imports refused it.)
    Customer.objects.filter(code="C001.SZ").update(name="坏\x07名\x01", address="a\x1bb")
    data = export_bytes("customers", None, "xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    row = next(r for r in rows if r[0] == "C001.SZ")
    assert row[1] == "坏\\x07名\\x01"
    assert "a\\x1bb" in row
    export_bytes("customers", None, "csv")  # CSV holds them as they are
