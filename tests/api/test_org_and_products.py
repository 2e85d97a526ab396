"""Org units, staff, regions and products over the API."""

import pytest

from gecrm.catalog.actions import do_create_product
from gecrm.catalog.models import Product
from gecrm.core import testing
from gecrm.org.models import OrgUnit

from .conftest import error_fields


def codes(response, key="code") -> list[str]:
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()["items"]]


# --- org units -------------------------------------------------------------------------------


def test_org_units_list_in_tree_order_with_filters(api, org):
    assert codes(api.get("org-units")) == ["HQ", "BJ", "GD", "GD.FIN", "GD.GZ", "GD.SZ"]
    assert codes(api.get("org-units", {"within": "GD"})) == ["GD", "GD.FIN", "GD.GZ", "GD.SZ"]
    assert codes(api.get("org-units", {"kind": "prefecture"})) == ["GD.GZ", "GD.SZ"]
    assert codes(api.get("org-units", {"segment": "fin"})) == ["GD.FIN"]
    assert codes(api.get("org-units", {"parent": "HQ"})) == ["BJ", "GD"]
    assert codes(api.get("org-units", {"q": "深圳"})) == ["GD.SZ"]
    assert codes(api.get("org-units", {"ordering": "-code", "limit": 2})) == ["HQ", "GD.SZ"]


def test_org_unit_detail_has_labels_and_parent(api, org):
    body = api.get("org-units/GD.SZ").json()
    assert body["kind"] == "prefecture" and body["kind_label"] == "地市分公司"
    assert body["parent_code"] == "GD" and body["region"] == "440300"
    assert api.get("org-units/NOPE").status_code == 404


def test_create_and_update_an_org_unit(api, org):
    response = api.post(
        "org-units",
        {
            "code": "GD.SZ.NS",
            "name": "南山区政企",
            "kind": "区县",
            "parent_code": "GD.SZ",
            "region": "440305",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "district"
    response = api.patch("org-units/GD.SZ.NS", {"version": 1, "name": "南山区分局政企部"})
    assert response.status_code == 200 and response.json()["version"] == 2


def test_moving_an_org_unit_moves_its_subtree(api, org):
    response = api.patch("org-units/GD.FIN", {"version": 1, "parent_code": "GD.SZ"})
    assert response.status_code == 200, response.content
    assert OrgUnit.objects.get(code="GD.FIN").path == "/HQ/GD/GD.SZ/GD.FIN/"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "X", "name": "x", "kind": "planet", "parent_code": "HQ"}, "kind"),
        ({"code": "X", "name": "x", "kind": "province"}, "parent_code"),  # needs the group
        ({"code": "X", "name": "x", "kind": "district", "parent_code": "HQ"}, "parent_code"),
        ({"code": "X", "name": "x", "kind": "team", "parent_code": "NOPE"}, "parent_code"),
        ({"code": "X", "name": "x", "kind": "team", "parent_code": "HQ", "region": "1"}, "region"),
        ({"code": "HQ", "name": "x", "kind": "group"}, "code"),
        (
            {
                "code": "X",
                "name": "x",
                "kind": "centre",
                "parent_code": "GD",
                "segment": "fin",
                "industry": "ent.trade",
            },
            "industry",
        ),
    ],
)
def test_bad_org_units_are_a_422(api, org, data, field):
    before = OrgUnit.objects.count()
    assert field in error_fields(api.post("org-units", data))
    assert OrgUnit.objects.count() == before


def test_an_org_unit_cannot_move_under_its_own_subtree(api, org):
    assert "parent_code" in error_fields(
        api.patch("org-units/GD", {"version": 1, "parent_code": "GD.SZ"})
    )
    assert OrgUnit.objects.get(code="GD").path == "/HQ/GD/"


def test_a_stale_org_unit_version_is_a_409(api, org):
    assert api.patch("org-units/GD", {"version": 1, "name": "广东"}).status_code == 200
    assert api.patch("org-units/GD", {"version": 1, "name": "广东省"}).status_code == 409
    assert OrgUnit.objects.get(code="GD").name == "广东"


# --- staff -----------------------------------------------------------------------------------


@pytest.fixture
def staff(org, admin):
    testing.make_staff("sz_am", org["GD.SZ"], posts=["am", "chief_am"], actor=admin, name="李四")
    testing.make_staff("gd_ctl", org["GD"], posts=["sales_control"], actor=admin, name="张三")
    testing.make_staff("bj_am", org["BJ"], posts=["am"], actor=admin, name="王五")


def test_staff_list_and_filters(api, staff):
    assert codes(api.get("staff"), "username") == ["bj_am", "gd_ctl", "sz_am"]
    assert codes(api.get("staff", {"org_unit": "GD"}), "username") == ["gd_ctl", "sz_am"]
    assert codes(api.get("staff", {"post": "am"}), "username") == ["bj_am", "sz_am"]
    assert codes(api.get("staff", {"q": "张"}), "username") == ["gd_ctl"]
    assert error_fields(api.get("staff", {"post": "king"})) == {"post"}


def test_staff_detail_by_username(api, staff):
    body = api.get("staff/sz_am").json()
    assert body["org_unit"] == "GD.SZ" and body["posts"] == ["am", "chief_am"]
    assert body["post_labels"] == ["客户经理", "首席客户经理"]
    assert api.get("staff/nobody").status_code == 404


# --- regions ---------------------------------------------------------------------------------


def test_regions_filter_by_level_and_parent(api, db):
    body = api.get("regions", {"level": "province", "limit": 500}).json()
    assert body["count"] >= 31
    assert "440300" in codes(api.get("regions", {"parent": "440000", "limit": 100}))
    assert api.get("regions/440300").json()["name"] == "深圳市"
    assert api.get("regions/999999").status_code == 404
    assert error_fields(api.get("regions", {"level": "galaxy"})) == {"level"}


# --- products --------------------------------------------------------------------------------


@pytest.fixture
def products(admin):
    for code, name, category, is_ict in [
        ("P-FIX", "固定电话", "fixed", False),
        ("P-CLOUD", "天翼云主机", "cloud", True),
        ("P-IOT", "物联网卡", "iot", True),
    ]:
        do_create_product(
            {"code": code, "name": name, "category": category, "is_ict": is_ict}, actor=admin
        )


def test_products_list_and_filters(api, products):
    assert codes(api.get("products")) == ["P-CLOUD", "P-FIX", "P-IOT"]
    assert codes(api.get("products", {"is_ict": "false"})) == ["P-FIX"]
    assert codes(api.get("products", {"category": "iot"})) == ["P-IOT"]
    assert codes(api.get("products", {"q": "云"})) == ["P-CLOUD"]
    assert api.get("products/P-IOT").json()["category_label"] == "物联网"
    assert api.get("products/NOPE").status_code == 404


def test_create_a_product_deriving_the_ict_flag(api, products):
    response = api.post("products", {"code": "P-IDC", "name": "数据中心", "category": "IDC"})
    assert response.status_code == 201, response.content
    assert response.json()["is_ict"] is True
    response = api.post(
        "products", {"code": "P-BB", "name": "宽带", "category": "宽带", "is_ict": False}
    )
    assert response.status_code == 201 and response.json()["category"] == "broadband"


def test_update_a_product_with_optimistic_locking(api, products):
    response = api.patch("products/P-FIX", {"version": 1, "name": "固话"})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert api.patch("products/P-FIX", {"version": 1, "name": "x"}).status_code == 409
    assert Product.objects.get(code="P-FIX").name == "固话"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "P-X", "name": "x", "category": "magic"}, "category"),
        ({"code": "P-X", "name": "", "category": "cloud"}, "name"),
        ({"code": "P-FIX", "name": "x", "category": "cloud"}, "code"),
        ({"name": "x", "category": "cloud"}, "code"),
        ({"code": "P-X", "name": "x" * 101, "category": "cloud"}, "name"),
    ],
)
def test_bad_products_are_a_422(api, products, data, field):
    assert field in error_fields(api.post("products", data))
    assert Product.objects.count() == 3
