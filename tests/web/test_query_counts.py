"""Query budgets of the main pages: the number of queries does not grow with the rows shown.

Each test renders a page over a small data set, counts the queries, grows the data six-fold and
asserts the very same count with `django_assert_num_queries` (plus a fixed ceiling, so a page
cannot quietly become expensive in a constant way either).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gecrm.catalog.actions import do_create_product
from gecrm.core.testing import make_customer, make_staff
from gecrm.customers.actions import do_add_contact, do_update_customer
from gecrm.org.actions import do_create_org_unit

SMALL, LARGE = 5, 30
CEILING = 20


@pytest.fixture
def logged_in(client, admin):
    client.force_login(admin)
    return client


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def assert_constant(client, url, grow, django_assert_num_queries):
    grow(SMALL)
    baseline = count_queries(client, url)
    assert baseline <= CEILING, f"{url}: {baseline} queries"
    grow(LARGE - SMALL)
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_customer_list(logged_in, org, admin, django_assert_num_queries):
    made = []

    def grow(n):
        for _ in range(n):
            i = len(made)
            hq = made[0] if made else None
            unit = org["GD.SZ"] if i % 2 else org["BJ"]
            made.append(make_customer(f"Q{i:03d}", unit, parent=hq, actor=admin))

    response = assert_constant(
        logged_in, reverse("web:customer_list") + "?per_page=50", grow, django_assert_num_queries
    )
    assert len(response.context["object_list"]) == LARGE


def test_customer_list_with_account_managers_and_a_search(
    logged_in, org, admin, django_assert_num_queries
):
    """The account manager column is one query per page, however many customers have AMs;
    a search adds no query per row."""
    from gecrm.accounts.actions import do_assign

    made = []

    def grow(n):
        for _ in range(n):
            i = len(made)
            customer = make_customer(f"A{i:03d}", org["GD.SZ"], name=f"大地银行{i}", actor=admin)
            am = make_staff(f"am_q{i:03d}", org["GD.SZ"], actor=admin)
            do_assign(customer, am.user, "am", actor=admin)
            do_add_contact(customer, {"name": f"张{i}", "phone": f"1380000{i:04d}"}, actor=admin)
            made.append(customer)

    url = reverse("web:customer_list") + "?per_page=50&q=ddyh&ordering=name"
    response = assert_constant(logged_in, url, grow, django_assert_num_queries)
    rows = response.context["object_list"]
    assert len(rows) == LARGE
    assert all(len(c.account_managers) == 1 for c in rows)


def test_customer_list_filtered(logged_in, org, admin, django_assert_num_queries):
    made = []

    def grow(n):
        for _ in range(n):
            made.append(make_customer(f"F{len(made):03d}", org["GD.SZ"], actor=admin))

    url = reverse("web:customer_list") + "?org_unit=GD&segment=fin&region=440000&per_page=50"
    response = assert_constant(logged_in, url, grow, django_assert_num_queries)
    assert len(response.context["object_list"]) == LARGE


def test_customer_detail(logged_in, org, admin, hq_tree, django_assert_num_queries):
    """Branches, sub-branches, contacts and change history all grow; the queries do not."""
    hq, sz = hq_tree["hq"], hq_tree["sz"]
    count = [0]

    def grow(n):
        for _ in range(n):
            i = count[0]
            count[0] += 1
            branch = make_customer(f"C001.X{i:03d}", org["GD.GZ"], parent=hq, actor=admin)
            make_customer(f"C001.SZ.{i + 2}", org["GD.SZ"], parent=sz, actor=admin)
            make_customer(f"C001.X{i:03d}.1", org["GD.GZ"], parent=branch, actor=admin)
            do_add_contact(sz, {"name": f"联系人{i}", "phone": "13800000000"}, actor=admin)
            # Three logged edits per round, so the 20 newest history entries (the page shows
            # those) are of the same kinds in both runs: text, org unit and region changes,
            # whose ids the page resolves to names with one query per related model.
            for changes in (
                {"address": f"地址{i}"},
                {"org_unit": org["GD.SZ"] if i % 2 else org["GD.GZ"]},
                {"region_id": "440300" if i % 2 else "440100"},
            ):
                sz.refresh_from_db()
                do_update_customer(sz, changes, expected_version=sz.version, actor=admin)

    response = assert_constant(
        logged_in, reverse("web:customer_detail", args=[sz.code]), grow, django_assert_num_queries
    )
    assert len(response.context["contacts"]) == LARGE
    assert len(response.context["tree_root"].children_list) == LARGE + 2


def test_customer_branch_expansion(logged_in, org, admin, hq_tree, django_assert_num_queries):
    hq = hq_tree["hq"]
    count = [0]

    def grow(n):
        for _ in range(n):
            count[0] += 1
            make_customer(f"C001.Y{count[0]:03d}", org["GD.GZ"], parent=hq, actor=admin)

    assert_constant(
        logged_in,
        reverse("web:customer_children", args=[hq.code]),
        grow,
        django_assert_num_queries,
    )


def test_staff_list(logged_in, org, admin, django_assert_num_queries):
    count = [0]

    def grow(n):
        for _ in range(n):
            count[0] += 1
            make_staff(f"u{count[0]:03d}", org["GD.SZ"], posts=("am", "presales"), actor=admin)

    url = reverse("web:staff_list") + "?per_page=50"
    response = assert_constant(logged_in, url, grow, django_assert_num_queries)
    assert len(response.context["object_list"]) == LARGE


def test_product_list(logged_in, admin, django_assert_num_queries):
    count = [0]

    def grow(n):
        for _ in range(n):
            count[0] += 1
            do_create_product(
                {"code": f"P{count[0]:03d}", "name": f"产品{count[0]}", "category": "cloud"},
                actor=admin,
            )

    url = reverse("web:product_list") + "?per_page=50"
    response = assert_constant(logged_in, url, grow, django_assert_num_queries)
    assert len(response.context["object_list"]) == LARGE


def test_org_tree_and_unit_page(logged_in, org, admin, django_assert_num_queries):
    count = [0]

    def grow(n):
        for _ in range(n):
            count[0] += 1
            unit = do_create_org_unit(
                {
                    "code": f"GD.T{count[0]:03d}",
                    "name": f"测试组{count[0]}",
                    "kind": "team",
                    "parent": org["GD"],
                },
                actor=admin,
            )
            make_staff(f"t{count[0]:03d}", org["GD"], actor=admin)
            make_staff(f"s{count[0]:03d}", unit, actor=admin)

    assert_constant(logged_in, reverse("web:org_tree"), grow, django_assert_num_queries)
    with CaptureQueriesContext(connection) as ctx:
        logged_in.get(reverse("web:orgunit_detail", args=["GD"]))
    small = len(ctx.captured_queries)
    grow(LARGE)
    with django_assert_num_queries(small):
        response = logged_in.get(reverse("web:orgunit_detail", args=["GD"]))
    assert len(response.context["members"]) == 2 * LARGE


def test_dashboard(logged_in, org, admin, django_assert_num_queries):
    count = [0]

    def grow(n):
        for _ in range(n):
            count[0] += 1
            make_customer(f"D{count[0]:03d}", org["GD.SZ"], actor=admin)

    # Recent changes cost one query per kind of object among the last 8 (core.changes
    # .describe_entries): let them be customer changes in both measurements.
    grow(8)
    assert_constant(logged_in, reverse("web:home"), grow, django_assert_num_queries)
