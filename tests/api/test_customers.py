"""Customers over the API: list filters, detail, branches, create, update, and every 422/409."""

import pytest

from gecrm.core import testing
from gecrm.core.models import ObjectChange
from gecrm.customers.actions import do_add_contact
from gecrm.customers.models import Customer
from gecrm.customers.uscc import make_uscc

from .conftest import error_fields

VALID_USCC = make_uscc("91440300MA5F00001")


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture
def customers(hq_tree, org, admin):
    """The bank tree plus a 广州 manufacturer (ent) and a dormant 北京 SME prospect."""
    factory = testing.make_customer(
        "C002",
        org["GD.GZ"],
        segment="ent",
        industry="ent.manufacturing",
        name="广州示范制造有限公司",
        region="440100",
        actor=admin,
    )
    from gecrm.customers.actions import do_update_customer

    sme = testing.make_customer(
        "C003",
        org["BJ"],
        segment="sme",
        industry="",
        name="北京小微科技",
        region="110105",
        actor=admin,
    )
    do_update_customer(sme, {"status": "dormant"}, expected_version=sme.version, actor=admin)
    return {**hq_tree, "factory": factory, "sme": sme}


# --- list and filters ------------------------------------------------------------------------


def test_list_is_paginated_as_count_and_items(api, customers):
    response = api.get("customers", {"limit": 2, "offset": 1})
    body = response.json()
    assert set(body) == {"count", "items"}
    assert body["count"] == 6
    assert [c["code"] for c in body["items"]] == ["C001.BJ", "C001.SZ"]


def test_list_defaults_to_50_and_caps_the_limit_at_500(api, customers):
    assert api.get("customers").json()["count"] == 6
    assert api.get("customers", {"limit": 500}).status_code == 200
    assert error_fields(api.get("customers", {"limit": 501})) == {"limit"}
    assert error_fields(api.get("customers", {"offset": -1})) == {"offset"}


def test_list_items_carry_codes_and_chinese_labels(api, customers):
    item = next(i for i in api.get("customers").json()["items"] if i["code"] == "C001.SZ")
    assert item["segment"] == "fin" and item["segment_label"] == "金融"
    assert item["industry"] == "fin.bank" and item["industry_label"] == "银行"
    assert item["org_unit"] == "GD.SZ" and item["region"] == "440300"
    assert item["region_name"] == "深圳市"
    assert item["parent_code"] == "C001" and item["is_headquarters"] is False
    assert item["status_label"] == "在网"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "制造"}, ["C002"]),
        ({"q": "C001.BJ"}, ["C001.BJ"]),
        ({"segment": "ent"}, ["C002"]),
        ({"industry": "fin.bank"}, ["C001", "C001.BJ", "C001.SZ", "C001.SZ.1"]),
        ({"org_unit": "GD"}, ["C001.SZ", "C001.SZ.1", "C002"]),
        ({"org_unit": "GD.SZ"}, ["C001.SZ", "C001.SZ.1"]),
        ({"org_unit": "NOPE"}, []),
        ({"region": "440000"}, ["C001.SZ", "C001.SZ.1", "C002"]),
        ({"region": "110000"}, ["C001", "C001.BJ", "C003"]),
        ({"region": "440100"}, ["C002"]),
        ({"status": "dormant"}, ["C003"]),
        ({"parent": "C001"}, ["C001.BJ", "C001.SZ"]),
        ({"headquarters": "true"}, ["C001", "C002", "C003"]),
        ({"headquarters": "false"}, ["C001.BJ", "C001.SZ", "C001.SZ.1"]),
        ({"ordering": "-code", "segment": "fin"}, ["C001.SZ.1", "C001.SZ", "C001.BJ", "C001"]),
        ({"ordering": "segment", "headquarters": "true"}, ["C002", "C001", "C003"]),
    ],
)
def test_each_filter_narrows_the_list(api, customers, params, expected):
    assert codes(api.get("customers", params)) == expected


def test_the_count_is_that_of_the_filtered_list(api, customers):
    body = api.get("customers", {"org_unit": "GD", "limit": 1}).json()
    assert body["count"] == 3 and len(body["items"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"segment": "nope"},
        {"industry": "银行"},
        {"status": "gone"},
        {"ordering": "uscc"},
        {"headquarters": "maybe"},
        {"q": "x" * 201},
    ],
)
def test_a_bad_filter_value_is_a_422_naming_it(api, customers, params):
    assert error_fields(api.get("customers", params)) == set(params)


# --- detail and children ---------------------------------------------------------------------


def test_detail_has_contacts_parent_and_ancestors(api, customers, admin):
    do_add_contact(
        customers["sz"],
        {"name": "王经理", "title": "行长", "phone": "13800138000", "is_primary": True},
        actor=admin,
    )
    body = api.get("customers/C001.SZ.1").json()
    assert body["parent_code"] == "C001.SZ"
    assert body["ancestor_codes"] == ["C001", "C001.SZ"]
    assert body["ancestors"] == [
        {"code": "C001", "name": "中国示范银行"},
        {"code": "C001.SZ", "name": "中国示范银行深圳分行"},
    ]
    assert body["branch_count"] == 0
    hq = api.get("customers/C001").json()
    assert (hq["ancestors"], hq["branch_count"], hq["parent_code"]) == ([], 2, None)
    # Masked by default; `unmask=true` reveals (and logs) them for a user with the right.
    contacts = api.get("customers/C001.SZ").json()["contacts"]
    assert contacts == [
        {"name": "王经理", "title": "行长", "phone": "138****8000", "email": "", "is_primary": True}
    ]
    contacts = api.get("customers/C001.SZ", {"unmask": "true"}).json()["contacts"]
    assert contacts[0]["phone"] == "13800138000"


def test_an_unknown_code_is_a_404(api, customers):
    response = api.get("customers/NOPE")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert api.get("customers/NOPE/children").status_code == 404


def test_children_lists_direct_branches_or_the_whole_subtree(api, customers):
    assert codes(api.get("customers/C001/children")) == ["C001.BJ", "C001.SZ"]
    assert codes(api.get("customers/C001/children", {"subtree": "true"})) == [
        "C001.BJ",
        "C001.SZ",
        "C001.SZ.1",
    ]
    assert api.get("customers/C001.SZ.1/children").json() == {"count": 0, "items": []}


# --- create ----------------------------------------------------------------------------------


def new_customer(**overrides):
    data = {
        "code": "C100",
        "name": "深圳示范保险",
        "uscc": VALID_USCC,
        "segment": "fin",
        "industry": "fin.insurance",
        "region": "440300",
        "org_unit": "GD.SZ",
        "address": "深圳市福田区深南大道1号",
        "lat": "22.543096",
        "lon": 114.057865,
    }
    data.update(overrides)
    return data


def test_create_makes_a_customer_and_logs_it_as_api(api, customers, admin):
    response = api.post("customers", new_customer())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "C100" and body["version"] == 1
    assert body["lat"] == pytest.approx(22.543096) and body["lon"] == pytest.approx(114.057865)
    customer = Customer.objects.get(code="C100")
    assert customer.org_unit.code == "GD.SZ" and customer.region_id == "440300"
    entry = ObjectChange.objects.get(object_id=str(customer.pk), action="create")
    assert entry.source == "api" and entry.actor == admin


def test_create_accepts_chinese_labels_for_enumerations(api, customers):
    response = api.post("customers", new_customer(segment="金融", industry="保险", status="潜在"))
    assert response.status_code == 201, response.content
    assert (response.json()["segment"], response.json()["status"]) == ("fin", "prospect")


def test_create_a_branch_under_a_parent(api, customers):
    response = api.post("customers", new_customer(parent_code="C001.SZ", uscc=""))
    assert response.status_code == 201, response.content
    assert Customer.objects.get(code="C100").path == "/C001/C001.SZ/C100/"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": None}, "code"),
        ({"name": ""}, "name"),
        ({"segment": "banking"}, "segment"),
        ({"industry": "fin.pawn"}, "industry"),
        ({"status": "alive"}, "status"),
        ({"uscc": "91440300MA5F000010"}, "uscc"),
        ({"uscc": "123"}, "uscc"),
        ({"org_unit": "NOPE"}, "org_unit"),
        ({"parent_code": "NOPE"}, "parent_code"),
        ({"region": "999999"}, "region"),
        ({"region": "4403"}, "region"),
        ({"lat": 91}, "lat"),
        ({"lon": "181"}, "lon"),
        ({"lat": "22.1234567"}, "lat"),
        ({"code": "A/B"}, "code"),
        ({"code": "C 1"}, "code"),
        ({"name": "bad\x00name"}, "name"),
        ({"industry": "ent.trade"}, "industry"),  # not in segment fin
        ({"code": "C001"}, "code"),  # taken
        ({"uscc": "914403000350606307"}, "uscc"),  # C001's
        ({"colour": "red"}, "colour"),  # unknown field
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_creates_nothing(api, customers, overrides, field):
    data = new_customer(**overrides)
    if overrides.get("code", "") is None:
        del data["code"]
    before = Customer.objects.count()
    response = api.post("customers", data)
    assert field in error_fields(response)
    for item in response.json()["detail"]:
        assert item["loc"][:2] == ["body", "payload"]
        assert item["msg"] and item["type"]
    assert Customer.objects.count() == before


def test_a_missing_required_field_is_reported(api, customers):
    response = api.post("customers", {"code": "C200"})
    assert error_fields(response) == {"name", "segment", "org_unit"}


# --- update ----------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(api, customers, admin):
    # (A position needs both coordinates: tests/api/test_bad_input.py.)
    response = api.patch(
        "customers/C002", {"version": 1, "name": "广州示范智能制造", "lat": 23.1, "lon": 113.3}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["version"], body["lat"]) == ("广州示范智能制造", 2, 23.1)
    assert body["org_unit"] == "GD.GZ"
    entry = ObjectChange.objects.filter(action="update", source="api").get()
    assert set(entry.changes) == {"name", "lat", "lon"} and entry.actor == admin


def test_patch_moves_a_branch_and_its_subtree(api, customers):
    response = api.patch("customers/C001.SZ", {"version": 1, "parent_code": "C001.BJ"})
    assert response.status_code == 200, response.content
    assert Customer.objects.get(code="C001.SZ.1").path == "/C001/C001.BJ/C001.SZ/C001.SZ.1/"


def test_patch_with_a_null_parent_makes_a_headquarters(api, customers):
    response = api.patch("customers/C001.SZ", {"version": 1, "parent_code": None})
    assert response.status_code == 200, response.content
    assert response.json()["is_headquarters"] is True
    assert Customer.objects.get(code="C001.SZ.1").path == "/C001.SZ/C001.SZ.1/"


def test_a_stale_version_is_a_409_and_changes_nothing(api, customers):
    assert api.patch("customers/C002", {"version": 1, "name": "第一次"}).status_code == 200
    response = api.patch("customers/C002", {"version": 1, "name": "第二次", "address": "x"})
    assert response.status_code == 409
    assert "detail" in response.json()
    fresh = Customer.objects.get(code="C002")
    assert (fresh.name, fresh.address, fresh.version) == ("第一次", "", 2)
    assert ObjectChange.objects.filter(action="update", source="api").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x"}, "version"),
        ({"version": 0}, "version"),
        ({"version": 1, "parent_code": "C001.SZ.1"}, "parent_code"),  # its own sub-branch
        ({"version": 1, "parent_code": "C001"}, "parent_code"),  # itself
        ({"version": 1, "parent_code": "NOPE"}, "parent_code"),
        ({"version": 1, "org_unit": "NOPE"}, "org_unit"),
        ({"version": 1, "org_unit": None}, "org_unit"),
        ({"version": 1, "name": None}, "name"),
        ({"version": 1, "region": "000000"}, "region"),
        ({"version": 1, "segment": "ent"}, "industry"),  # fin.bank no longer fits
        ({"version": 1, "uscc": "91440300MA5F000010"}, "uscc"),
        ({"version": 1, "code": "NEW"}, "code"),  # codes are not editable
    ],
)
def test_bad_updates_are_a_422_and_change_nothing(api, customers, data, field):
    before = Customer.objects.get(code="C001")
    response = api.patch("customers/C001", data)
    assert field in error_fields(response)
    after = Customer.objects.get(code="C001")
    assert (after.version, after.parent_id, after.path, after.segment) == (
        before.version,
        before.parent_id,
        before.path,
        before.segment,
    )


def test_patching_an_unknown_customer_is_a_404(api, customers):
    assert api.patch("customers/NOPE", {"version": 1, "name": "x"}).status_code == 404
