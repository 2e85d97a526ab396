"""Customer 360 on the customer page: revenue trend, YTD vs PYTD, product mix, branch revenue and
ICT status on the tree, the account team — all through the money scope.

The group (hq_tree): C001 (HQ, org HQ) with C001.SZ (深圳) → C001.SZ.1, and C001.BJ (北京).
Current month 2025-03: YTD 2025-01..03, PYTD 2024-01..03, trend 2023-04..2025-03.
- C001     VOICE 2025-01 100; VOICE 2023-01 999 (older than the 24 months shown)
- C001.SZ  CLOUD 2025-02 50 (ICT); VOICE 2024-03 40 (PYTD)
- C001.SZ.1 VOICE 2025-03 30
- C001.BJ  VOICE 2024-02 100 (PYTD); CLOUD 2025-03 −10 (an adjustment)
Group YTD 170.00 (ICT 40.00), PYTD 140.00; the 深圳 subtree YTD 80.00 (ICT 50.00), PYTD 40.00.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from gecrm.accounts.actions import do_assign
from gecrm.core.testing import make_customer, make_staff

from ..kpi import factories

pytestmark = pytest.mark.django_db


def page(client, code):
    return client.get(reverse("web:customer_detail", args=[code]))


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def billing(hq_tree, admin):
    voice = factories.product("VOICE", ict=False, actor=admin)
    cloud = factories.product("CLOUD", ict=True, actor=admin)
    factories.facts(
        [
            (202501, hq_tree["hq"], voice, "100"),
            (202301, hq_tree["hq"], voice, "999"),
            (202502, hq_tree["sz"], cloud, "50"),
            (202403, hq_tree["sz"], voice, "40"),
            (202503, hq_tree["sub"], voice, "30"),
            (202402, hq_tree["bj"], voice, "100"),
            (202503, hq_tree["bj"], cloud, "-10"),
        ]
    )
    return {"voice": voice, "cloud": cloud, **hq_tree}


@pytest.fixture
def gd_controller(org, admin):
    return make_staff("gd_sc", org["GD"], posts=("sales_control",), actor=admin).user


@pytest.fixture
def hotline(org, admin):
    return make_staff("hotline1", org["GD"], posts=("hotline_agent",), actor=admin).user


def test_branch_page_shows_its_own_and_the_whole_group_money(billing, admin):
    response = page(login(admin), "C001.SZ")
    assert response.status_code == 200
    fin = response.context["financials"]
    assert fin.month == 202503 and not fin.is_group_head
    assert (fin.own.revenue_ytd, fin.own.revenue_pytd, fin.own.ict_ytd) == (8000, 4000, 5000)
    assert fin.own.growth == 1.0 and fin.own.ict_share == 0.625
    assert (fin.group.revenue_ytd, fin.group.revenue_pytd, fin.group.ict_ytd) == (
        17000,
        14000,
        4000,
    )
    assert fin.group.growth == pytest.approx(30 / 140)
    body = response.content.decode()
    assert "¥80.00" in body and "¥170.00" in body and "+100.0%" in body
    assert 'id="revenue-trend-chart"' in body and 'id="revenue-trend-data"' in body


def test_trend_covers_24_months_with_group_and_own_series(billing, admin):
    trend = page(login(admin), "C001.SZ").context["financials"].trend
    assert trend["months"][0] == "2023-04" and trend["months"][-1] == "2025-03"
    assert len(trend["months"]) == 24
    series = {(s["scope"], s["kind"]): s["data"] for s in trend["series"]}
    assert series[("group", "total")][-1] == 20.0  # 30 − 10 in 2025-03
    assert series[("own", "total")][-1] == 30.0
    assert series[("own", "ict")][-2] == 50.0
    assert series[("group", "total")][trend["months"].index("2024-02")] == 100.0
    assert 999.0 not in series[("group", "total")]  # 2023-01 is outside the window


def test_headquarters_page_shows_one_set_of_figures(billing, admin):
    fin = page(login(admin), "C001").context["financials"]
    assert fin.is_group_head
    assert fin.own == fin.group
    assert {s["scope"] for s in fin.trend["series"]} == {"own"}


def test_product_mix_highlights_ict_products(billing, admin):
    response = page(login(admin), "C001")
    fin = response.context["financials"]
    by_code = {p["code"]: p for p in fin.products}
    assert by_code["VOICE"]["own_cents"] == 13000 and not by_code["VOICE"]["is_ict"]
    assert by_code["CLOUD"]["own_cents"] == 4000 and by_code["CLOUD"]["is_ict"]
    assert by_code["CLOUD"]["share"] == pytest.approx(40 / 170)
    assert fin.mix_chart["ict"] == [False, True]
    body = response.content.decode()
    assert 'id="product-mix-table"' in body and "gecrm-ict-row" in body


def test_tree_shows_each_branch_revenue_with_its_subtree_and_ict_status(billing, admin):
    root = page(login(admin), "C001.SZ").context["tree_root"]
    nodes = {root.code: root}
    for child in root.children_list:
        nodes[child.code] = child
        for grandchild in getattr(child, "children_list", []):
            nodes[grandchild.code] = grandchild
    assert nodes["C001"].revenue_ytd == 17000 and nodes["C001"].ict_ytd == 4000
    assert nodes["C001.SZ"].revenue_ytd == 8000 and nodes["C001.SZ"].ict_ytd == 5000
    assert nodes["C001.SZ.1"].revenue_ytd == 3000 and nodes["C001.SZ.1"].ict_ytd == 0
    assert nodes["C001.BJ"].revenue_ytd == -1000 and nodes["C001.BJ"].ict_ytd == -1000


def test_expanded_branches_carry_revenue_too(billing, admin):
    response = login(admin).get(reverse("web:customer_children", args=["C001"]))
    nodes = {n.code: n for n in response.context["nodes"]}
    assert nodes["C001.SZ"].revenue_ytd == 8000
    body = response.content.decode()
    assert "¥80.00" in body and "gecrm-ict-badge" in body


def test_province_controller_counts_only_the_members_in_their_money_scope(billing, gd_controller):
    client = login(gd_controller)
    assert page(client, "C001").status_code == 404
    response = page(client, "C001.SZ")
    fin = response.context["financials"]
    # The group is only what they may see the money of: the 深圳 subtree.
    assert fin.group.revenue_ytd == 8000 and fin.group.revenue_pytd == 4000
    body = response.content.decode()
    assert "¥170.00" not in body and "¥100.00" not in body
    root = response.context["tree_root"]
    assert root.code == "C001.SZ" and root.revenue_ytd == 8000


def test_hotline_agent_sees_the_customer_but_no_money(billing, hotline):
    response = page(login(hotline), "C001.SZ")
    assert response.status_code == 200
    assert response.context["financials"] is None
    body = response.content.decode()
    assert "¥" not in body
    assert "customer-financials" not in body and "product-mix" not in body
    assert "revenue-trend-data" not in body and "gecrm-node-money" not in body
    branches = login(hotline).get(reverse("web:customer_children", args=["C001"]))
    assert "¥" not in branches.content.decode()


def test_anonymous_user_is_sent_to_login(billing):
    response = page(Client(), "C001")
    assert response.status_code == 302 and "/login/" in response.url


def test_customer_without_revenue_shows_the_empty_state(billing, org, admin):
    make_customer("C009", org["BJ"], name="无收入客户", actor=admin)
    response = page(login(admin), "C009")
    assert response.context["financials"].month == 202503
    body = response.content.decode()
    assert 'id="revenue-empty"' in body and 'id="revenue-trend-chart"' not in body


def test_no_facts_at_all_shows_the_empty_state(hq_tree, admin):
    response = page(login(admin), "C001")
    assert response.context["financials"].month is None
    assert 'id="revenue-empty"' in response.content.decode()


def test_account_team_lists_active_assignments_by_role_with_inherited_ones(billing, org, admin):
    chief = make_staff("chief9", org["HQ"], posts=("chief_am",), actor=admin).user
    am = make_staff("am9", org["GD.SZ"], posts=("am",), actor=admin).user
    old = make_staff("am8", org["GD.SZ"], posts=("am",), actor=admin).user
    today = datetime.date.today()
    do_assign(billing["hq"], chief, "chief_am", actor=admin)
    do_assign(billing["sz"], am, "am", actor=admin)
    do_assign(
        billing["sz"],
        old,
        "am",
        start=today - datetime.timedelta(days=30),
        end=today - datetime.timedelta(days=1),
        actor=admin,
    )
    response = page(login(admin), "C001.SZ")
    team = {
        role["role"]: [a.user.username for a in role["members"]]
        for role in response.context["team"]
    }
    assert team == {"chief_am": ["chief9"], "am": ["am9"]}
    assert [r["role"] for r in response.context["team"]] == ["chief_am", "am"]
    body = response.content.decode()
    assert 'id="account-team"' in body and "am8" in body  # the ended one in the history


def test_customer_page_queries_stay_constant_as_the_group_grows(
    billing, org, admin, django_assert_max_num_queries
):
    client = login(admin)
    voice = billing["voice"]
    with django_assert_max_num_queries(30) as small:
        assert page(client, "C001.SZ").status_code == 200
    baseline = len(small.captured_queries)
    rows = []
    for i in range(20):
        branch = make_customer(f"C001.X{i:02d}", org["GD.GZ"], parent=billing["hq"], actor=admin)
        sub = make_customer(f"C001.SZ.{i + 2}", org["GD.SZ"], parent=billing["sz"], actor=admin)
        rows += [(202501 + i % 3, branch, voice, "1"), (202401, sub, voice, "2")]
    factories.facts(rows)
    with django_assert_max_num_queries(baseline):
        response = page(client, "C001.SZ")
    assert response.context["financials"].group.revenue_ytd == 17000 + 20 * 100


def test_a_province_account_manager_sees_their_branchs_own_money(billing, org, admin):
    """The 北京 AM of the bank's 北京 branch: the group's figures are not theirs, the branch's
    are (YTD −10.00 ICT adjustment, PYTD 100.00), on its page and its tree node."""
    am = make_staff("bj_am", org["BJ"], posts=("am",), actor=admin).user
    do_assign(billing["bj"], am, "am", start=datetime.date(2024, 1, 1), actor=admin)
    client = login(am)
    assert page(client, "C001").status_code == 404
    response = page(client, "C001.BJ")
    fin = response.context["financials"]
    assert (fin.own.revenue_ytd, fin.own.revenue_pytd, fin.own.ict_ytd) == (-1000, 10000, -1000)
    # Their part of the group is the branch: no other member's money.
    assert (fin.group.revenue_ytd, fin.group.revenue_pytd) == (-1000, 10000)
    body = response.content.decode()
    assert "¥100.00" in body and "¥170.00" not in body
    assert response.context["tree_root"].revenue_ytd == -1000
