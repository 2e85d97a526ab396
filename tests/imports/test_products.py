"""`products` imports."""

import pytest

from gecrm.catalog.models import Product
from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange

from .helpers import FORMATS, assert_rejected_unchanged, snapshot, write_file

HEADER = ["code", "name", "category", "is_ict"]


@pytest.fixture(params=FORMATS)
def fmt(request):
    return request.param


def good_rows():
    return [
        ["P-CLOUD", "天翼云主机", "云计算", "是"],
        ["P-LINE", "数字电路专线", "leased_line", "false"],
        ["P-IOT", "物联网卡", "iot", "1"],
        ["P-FIX", "固定电话", "固话", "否"],
    ]


def test_it_imports_products(db, tmp_path, fmt):
    path = write_file(tmp_path, fmt, HEADER, good_rows())
    result = run_import("products", path)
    assert result.ok, result.errors
    assert result.created == 4
    products = {p.code: (p.category, p.is_ict) for p in Product.objects.all()}
    assert products == {
        "P-CLOUD": ("cloud", True),
        "P-LINE": ("leased_line", False),
        "P-IOT": ("iot", True),
        "P-FIX": ("fixed", False),
    }


def test_xlsx_booleans_are_accepted(db, tmp_path):
    path = write_file(
        tmp_path, "xlsx", HEADER, [["P1", "云", "cloud", True], ["P2", "线", "fixed", 0]]
    )
    result = run_import("products", path)
    assert result.ok, result.errors
    assert dict(Product.objects.values_list("code", "is_ict")) == {"P1": True, "P2": False}


def test_reimporting_products_changes_nothing(db, tmp_path, fmt):
    path = write_file(tmp_path, fmt, HEADER, good_rows())
    run_import("products", path)
    before = snapshot()
    again = run_import("products", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot() == before


def test_a_product_import_updates_changed_rows_only(db, tmp_path):
    run_import("products", write_file(tmp_path, "csv", HEADER, good_rows(), name="a"))
    log_before = ObjectChange.objects.count()
    rows = good_rows()
    rows[1] = ["P-LINE", "数字电路专线（精品）", "leased_line", "true"]
    result = run_import("products", write_file(tmp_path, "csv", HEADER, rows, name="b"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    line = Product.objects.get(code="P-LINE")
    assert (line.name, line.is_ict, line.version) == ("数字电路专线（精品）", True, 2)
    assert Product.objects.get(code="P-CLOUD").version == 1
    entry = ObjectChange.objects.order_by("id")[log_before:].get()
    assert entry.changes == {
        "name": ["数字电路专线", "数字电路专线（精品）"],
        "is_ict": [False, True],
    }


PRODUCT_ERRORS = {
    "unknown category": ([["X1", "某产品", "quantum", "true"]], {(2, "category")}),
    "bad is_ict": ([["X1", "某产品", "cloud", "maybe"]], {(2, "is_ict")}),
    "missing is_ict": ([["X1", "某产品", "cloud", ""]], {(2, "is_ict")}),
    "duplicate code": (
        [["X1", "甲", "cloud", "true"], ["X1", "乙", "cloud", "true"]],
        {(3, "code")},
    ),
    "missing name": ([["X1", "", "cloud", "true"]], {(2, "name")}),
}


@pytest.mark.parametrize("case", sorted(PRODUCT_ERRORS))
def test_a_bad_product_rejects_the_whole_file(db, tmp_path, fmt, case):
    bad_rows, expected = PRODUCT_ERRORS[case]
    rows = [["GOOD", "好产品", "cloud", "true"], *bad_rows]
    path = write_file(tmp_path, fmt, HEADER, rows)
    assert_rejected_unchanged("products", path, {(r + 1, c) for r, c in expected})


def test_a_missing_product_column_rejects_the_file(db, tmp_path, fmt):
    path = write_file(tmp_path, fmt, ["code", "name", "category"], [["X1", "某产品", "cloud"]])
    assert_rejected_unchanged("products", path, {(1, "is_ict")})
