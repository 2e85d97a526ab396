"""Which customers are customer groups (集团客户, badged 总部): top-level customers that have
branches or belong to 党政军 / 金融 / 大企业 — not a top-level SME shop. One rule
(`Customer.is_group`, `CustomerQuerySet.groups`) for the badge, the page, the home count, the
list filter and the API; `headquarters` keeps meaning "top-level"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gecrm.access.models import ApiToken
from gecrm.core.testing import make_customer
from gecrm.customers.filtersets import CustomerFilterSet
from gecrm.customers.models import Customer

from ..api.conftest import ApiClient


@pytest.fixture
def world(org, admin):
    """A bank HQ without branches, an SME shop alone, an SME chain with a shop, and a bank
    group with a branch."""
    sz = org["GD.SZ"]
    made = {
        "BANK": make_customer("BANK", sz, actor=admin),
        "SHOP": make_customer("SHOP", sz, segment="sme", industry="", actor=admin),
        "CHAIN": make_customer("CHAIN", sz, segment="sme", industry="", actor=admin),
        "GOV": make_customer("GOV", sz, segment="gov", industry="gov.party", actor=admin),
        "ENT": make_customer("ENT", sz, segment="ent", industry="ent.trade", actor=admin),
        "CLUSTER": make_customer(
            "CLUSTER", sz, segment="cluster", industry="cluster.premium", actor=admin
        ),
    }
    made["CHAIN.1"] = make_customer(
        "CHAIN.1", sz, parent=made["CHAIN"], segment="sme", industry="", actor=admin
    )
    made["BANK.1"] = make_customer("BANK.1", sz, parent=made["BANK"], actor=admin)
    return made


GROUPS = {"BANK", "CHAIN", "GOV", "ENT"}


def test_the_rule(world):
    assert {code for code, c in world.items() if c.is_group} == GROUPS
    # A branch is never a group head, even of a group segment.
    assert not world["BANK.1"].is_group
    assert world["BANK.1"].is_headquarters is False
    # "Headquarters" keeps meaning top-level: the SME shop is one, but not a group.
    assert world["SHOP"].is_headquarters and not world["SHOP"].is_group


def test_the_queryset_says_the_same_in_one_query(world):
    with CaptureQueriesContext(connection) as ctx:
        codes = set(Customer.objects.groups().values_list("code", flat=True))
        count = Customer.objects.groups().count()
    assert codes == GROUPS and count == len(GROUPS)
    assert len(ctx.captured_queries) == 2


def test_the_fast_count_is_the_count_of_the_filter(world, org):
    assert Customer.objects.count_groups() == len(GROUPS)
    # Also within a narrower queryset, as a data scope makes it.
    for qs in (
        Customer.objects.filter(code__in=["BANK", "SHOP", "CHAIN", "BANK.1"]),
        Customer.objects.filter(code__in=["CHAIN.1", "GOV"]),
        Customer.objects.filter(segment="sme"),
        Customer.objects.none(),
    ):
        assert qs.count_groups() == qs.groups().count(), qs.query


def test_the_branch_flag_annotation_avoids_a_query_per_row(world):
    with CaptureQueriesContext(connection) as ctx:
        flags = {c.code: c.is_group for c in Customer.objects.with_branch_flag()}
    assert len(ctx.captured_queries) == 1
    assert {code for code, flag in flags.items() if flag} == GROUPS


def test_an_unsaved_customer_is_not_a_group(org):
    assert not Customer(segment="sme", org_unit=org["GD.SZ"]).is_group


def test_the_list_filter_group_and_headquarters(world):
    def codes(**params):
        return set(
            CustomerFilterSet(params, queryset=Customer.objects.all()).qs.values_list(
                "code", flat=True
            )
        )

    assert codes(group="true") == GROUPS
    assert codes(group="false") == set(world) - GROUPS
    top_level = {code for code in world if "." not in code}
    assert codes(headquarters="true") == top_level  # the API contract, unchanged


def test_the_api_exposes_is_group_beside_is_headquarters(world, admin):
    _token, raw = ApiToken.issue(admin)
    api = ApiClient(raw)
    items = api.get("customers", {"limit": 100}).json()["items"]
    by_code = {item["code"]: item for item in items}
    assert {code for code, item in by_code.items() if item["is_group"]} == GROUPS
    assert by_code["SHOP"]["is_headquarters"] is True and by_code["SHOP"]["is_group"] is False
    assert {i["code"] for i in api.get("customers", {"group": "true"}).json()["items"]} == GROUPS
    top = {i["code"] for i in api.get("customers", {"headquarters": "true"}).json()["items"]}
    assert top == {code for code in world if "." not in code}
    detail = api.get("customers/SHOP").json()
    assert detail["is_group"] is False and detail["is_headquarters"] is True
