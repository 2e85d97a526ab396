"""Schemathesis over the whole API as a user without `view_personal_data`: whatever the fuzzer
sends, no response body ever carries a contact's clear phone number or e-mail address."""

import pytest
import schemathesis

from gecrm.access.models import ApiToken
from gecrm.catalog.actions import do_create_product
from gecrm.customers.actions import do_add_contact
from gecrm.org.actions import do_create_staff
from gecrm.wsgi import application
from tests.api.test_schemathesis import (  # noqa: F401 - the fixture is used by name
    FUZZ_SETTINGS,
    before_generate_body,
    before_generate_path_parameters,
    keep_test_connection,
)

schemathesis.experimental.OPEN_API_3_1.enable()
schema = schemathesis.from_wsgi("/api/v1/openapi.json", application)
schema.hook(before_generate_path_parameters)
schema.hook(before_generate_body)

# Known contacts on every customer the fuzzer is steered to (see KNOWN_PATH_VALUES there).
CONTACTS = {
    "C001": ("13911112222", "liu.yang@bank.example.cn"),
    "C001.SZ": ("13833334444", "chen.jing@sz.bank.example.cn"),
    "C001.SZ.1": ("0755-87654321", "wu.lei@ns.bank.example.cn"),
}
CLEAR = [value for pair in CONTACTS.values() for value in pair]
SEEN: list[int] = []


@pytest.fixture
def controller_bearer(hq_tree, org, admin, keep_test_connection):  # noqa: F811
    for code, (phone, email) in CONTACTS.items():
        customer = next(c for c in hq_tree.values() if c.code == code)
        do_add_contact(customer, {"name": "联系人", "phone": phone, "email": email}, actor=admin)
    do_create_product(
        {"code": "P-CLOUD", "name": "天翼云主机", "category": "cloud", "is_ict": True},
        actor=admin,
        source="test",
    )
    do_create_staff(username="am1", name="客户经理", org_unit=hq_tree["sz"].org_unit, actor=admin)
    # A group sales controller: sees every customer and contact, but not personal data.
    staff = do_create_staff(
        username="grp_sc01",
        name="集团销售管控",
        org_unit=org["HQ"],
        posts=["sales_control"],
        actor=admin,
    )
    _token, raw = ApiToken.issue(staff.user)
    return raw


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_response_carries_clear_personal_data(case, controller_bearer):
    response = case.call_and_validate(headers={"Authorization": f"Bearer {controller_bearer}"})
    body = response.text
    for value in CLEAR:
        assert value not in body, f"{case.method} {case.formatted_path}: {value} in the answer"
    if "139****2222" in body or "138****4444" in body:
        SEEN.append(1)  # a customer's contacts were in this answer, masked


def test_the_fuzzer_did_read_customers_with_contacts():
    """Guard against a vacuous pass: the run above must have fetched masked contacts."""
    if not SEEN:
        pytest.skip("run together with test_no_response_carries_clear_personal_data")
    assert SEEN
