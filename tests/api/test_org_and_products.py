"""Org units, staff, regions and products over the API."""

import pytest

from gecrm.catalog.actions import do_create_product
from gecrm.catalog.models import Product
from gecrm.core.models import ObjectChange
from gecrm.org.actions import do_create_staff
from gecrm.org.models import OrgUnit, Staff

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
    # Without passwords: hashing them would be most of the test's time.
    for username, unit, posts, name in [
        ("sz_am", "GD.SZ", ["am", "chief_am"], "李四"),
        ("gd_ctl", "GD", ["sales_control"], "张三"),
        ("bj_am", "BJ", ["am"], "王五"),
    ]:
        do_create_staff(
            username=username,
            name=name,
            org_unit=org[unit],
            posts=posts,
            email=f"{username}@example.cn",
            phone="13800138000",
            actor=admin,
        )


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


def test_create_staff_with_posts_by_code_or_label(api, org, admin):
    response = api.post(
        "staff",
        {
            "username": "sz_new",
            "name": "赵六",
            "org_unit": "GD.SZ",
            "posts": ["am", "首席客户经理", "am"],
            "email": "zhao@example.cn",
            "phone": "13900139000",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["posts"] == ["am", "chief_am"] and body["version"] == 1
    staff = Staff.objects.get(user__username="sz_new")
    assert staff.org_unit.code == "GD.SZ" and staff.user.email == "zhao@example.cn"
    assert not staff.user.has_usable_password()
    entry = ObjectChange.objects.get(object_type="org.staff", action="create")
    assert entry.source == "api" and entry.actor == admin


def test_update_staff_moves_and_replaces_posts(api, staff):
    response = api.patch("staff/sz_am", {"version": 1, "org_unit": "GD.GZ", "posts": ["presales"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["org_unit"], body["posts"], body["version"]) == ("GD.GZ", ["presales"], 2)
    assert api.patch("staff/sz_am", {"version": 1, "name": "x"}).status_code == 409
    assert Staff.objects.get(user__username="sz_am").name == "李四"
    assert api.patch("staff/nobody", {"version": 1, "name": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "bj_am", "name": "x", "org_unit": "BJ"}, "username"),  # taken
        ({"username": "a b", "name": "x", "org_unit": "BJ"}, "username"),
        ({"username": "new", "name": "", "org_unit": "BJ"}, "name"),
        ({"username": "new", "name": "x", "org_unit": "NOPE"}, "org_unit"),
        ({"username": "new", "name": "x", "org_unit": "BJ", "posts": ["king"]}, "posts"),
        ({"username": "new", "name": "x", "org_unit": "BJ", "email": "not-mail"}, "email"),
        ({"username": "new", "name": "x", "org_unit": "BJ", "phone": "1" * 21}, "phone"),
        ({"username": "new", "name": "x"}, "org_unit"),
    ],
)
def test_bad_staff_is_a_422_and_creates_nothing(api, staff, data, field):
    before = Staff.objects.count()
    response = api.post("staff", data)
    assert field in {str(loc) for item in response.json()["detail"] for loc in item["loc"]}
    assert response.status_code == 422
    assert Staff.objects.count() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x"}, "version"),
        ({"version": 1, "org_unit": "NOPE"}, "org_unit"),
        ({"version": 1, "org_unit": None}, "org_unit"),
        ({"version": 1, "posts": ["king"]}, "posts"),
        ({"version": 1, "username": "renamed"}, "username"),  # logins are not renamed here
    ],
)
def test_bad_staff_updates_are_a_422(api, staff, data, field):
    response = api.patch("staff/sz_am", data)
    assert field in {str(loc) for item in response.json()["detail"] for loc in item["loc"]}
    fresh = Staff.objects.get(user__username="sz_am")
    assert (fresh.version, fresh.org_unit.code) == (1, "GD.SZ")
