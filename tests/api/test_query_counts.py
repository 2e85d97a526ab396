"""No N+1 in the API: every list and detail answers in a fixed number of queries, whether it
returns 3 rows or 25 (the same expected count is asserted for both sizes)."""

import pytest

from gecrm.catalog.actions import do_create_product
from gecrm.core import testing
from gecrm.customers.actions import do_add_contact
from gecrm.org.actions import do_create_org_unit, do_create_staff

SIZES = [3, 25]

# Bearer auth costs one query (token + user); `last_used_at` is written at most every 5 minutes, and
# the warm-up request below has already written it.
AUTH = 1


def warm_up(api, path):
    """The first request of a test pays one-off costs (token bookkeeping); count the second."""
    assert api.get(path).status_code == 200


@pytest.fixture
def many_customers(org, admin):
    """A factory: an HQ with `n` branches (each with a contact) plus `n` other headquarters."""

    def build(n):
        hq = testing.make_customer("HQ1", org["HQ"], name="总部", region="110000", actor=admin)
        for i in range(n):
            unit = org["GD.SZ"] if i % 2 else org["BJ"]
            branch = testing.make_customer(f"HQ1.B{i:02}", unit, parent=hq, actor=admin)
            do_add_contact(branch, {"name": f"联系人{i}", "phone": "13800138000"}, actor=admin)
            do_add_contact(hq, {"name": f"总部联系人{i}", "phone": "13800138000"}, actor=admin)
            testing.make_customer(f"K{i:02}", unit, region="440300" if i % 2 else None, actor=admin)
        deep = testing.make_customer("HQ1.B00.X", org["BJ"], parent=branch, actor=admin)
        return hq, deep

    return build


@pytest.mark.parametrize("n", SIZES)
def test_customer_list(api, many_customers, n, django_assert_num_queries):
    many_customers(n)
    warm_up(api, "customers")
    with django_assert_num_queries(AUTH + 2):  # count, page (region and org unit joined)
        response = api.get("customers", {"limit": 500})
    assert response.json()["count"] == 2 * n + 2
    with django_assert_num_queries(AUTH + 3):  # + the org unit subtree lookup
        response = api.get("customers", {"limit": 500, "org_unit": "GD", "q": "客户"})
    assert response.json()["count"] == n // 2 * 2


@pytest.mark.parametrize("n", SIZES)
def test_customer_detail_with_contacts_ancestors_and_branches(
    api, many_customers, n, django_assert_num_queries
):
    hq, deep = many_customers(n)
    warm_up(api, "customers")
    # customer, contacts, branch count (a headquarters has no ancestors to look up)
    with django_assert_num_queries(AUTH + 3):
        body = api.get(f"customers/{hq.code}").json()
    assert len(body["contacts"]) == n and body["branch_count"] == n
    with django_assert_num_queries(AUTH + 4):  # + its ancestors
        body = api.get(f"customers/{deep.code}").json()
    assert [a["code"] for a in body["ancestors"]] == ["HQ1", deep.ancestor_codes[-1]]
    # the customer, then count and page of its branches
    with django_assert_num_queries(AUTH + 3):
        body = api.get(f"customers/{hq.code}/children", {"limit": 500}).json()
    assert body["count"] == n
    with django_assert_num_queries(AUTH + 3):
        body = api.get(f"customers/{hq.code}/children", {"subtree": "true"}).json()
    assert body["count"] == n + 1


@pytest.mark.parametrize("n", SIZES)
def test_staff_list(api, org, admin, n, django_assert_num_queries):
    for i in range(n):
        # No password: hashing one is slower than the whole test.
        do_create_staff(
            username=f"am{i:02}",
            name=f"客户经理{i}",
            org_unit=org["GD.SZ"] if i % 2 else org["BJ"],
            posts=["am", "chief_am"] if i % 3 else ["am"],
            actor=admin,
        )
    warm_up(api, "staff")
    with django_assert_num_queries(AUTH + 3):  # count, page (user and org unit joined), posts
        response = api.get("staff", {"limit": 500})
    assert response.json()["count"] == n
    assert all(item["posts"] for item in response.json()["items"])
    with django_assert_num_queries(AUTH + 2):  # staff, posts
        assert api.get("staff/am00").json()["posts"] == ["am"]


@pytest.mark.parametrize("n", SIZES)
def test_org_unit_list(api, org, admin, n, django_assert_num_queries):
    for i in range(n):
        do_create_org_unit(
            {
                "code": f"GD.SZ.T{i:02}",
                "name": f"班组{i}",
                "kind": "team",
                "parent": org["GD.SZ"],
                "region_id": "440300" if i % 2 else None,
            },
            actor=admin,
        )
    warm_up(api, "org-units")
    with django_assert_num_queries(AUTH + 2):  # count, page (region joined)
        response = api.get("org-units", {"limit": 500})
    assert response.json()["count"] == n + 6
    with django_assert_num_queries(AUTH + 3):  # + the subtree root
        response = api.get("org-units", {"limit": 500, "within": "GD.SZ"})
    assert response.json()["count"] == n + 1


@pytest.mark.parametrize("n", SIZES)
def test_product_list(api, admin, n, django_assert_num_queries):
    for i in range(n):
        do_create_product(
            {"code": f"P{i:02}", "name": f"产品{i}", "category": "cloud", "is_ict": True},
            actor=admin,
        )
    warm_up(api, "products")
    with django_assert_num_queries(AUTH + 2):  # count, page
        response = api.get("products", {"limit": 500})
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", SIZES)
def test_region_list(api, n, django_assert_num_queries):
    warm_up(api, "regions")
    with django_assert_num_queries(AUTH + 2):
        response = api.get("regions", {"limit": n})
    assert len(response.json()["items"]) == n
