"""Control characters and half positions through the API (issue 11): every write schema answers
422 naming the field, and nothing is written."""

import pytest

from gecrm.catalog.actions import do_create_product
from gecrm.catalog.models import Product
from gecrm.customers.models import Customer
from gecrm.org.actions import do_create_staff
from gecrm.org.models import OrgUnit, Staff

from .conftest import error_fields


@pytest.fixture
def data(hq_tree, org, admin):
    do_create_staff(username="am1", name="客户经理", org_unit=org["GD.SZ"], actor=admin)
    do_create_product({"code": "P-CLOUD", "name": "云", "category": "cloud"}, actor=admin)
    return hq_tree


CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f"]


@pytest.mark.parametrize("char", CONTROLS)
def test_creates_refuse_control_characters(api, data, char):
    cases = [
        ("customers", {"code": "K1", "name": f"客{char}户", "segment": "ent", "org_unit": "GD.SZ"},
         "name", Customer, {"code": "K1"}),
        ("org-units", {"code": "U1", "name": "单位", "kind": "team", "parent_code": "GD.SZ",
                       "segment": f"e{char}"}, "segment", OrgUnit, {"code": "U1"}),
        ("products", {"code": "P1", "name": f"产品{char}", "category": "cloud"}, "name", Product,
         {"code": "P1"}),
        ("staff", {"username": "s1", "name": "员工", "org_unit": "GD.SZ",
                   "posts": ["am", f"x{char}"]}, "posts", Staff, {"user__username": "s1"}),
        ("customers", {"code": "K2", "name": "客户", "segment": "ent", "org_unit": "GD.SZ",
                       "address": f"深圳{char}"}, "address", Customer, {"code": "K2"}),
    ]  # fmt: skip
    for path, body, field, model, lookup in cases:
        response = api.post(path, body, **{"Accept-Language": "en"})
        assert field in error_fields(response), (path, response.content)
        message = next(e["msg"] for e in response.json()["detail"] if e["loc"][-1] == field)
        assert f"U+{ord(char):04X}" in message
        assert not model.objects.filter(**lookup).exists()


@pytest.mark.parametrize("char", CONTROLS)
def test_updates_refuse_control_characters(api, data, char):
    before = Customer.objects.get(code="C001").name
    response = api.patch("customers/C001", {"version": 1, "name": f"新{char}名"})
    assert error_fields(response) == {"name"}
    assert Customer.objects.get(code="C001").name == before
    response = api.patch("products/P-CLOUD", {"version": 1, "name": f"云{char}"})
    assert error_fields(response) == {"name"}
    assert Product.objects.get(code="P-CLOUD").name == "云"


def test_tab_and_line_breaks_are_text_not_control(api, data):
    response = api.patch("customers/C001", {"version": 1, "address": "深圳\n南山\t1号"})
    assert response.status_code == 200, response.content


def test_a_latitude_needs_a_longitude(api, data):
    body = {"code": "K1", "name": "客户", "segment": "ent", "org_unit": "GD.SZ", "lat": 22.5}
    assert error_fields(api.post("customers", body, **{"Accept-Language": "en"})) == {"lon"}
    body = {**body, "lat": None, "lon": 114}
    assert error_fields(api.post("customers", body)) == {"lat"}
    assert not Customer.objects.filter(code="K1").exists()
    assert api.post("customers", {**body, "lat": 22.5}).status_code == 201


def test_enumeration_errors_list_the_chinese_labels(api, data):
    body = {"code": "K1", "name": "客户", "segment": "nope", "org_unit": "GD.SZ"}
    response = api.post("customers", body, **{"Accept-Language": "en"})
    assert error_fields(response) == {"segment"}
    message = response.json()["detail"][0]["msg"]
    assert "gov (党政军)" in message and "fin (金融)" in message
    assert not Customer.objects.filter(code="K1").exists()
