"""An importer creates only what it may edit: a province's sales controller cannot create
customers of another province, nor staff (posts are rights), nor org units or products."""

import pytest

from gecrm.core.importing import run_import
from gecrm.core.testing import make_staff
from tests.imports.helpers import snapshot, write_file

CUSTOMERS = ["code", "name", "segment", "org_unit", "parent_code"]


@pytest.fixture
def gd_controller(org, admin):
    return make_staff("gd_sc", org["GD"], posts=("sales_control",), actor=admin).user


def test_a_controller_creates_customers_in_the_province(gd_controller, tmp_path):
    path = write_file(tmp_path, "csv", CUSTOMERS, [["K1", "深圳客户", "ent", "GD.SZ", ""]])
    result = run_import("customers", path, actor=gd_controller)
    assert result.ok and result.created == 1


def test_a_customer_of_another_province_rolls_the_whole_file_back(gd_controller, tmp_path):
    rows = [["K1", "深圳客户", "ent", "GD.SZ", ""], ["K2", "北京客户", "ent", "BJ", ""]]
    path = write_file(tmp_path, "csv", CUSTOMERS, rows)
    before = snapshot()
    result = run_import("customers", path, actor=gd_controller)
    assert not result.ok and result.created == 0
    assert [(i.row, i.column, i.value) for i in result.errors] == [(3, "org_unit", "BJ")]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kind", "header", "row"),
    [
        (
            "staff",
            ["username", "name", "org_unit", "posts"],
            ["boss", "新人", "HQ", "sales_control"],
        ),
        (
            "orgunits",
            ["code", "name", "parent_code", "kind"],
            ["GD.DG", "东莞", "GD", "prefecture"],
        ),
        ("products", ["code", "name", "category", "is_ict"], ["P9", "新产品", "cloud", "true"]),
    ],
)
def test_a_controller_creates_no_staff_units_or_products(
    gd_controller, tmp_path, kind, header, row
):
    path = write_file(tmp_path, "csv", header, [row])
    before = snapshot()
    result = run_import(kind, path, actor=gd_controller)
    assert not result.ok
    assert [(i.row, i.value) for i in result.errors] == [(2, row[0])]
    assert snapshot() == before


def test_an_administrator_creates_anything(admin, org, tmp_path):
    header = ["username", "name", "org_unit", "posts"]
    path = write_file(tmp_path, "csv", header, [["boss", "新人", "HQ", "sales_control"]])
    assert run_import("staff", path, actor=admin).created == 1
