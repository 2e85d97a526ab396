"""`customers` imports: the whole file or nothing, idempotent, updates, every error kind."""

import pytest

from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange
from gecrm.customers.models import Customer

from .helpers import (
    CUSTOMER_HEADER,
    FORMATS,
    assert_rejected_unchanged,
    bad_check_character,
    customer_row,
    snapshot,
    uscc,
    write_file,
)

HEADER = CUSTOMER_HEADER
row = customer_row  # a valid 深圳 manufacturer with some values changed


def good_rows():
    # The branch comes before its HQ: parents may follow their children.
    return [
        row(
            "K1.GZ",
            name="示范制造广州分公司",
            parent_code="K1",
            region="440100",
            org_unit="GD.GZ",
            uscc=uscc(2),
            lat="23.13",
            lon="113.26",
            address="广州市天河路1号",
        ),  # fmt: skip
        row("K1", name="示范制造集团", segment="大企业", industry="制造业", uscc=uscc(1)),
        row("K2", name="小微商户", segment="sme", industry="", region="", uscc=""),
        row("K1.GZ.1", name="示范制造番禺工厂", parent_code="K1.GZ", org_unit="GD.GZ"),
    ]


@pytest.fixture(params=FORMATS)
def fmt(request):
    return request.param


def test_it_imports_a_good_file(org, tmp_path, fmt):
    path = write_file(tmp_path, fmt, HEADER, good_rows())
    result = run_import("customers", path)
    assert result.ok, result.errors
    assert (result.total, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    hq = Customer.objects.get(code="K1")
    assert (hq.segment, hq.industry, hq.uscc, hq.parent_id) == (
        "ent",
        "ent.manufacturing",
        uscc(1),
        None,
    )
    branch = Customer.objects.get(code="K1.GZ")
    assert branch.parent == hq
    assert branch.org_unit.code == "GD.GZ"
    assert branch.region_id == "440100"
    assert str(branch.lat) == "23.130000"
    assert branch.address == "广州市天河路1号"
    leaf = Customer.objects.get(code="K1.GZ.1")
    assert leaf.path == "/K1/K1.GZ/K1.GZ.1/"
    assert leaf.depth == 2
    assert set(hq.descendants(include_self=False).values_list("code", flat=True)) == {
        "K1.GZ",
        "K1.GZ.1",
    }
    assert Customer.objects.get(code="K2").region_id is None
    created = ObjectChange.objects.filter(object_type="customers.customer", action="create")
    assert created.count() == 4
    assert created.filter(source="import").count() == 4
    assert all(c.version == 1 for c in Customer.objects.all())


def test_it_accepts_numbers_for_codes_in_xlsx(org, tmp_path):
    # Excel turns 440300 into a number unless the cell is text: it still means the region.
    path = write_file(tmp_path, "xlsx", HEADER, [row("K9", region=440300, lat=22.5, lon=114)])
    result = run_import("customers", path)
    assert result.ok, result.errors
    customer = Customer.objects.get(code="K9")
    assert customer.region_id == "440300"
    assert (str(customer.lat), str(customer.lon)) == ("22.500000", "114.000000")


def test_it_accepts_a_bom(org, tmp_path):
    path = write_file(tmp_path, "csv", HEADER, good_rows(), bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = run_import("customers", path)
    assert result.ok, result.errors
    assert result.created == 4


def test_reimporting_the_same_file_changes_nothing(org, tmp_path, fmt):
    path = write_file(tmp_path, fmt, HEADER, good_rows())
    assert run_import("customers", path).created == 4
    before = snapshot()
    again = run_import("customers", path)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot() == before  # versions, timestamps and the change log included


def test_an_import_that_changes_rows_updates_them(org, hq_tree, tmp_path, fmt):
    sub_version = Customer.objects.get(code="C001.SZ.1").version
    log_before = ObjectChange.objects.count()
    rows = [
        # Renamed, re-parented under the 北京 branch, new coordinates.
        row(
            "C001.SZ",
            name="中国示范银行深圳分行（新）",
            segment="fin",
            industry="fin.bank",
            parent_code="C001.BJ",
            uscc=hq_tree["sz"].uscc,
            lat="22.54",
            lon="114.06",
        ),  # fmt: skip
    ]
    path = write_file(tmp_path, fmt, HEADER, rows)
    result = run_import("customers", path)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    sz = Customer.objects.get(code="C001.SZ")
    assert sz.name == "中国示范银行深圳分行（新）"
    assert sz.parent.code == "C001.BJ"
    assert sz.version == hq_tree["sz"].version + 1
    assert sz.path == "/C001/C001.BJ/C001.SZ/"
    assert str(sz.lat) == "22.540000"
    # The sub-branch moved with it; its own row did not change.
    sub = Customer.objects.get(code="C001.SZ.1")
    assert sub.path == "/C001/C001.BJ/C001.SZ/C001.SZ.1/"
    assert sub.depth == 3
    assert sub.version == sub_version
    entries = ObjectChange.objects.order_by("id")[log_before:]
    assert [(e.object_id, e.action) for e in entries] == [(str(sz.pk), "update")]
    changes = entries[0].changes
    assert changes["name"] == ["中国示范银行深圳分行", "中国示范银行深圳分行（新）"]
    assert changes["parent"] == [hq_tree["hq"].pk, hq_tree["bj"].pk]
    assert set(changes) == {"name", "parent", "lat", "lon"}


def test_two_customers_may_swap_their_uscc(org, hq_tree, tmp_path):
    bj, sz = hq_tree["bj"], hq_tree["sz"]
    rows = [
        row(
            "C001.SZ",
            name=sz.name,
            segment="fin",
            industry="fin.bank",
            parent_code="C001",
            uscc=bj.uscc,
        ),  # fmt: skip
        row(
            "C001.BJ",
            name=bj.name,
            segment="fin",
            industry="fin.bank",
            parent_code="C001",
            uscc=sz.uscc,
            region="110000",
            org_unit="BJ",
        ),  # fmt: skip
    ]
    path = write_file(tmp_path, "csv", HEADER, rows)
    result = run_import("customers", path)
    assert result.ok, result.errors
    assert Customer.objects.get(code="C001.SZ").uscc == bj.uscc
    assert Customer.objects.get(code="C001.BJ").uscc == sz.uscc


# ------------------------------------------------------------------------------- rejections

ERROR_CASES = {
    # name: (rows, expected (row, column) problems)
    "missing required value": ([row("X1", name="")], {(2, "name")}),
    "unknown segment": ([row("X1", segment="xyz")], {(2, "segment")}),
    "unknown industry": ([row("X1", industry="mining")], {(2, "industry")}),
    "industry of another segment": (
        [row("X1", segment="gov", industry="fin.bank")],
        {(2, "industry")},
    ),
    "bad uscc check character": ([row("X1", uscc=bad_check_character(uscc(5)))], {(2, "uscc")}),
    "uscc of the wrong shape": ([row("X1", uscc="91440300ABC")], {(2, "uscc")}),
    "duplicate uscc in the file": (
        [row("X1", uscc=uscc(5)), row("X2", uscc=uscc(5))],
        {(3, "uscc")},
    ),
    "parent cycle": (
        [row("X1", parent_code="X2"), row("X2", parent_code="X3"), row("X3", parent_code="X1")],
        {(2, "parent_code"), (3, "parent_code"), (4, "parent_code")},
    ),
    "own parent": ([row("X1", parent_code="X1")], {(2, "parent_code")}),
    "duplicate code": ([row("X1"), row("X2"), row("X1", name="另一个")], {(4, "code")}),
    "unknown parent": ([row("X1", parent_code="NOPE")], {(2, "parent_code")}),
    "unknown org unit": ([row("X1", org_unit="NOPE")], {(2, "org_unit")}),
    "bad region": ([row("X1", region="999999")], {(2, "region")}),
    "latitude not a number": ([row("X1", lat="北纬22", lon="114")], {(2, "lat")}),
    "latitude out of range": ([row("X1", lat="91", lon="114")], {(2, "lat")}),
    "longitude out of range": ([row("X1", lat="22", lon="-181")], {(2, "lon")}),
    "latitude without longitude": ([row("X1", lat="22")], {(2, "lon")}),
    "code with a slash": ([row("X/1")], {(2, "code")}),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_a_bad_row_rejects_the_whole_file(org, hq_tree, tmp_path, fmt, case):
    bad_rows, expected = ERROR_CASES[case]
    # A good row first: it must not be written either.
    rows = [row("GOOD", name="好客户")] + bad_rows
    expected = {(r + 1, c) for r, c in expected}
    path = write_file(tmp_path, fmt, HEADER, rows)
    assert_rejected_unchanged("customers", path, expected)
    assert not Customer.objects.filter(code="GOOD").exists()


def test_every_problem_is_listed_by_row_and_column(org, hq_tree, tmp_path, fmt):
    rows = [
        row("GOOD"),
        row("B1", segment="xyz", region="999999", org_unit="NOPE"),
        row("B2", uscc=bad_check_character(uscc(7)), lat="abc", lon="200"),
        row("B3", parent_code="B4"),
        row("B4", parent_code="B3"),
        row("B5", parent_code="MISSING"),
        row("GOOD"),
        row("B6", uscc=hq_tree["bj"].uscc),  # held by another customer in the database
        # A cycle through the database: the HQ under its own grandchild.
        row(
            "C001",
            segment="fin",
            industry="fin.bank",
            parent_code="C001.SZ.1",
            uscc=hq_tree["hq"].uscc,
        ),  # fmt: skip
    ]
    path = write_file(tmp_path, fmt, HEADER, rows)
    result = assert_rejected_unchanged(
        "customers",
        path,
        {
            (3, "segment"),
            (3, "region"),
            (3, "org_unit"),
            (4, "uscc"),
            (4, "lat"),
            (4, "lon"),
            (5, "parent_code"),
            (6, "parent_code"),
            (7, "parent_code"),
            (8, "code"),
            (9, "uscc"),
            (10, "parent_code"),
        },  # fmt: skip
    )
    rows_reported = [issue.row for issue in result.errors]
    assert rows_reported == sorted(rows_reported)
    by_cell = {(i.row, i.column): i for i in result.errors}
    assert by_cell[(3, "org_unit")].value == "NOPE"
    assert "cycle" in by_cell[(5, "parent_code")].message.lower()
    assert "cycle" in by_cell[(10, "parent_code")].message.lower()


@pytest.mark.parametrize("missing", ["code", "name", "segment", "org_unit"])
def test_a_missing_required_column_rejects_the_file(org, tmp_path, fmt, missing):
    header = [c for c in HEADER if c != missing]
    rows = [[v for c, v in zip(HEADER, r, strict=True) if c != missing] for r in good_rows()]
    path = write_file(tmp_path, fmt, header, rows)
    result = assert_rejected_unchanged("customers", path, {(1, missing)})
    assert missing in result.errors[0].message


def test_unknown_and_repeated_columns_are_reported(org, tmp_path):
    path = write_file(tmp_path, "csv", [*HEADER, "colour", "name"], [[*row("X1"), "red", "x"]])
    assert_rejected_unchanged("customers", path, {(1, "colour"), (1, "name")})


def test_optional_columns_may_be_left_out(org, tmp_path, fmt):
    header = ["code", "name", "segment", "org_unit"]
    path = write_file(tmp_path, fmt, header, [["M1", "极简客户", "金融", "GD.SZ"]])
    result = run_import("customers", path)
    assert result.ok, result.errors
    customer = Customer.objects.get(code="M1")
    assert (customer.segment, customer.industry, customer.uscc) == ("fin", "", "")
