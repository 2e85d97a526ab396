"""What every endpoint shares: `{count, items}` pages with bounded limit/offset, detail by code,
422 answers naming each field in the client's language, and customer filters identical to the
web list's (one filterset)."""

import json

import pytest
from django.test import Client

from gecrm.api.main import Utf8JSONRenderer
from gecrm.catalog.actions import do_create_product
from gecrm.customers.api import CustomerFilters
from gecrm.customers.filtersets import CustomerFilterSet
from gecrm.org.actions import do_create_staff

LISTS = [
    "customers",
    "customers/C001/children",
    "org-units",
    "staff",
    "products",
    "regions",
]
DETAILS = [
    ("customers/C001.SZ", "code", "C001.SZ"),
    ("org-units/GD.SZ", "code", "GD.SZ"),
    ("staff/am1", "username", "am1"),
    ("products/P-CLOUD", "code", "P-CLOUD"),
    ("regions/440300", "code", "440300"),
]


@pytest.fixture
def data(hq_tree, org, admin):
    do_create_staff(username="am1", name="客户经理", org_unit=org["GD.SZ"], actor=admin)
    do_create_staff(username="am2", name="客户经理2", org_unit=org["BJ"], actor=admin)
    for code, category in [("P-CLOUD", "cloud"), ("P-FIX", "fixed")]:
        do_create_product({"code": code, "name": code, "category": category}, actor=admin)
    return hq_tree


# --- pagination ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_every_list_is_a_page_of_count_and_items(api, data, path):
    full = api.get(path, {"limit": 500}).json()
    assert set(full) == {"count", "items"}
    assert full["count"] == len(full["items"]) >= 2 or len(full["items"]) == 500  # regions
    page = api.get(path, {"limit": 1, "offset": 1}).json()
    assert page["count"] == full["count"]
    assert page["items"] == full["items"][1:2]
    beyond = api.get(path, {"offset": full["count"]}).json()
    assert beyond == {"count": full["count"], "items": []}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "1.5"}, "offset"),
        ({"offset": 10**12}, "offset"),
    ],
)
def test_every_list_rejects_a_bad_limit_or_offset(api, data, path, params, field):
    response = api.get(path, params)
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["query", field]]


@pytest.mark.parametrize(("path", "key", "value"), DETAILS)
def test_detail_by_code(api, data, path, key, value):
    response = api.get(path)
    assert response.status_code == 200, response.content
    assert response.json()[key] == value
    missing = path.rsplit("/", 1)[0] + ("/999999" if "regions" in path else "/NOPE")
    assert api.get(missing).json() == {"detail": "Not Found"}


# --- 422 in the client's language ------------------------------------------------------------


BAD_CUSTOMER = {"code": "A/B", "name": "x" * 201, "lon": 500, "colour": "red"}


def errors_by_field(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    for item in detail:
        assert set(item) >= {"loc", "msg", "type"} and item["msg"]
        assert "input" not in item  # never echo what was sent (it may be a secret)
    return {str(item["loc"][-1]): item["msg"] for item in detail}


def test_422_names_every_field_in_english(api, data):
    errors = errors_by_field(api.post("customers", BAD_CUSTOMER, **{"Accept-Language": "en"}))
    assert errors == {
        # The code rule of every entry path (gecrm.core.validation), worded the same everywhere.
        "code": (
            "A code may not contain white space, control characters, quotes, a percent sign or "
            "any of / \\ ? #, nor start with a dot."
        ),
        "name": "Ensure this value has at most 200 characters (it has 201).",
        "segment": "This field is required.",
        "org_unit": "This field is required.",
        "lon": "Ensure this value is less than or equal to 180.",
        "colour": "Unknown field.",
    }


def test_422_speaks_chinese_for_a_chinese_client(api, data):
    errors = errors_by_field(
        api.post("customers", BAD_CUSTOMER, **{"Accept-Language": "zh-CN,zh;q=0.9"})
    )
    assert errors["segment"] == errors["org_unit"] == "这个字段是必填项。"
    # The code rule's message is new in issue 11: Chinese once the lead compiles the catalogue
    # (/work/wt/zh/imports.json); until then the check is that it is the rule's message.
    assert errors["code"].startswith(("编码", "A code may not contain"))
    assert errors["lon"] == "确保该值小于或等于180。"
    assert "200" in errors["name"] and "201" in errors["name"] and "字符" in errors["name"]


def test_chinese_is_the_default_language_of_the_api(api, data):
    errors = errors_by_field(api.get("products", {"limit": "ten"}))
    assert errors == {"limit": "输入整数。"}


def test_query_errors_are_localised_too(api, data):
    response = api.get("customers", {"segment": "nope", "offset": -1}, **{"Accept-Language": "en"})
    assert errors_by_field(response) == {
        "segment": "Select a valid choice. That choice is not one of the available choices.",
        "offset": "Ensure this value is greater than or equal to 0.",
    }
    assert response.json()["detail"][0]["ctx"]["expected"].startswith("'gov'")


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_a_422(api, data, body):
    response = api.client.post(
        "/api/v1/products",
        body,
        content_type="application/json",
        headers={**api.headers, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


# --- customer filters: one filterset for the web list and the API ---------------------------


def test_the_api_offers_exactly_the_filters_of_the_web_list():
    assert set(CustomerFilters.model_fields) == set(CustomerFilterSet.base_filters)


@pytest.mark.parametrize(
    "params",
    [
        {"segment": "fin"},
        {"industry": "fin.bank"},
        {"org_unit": "GD"},
        {"region": "440000"},
        {"q": "深圳"},
        {"q": "C001.BJ"},
        {"headquarters": "false", "ordering": "-code"},
    ],
)
def test_api_and_web_list_agree_on_every_filter(api, data, admin, params):
    browser = Client()
    browser.force_login(admin)
    page = browser.get("/customers/", params)
    assert page.status_code == 200
    web_codes = [c.code for c in page.context["page"].object_list]
    api_codes = [c["code"] for c in api.get("customers", params).json()["items"]]
    assert api_codes == web_codes and api_codes


# --- encoding --------------------------------------------------------------------------------


def test_chinese_is_sent_as_utf8_not_escaped(api, data):
    response = api.get("customers/C001")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "中国示范银行".encode() in response.content
    assert b"\\u" not in response.content


def test_a_lone_surrogate_falls_back_to_escaped_json():
    text = Utf8JSONRenderer().render(None, {"name": "a\ud800"}, response_status=200)
    assert json.loads(text) == {"name": "a\ud800"}
    text.encode("utf-8")
