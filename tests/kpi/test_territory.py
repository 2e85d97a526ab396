"""The horizontal (属地) view: each customer, branch or not, counts for the unit that owns it.

Hand-computed on the KPI world (conftest, M = 2024-03):

customer     owner  segment/industry  YTD            PYTD
C001         HQ     fin.bank          100            —
C001.SZ      GD.SZ  fin.bank          50 (ICT 50)    —
C001.SZ.1    GD.SZ  fin.bank          30             —
C001.BJ      BJ     fin.bank          —              90 (100, ICT −10)
C002         GD.GZ  fin.bank          60             100
C003         BJ     fin.insurance     (no revenue)
C004         GD.SZ  gov.party         20 (ICT 20)    40 (ICT 40)
C005         GD     sme               10             —

The group C001 (HQ + its branches in 深圳 and 北京) belongs vertically to HQ only.
"""

import decimal

import pytest

from gecrm.access.scopes import VIEW_FINANCIAL, customer_scope
from gecrm.core import testing
from gecrm.kpi import engine, scorecards, territory
from gecrm.kpi.models import TerritoryMonth
from gecrm.kpi.scorecards import ALL, INDUSTRY, ORG_UNIT, SEGMENT

from .conftest import M

pytestmark = pytest.mark.django_db

D = decimal.Decimal


@pytest.fixture
def computed(world):
    engine.compute(M)
    return world


@pytest.fixture
def gd_manager(computed, org, admin):
    return testing.make_staff("gd_manager", org["GD"], ("sales_manager",), actor=admin).user


@pytest.fixture
def gd_fin_manager(computed, org, admin):
    """An industry manager of 广东's 金融 centre: 广东's 金融 customers."""
    return testing.make_staff("gd_fin_im", org["GD.FIN"], ("industry_manager",), actor=admin).user


@pytest.fixture
def sz_am(computed, org, admin):
    """A 深圳 account manager of the bank's 深圳 branch (and so its sub-branch)."""
    from gecrm.accounts.models import Assignment

    user = testing.make_staff("sz_am", org["GD.SZ"], ("am",), actor=admin).user
    Assignment.objects.create(customer=computed["sz"], user=user, role="am", start="2024-01-01")
    return user


def measures(sums):
    return (
        sums.groups,
        sums.ict_groups,
        sums.revenue_ytd,
        sums.revenue_pytd,
        sums.growth,
        sums.ict_penetration,
        sums.ict_share,
    )


def test_the_province_sees_its_branches_money_not_the_hqs(gd_manager):
    total = territory.totals(gd_manager, M).all
    # C001.SZ 50 + C001.SZ.1 30 + C002 60 + C004 20 + C005 10; PYTD C002 100 + C004 40.
    assert measures(total) == (5, 2, D("170.00"), D("140.00"), D("0.2143"), D("0.4000"),
                               D("0.4118"))  # fmt: skip
    # Vertically the province has its own groups only: C002, C004, C005 (not the bank's HQ).
    vertical = scorecards.totals(gd_manager, M).all
    assert (vertical.revenue_ytd, vertical.revenue_pytd) == (D("90.00"), D("140.00"))


def test_each_unit_holds_the_customers_owned_in_its_subtree(gd_manager):
    by_unit = territory.figures(gd_manager, M, ORG_UNIT)
    assert set(by_unit) == {"HQ", "GD", "GD.SZ", "GD.GZ"}  # HQ: the path above 广东
    sz = by_unit["GD.SZ"].all
    # C001.SZ 50 (ICT), C001.SZ.1 30, C004 20 (ICT); PYTD C004 40.
    assert measures(sz) == (3, 2, D("100.00"), D("40.00"), D("1.5000"), D("0.6667"),
                            D("0.7000"))  # fmt: skip
    assert by_unit["GD"].all == territory.totals(gd_manager, M).all


def test_who_sees_everything_gets_every_customer_and_the_same_totals_as_the_groups(admin, computed):
    total = territory.totals(admin, M).all
    assert measures(total) == (6, 2, D("270.00"), D("230.00"), D("0.1739"), D("0.3333"),
                               D("0.2593"))  # fmt: skip
    vertical = scorecards.totals(admin, M).all
    assert (total.revenue_ytd_cents, total.revenue_pytd_cents, total.ict_ytd_cents) == (
        vertical.revenue_ytd_cents, vertical.revenue_pytd_cents, vertical.ict_ytd_cents
    )  # fmt: skip
    by_unit = territory.figures(None, M, ORG_UNIT)
    bj = by_unit["BJ"].all  # C001.BJ: PYTD only; C003 has no revenue and no row
    assert (bj.all_groups, bj.groups, bj.revenue_pytd, bj.growth, bj.ict_penetration) == (
        1, 0, D("90.00"), D("-1.0000"), None
    )  # fmt: skip
    # The HQ unit itself owns only the bank's head office: 100.
    assert by_unit["HQ"].all == total
    assert territory.figures(None, M, SEGMENT)["sme"].all.revenue_ytd == D("10.00")
    assert set(territory.figures(None, M, INDUSTRY)) == {"fin.bank", "gov.party"}


def test_the_group_view_is_unchanged(admin, computed):
    by_unit = scorecards.figures(admin, M, ORG_UNIT)
    # The bank group (180 YTD, 90 PYTD) counts for HQ only, nowhere in 广东 or 北京.
    assert by_unit["GD.SZ"].all.revenue_ytd == D("20.00")  # C004 only
    # 北京 holds its group C003 (no revenue), not the bank's 北京 branch (PYTD 90).
    assert by_unit["BJ"].all.revenue_pytd == D("0.00")
    assert scorecards.figures(admin, M, ALL)[""].all.revenue_ytd == D("270.00")


def test_an_industry_manager_sees_their_industry_in_their_territory(gd_fin_manager):
    total = territory.totals(gd_fin_manager, M).all
    # 广东's 金融 customers: C001.SZ 50 (ICT), C001.SZ.1 30, C002 60 / PYTD 100.
    assert measures(total) == (3, 1, D("140.00"), D("100.00"), D("0.4000"), D("0.3333"),
                               D("0.3571"))  # fmt: skip
    # Vertically only the group C002 is theirs.
    assert scorecards.totals(gd_fin_manager, M).all.revenue_ytd == D("60.00")


def test_an_account_manager_sees_the_branches_they_serve(sz_am):
    # The assignment makes the scope a customer tree: read from the rollup, not the cells.
    total = territory.totals(sz_am, M).all
    assert measures(total) == (2, 1, D("80.00"), D("0.00"), None, D("0.5000"), D("0.6250"))
    assert scorecards.totals(sz_am, M).all.all_groups == 0


def test_unit_scopes_read_the_stored_cells_and_agree_with_the_rollup(
    gd_manager, gd_fin_manager, django_assert_num_queries
):
    for user in (gd_manager, gd_fin_manager):
        scope = customer_scope(user, VIEW_FINANCIAL, vendor="sqlite")
        assert territory._answered_by_cells(scope)
        stored = sorted(territory._stored(M, scope), key=repr)
        assert stored == sorted(territory.scoped_cells_from_rollup(scope, M), key=repr)
        # Grouped in SQL, the same sums as the cells added up.
        for dimension in territory.DIMENSIONS:
            assert territory.figures(user, M, dimension) == scorecards._from_cells(
                stored, dimension
            )
    territory.totals(gd_manager, M)
    with django_assert_num_queries(2):  # the cells grouped by org unit, the org tree
        territory.figures(gd_manager, M, ORG_UNIT)


def test_hotline_agents_and_users_without_money_scope_get_nothing(computed, org, admin):
    hotline = testing.make_staff("hl", org["GD"], ("hotline_agent",), actor=admin).user
    assert territory.figures(hotline, M, ALL) == {}


def test_a_recompute_replaces_the_months_cells(world, computed):
    from . import factories

    rows = TerritoryMonth.objects.filter(month=M).count()
    factories.facts([(202402, world["e"], world["voice"], "5")])
    engine.compute(M)
    assert TerritoryMonth.objects.filter(month=M).count() == rows
    assert territory.figures(None, M, SEGMENT)["sme"].all.revenue_ytd == D("15.00")


# ---------------------------------------------------------------- pages and reports


def _get(user, url, **params):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")


def test_the_dashboard_switches_to_the_territory_view(gd_manager):
    from django.urls import reverse

    url = reverse("kpi:dashboard")
    vertical = _get(gd_manager, url)
    assert vertical.context["view"] == "vertical"
    assert vertical.context["total"].all.revenue_ytd == D("90.00")
    horizontal = _get(gd_manager, url, view="horizontal")
    assert horizontal.context["view"] == "horizontal"
    assert horizontal.context["total"].all.revenue_ytd == D("170.00")
    body = horizontal.content.decode()
    assert "¥170.00" in body and 'id="view-switch"' in body
    assert "按属地" in body  # By territory
    # The territory view has no covered groups.
    assert "Covered groups" not in body
    units = {row["code"]: row["figures"].all for row in horizontal.context["org_rows"]}
    assert units["GD.SZ"].revenue_ytd == D("100.00")


def test_a_user_without_groups_lands_on_the_territory_view(sz_am):
    from django.urls import reverse

    response = _get(sz_am, reverse("kpi:dashboard"))
    assert response.context["view"] == "horizontal"
    assert response.context["total"].all.revenue_ytd == D("80.00")  # 深圳 branch + sub-branch
    assert 'id="kpi-no-scope"' not in response.content.decode()


def test_the_org_territory_report_and_its_export(gd_manager):
    import csv
    import io

    from django.urls import reverse

    from gecrm.kpi.reports import REPORTS

    rows = {r["org_unit"]: r for r in REPORTS["org-territory"].rows(gd_manager, M)}
    assert rows["GD.SZ"] == {
        "org_unit": "GD.SZ", "name": "深圳分公司政企客户部", "parent": "GD", "depth": 2,
        "customers": 3, "ict_customers": 2, "revenue_ytd": D("100.00"),
        "revenue_pytd": D("40.00"), "growth": D("1.5000"), "ict_penetration": D("0.6667"),
        "ict_share": D("0.7000"),
    }  # fmt: skip
    assert list(REPORTS["org-territory"].rows(gd_manager, M, root="GD.SZ")) == [rows["GD.SZ"]]
    page = _get(gd_manager, reverse("kpi:report", args=["org-territory"]))
    body = page.content.decode()
    assert "¥100.00" in body and 'data-view="org-scorecard"' in body
    assert "Against industry" not in body
    export = _get(gd_manager, reverse("kpi:report_export", args=["org-territory", "csv"]))
    header = next(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert header == REPORTS["org-territory"].keys
    # The group scorecard links to its territory twin.
    vertical = _get(gd_manager, reverse("kpi:report", args=["org-scorecard"])).content.decode()
    assert 'data-view="org-territory"' in vertical


def test_the_home_page_shows_the_territory_to_who_has_no_group(sz_am, gd_manager):
    from django.urls import reverse

    body = _get(sz_am, reverse("web:home")).content.decode()
    assert 'id="home-kpi"' in body and "属地 KPI" in body and "¥80.00" in body
    assert "?view=horizontal" in body
    body = _get(gd_manager, reverse("web:home")).content.decode()
    assert "属地 KPI" not in body and "¥90.00" in body  # their groups


@pytest.mark.parametrize("who", ["admin", "gd_manager", "sz_am"])
def test_territory_pages_have_a_query_budget(computed, who, request, django_assert_max_num_queries):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(request.getfixturevalue(who))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("kpi:dashboard"), {"view": "horizontal"}).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("kpi:report", args=["org-territory"])).status_code == 200


def test_the_command_line_writes_the_territory_report_in_the_users_scope(gd_manager, tmp_path):
    import csv

    from django.core.management import call_command

    output = tmp_path / "territory.csv"
    call_command(
        "report", "org-territory", "--month", "2024-03", "--user", "gd_manager",
        "--filter", "root=GD", "--output", str(output),
    )  # fmt: skip
    rows = list(csv.DictReader(output.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["org_unit"] for r in rows] == ["GD", "GD.GZ", "GD.SZ"]
    assert rows[0]["revenue_ytd"] == "170.00" and rows[0]["growth"] == "0.2143"


def test_a_month_computed_before_the_territory_rows_reads_the_rollup(gd_manager, admin):
    expected = territory.figures(gd_manager, M, ORG_UNIT)
    everything = territory.figures(admin, M, ORG_UNIT)
    TerritoryMonth.objects.filter(month=M).delete()
    assert territory.figures(gd_manager, M, ORG_UNIT) == expected
    assert territory.figures(admin, M, ORG_UNIT) == everything


# ---------------------------------------------------------------- the industry scorecard by territory
#
# Per industry (customers without one left out), hand-computed from the table above:
# fin.bank  all:  C001 100, C001.SZ 50 (ICT), C001.SZ.1 30, C002 60 / PYTD C001.BJ 90, C002 100
#           广东: C001.SZ 50 (ICT), C001.SZ.1 30, C002 60 / PYTD C002 100
#           北京: C001.BJ PYTD 90 only (no customer with YTD revenue: ratios null)
# gov.party C004 (广东) 20 ICT / PYTD 40 ICT


def _industry_row(code, *values):
    keys = ("customers", "ict_customers", "revenue_ytd", "revenue_pytd", "growth",
            "ict_penetration", "ict_share")  # fmt: skip
    segment = code.split(".")[0]
    return {"industry": code, "segment": segment, **dict(zip(keys, values, strict=True))}


BANK_GD = _industry_row("fin.bank", 3, 1, D("140.00"), D("100.00"), D("0.4000"), D("0.3333"),
                        D("0.3571"))  # fmt: skip
PARTY = _industry_row("gov.party", 1, 1, D("20.00"), D("40.00"), D("-0.5000"), D("1.0000"),
                      D("1.0000"))  # fmt: skip


def industry_rows(user):
    """The report's rows with the columns that do not depend on the catalogue (not `name`)."""
    from gecrm.kpi.reports import REPORTS

    report = REPORTS["industry-territory"]
    rows = report.rows(user, M)
    for row in rows:
        assert row["name"] == row["industry_label"] and row["name"]
    return [{k: row[k] for k in report.keys if k != "name"} for row in rows]


@pytest.fixture
def gd_bank_im(computed, org, admin):
    """An industry manager of 广东's bank team (industry fin.bank under the 金融 centre)."""
    from gecrm.org.actions import do_create_org_unit

    team = do_create_org_unit(
        {"code": "GD.FIN.BANK", "name": "广东银行行业组", "kind": "team",
         "parent": org["GD.FIN"], "segment": "fin", "industry": "fin.bank"},
        actor=admin,
    )  # fmt: skip
    return testing.make_staff("gd_bank_im", team, ("industry_manager",), actor=admin).user


@pytest.fixture
def bj_manager(computed, org, admin):
    return testing.make_staff("bj_manager", org["BJ"], ("sales_manager",), actor=admin).user


def test_the_industry_territory_report_per_user(admin, gd_manager, gd_bank_im, bj_manager):
    from gecrm.kpi.reports import REPORTS

    assert REPORTS["industry-territory"].keys == [
        "industry", "name", "segment", "customers", "ict_customers", "revenue_ytd",
        "revenue_pytd", "growth", "ict_penetration", "ict_share",
    ]  # fmt: skip
    # The administrator: every customer (C003 has no revenue and no row, C005 no industry).
    bank_all = _industry_row("fin.bank", 4, 1, D("240.00"), D("190.00"), D("0.2632"),
                             D("0.2500"), D("0.2083"))  # fmt: skip
    assert industry_rows(admin) == [bank_all, PARTY]
    # 广东's sales manager: 广东's customers only (the bank's 深圳 branches and C002, C004).
    assert industry_rows(gd_manager) == [BANK_GD, PARTY]
    # 广东's bank industry manager: fin.bank in 广东 only.
    assert industry_rows(gd_bank_im) == [BANK_GD]
    # 北京: the bank's branch with PYTD revenue only; its ratios without denominator are null.
    assert industry_rows(bj_manager) == [
        _industry_row("fin.bank", 0, 0, D("0.00"), D("90.00"), D("-1.0000"), None, None)
    ]
    # The industry scorecard by group is unchanged: the bank group counts for HQ only.
    vertical = {r["industry"]: r for r in REPORTS["industry-scorecard"].rows(gd_manager, M)}
    assert vertical["fin.bank"]["revenue_ytd"] == D("60.00")  # C002
    assert "customers" not in vertical["fin.bank"]


def test_the_industry_scorecard_page_switches_to_the_territory_view(gd_manager):
    from django.urls import reverse

    page = _get(gd_manager, reverse("kpi:report", args=["industry-scorecard"]), month="2024-03")
    assert page.status_code == 200  # 广东 has groups: the group view
    body = page.content.decode()
    assert 'id="view-switch"' in body and 'data-view="industry-territory"' in body
    link = next(t for t in page.context["twins"] if t["name"] == "industry-territory")
    assert link["url"].startswith("/kpi/reports/industry-territory/?")
    assert "view=horizontal" in link["url"] and "month=2024-03" in link["url"]
    page = _get(gd_manager, link["url"])
    assert page.status_code == 200
    assert [r["industry"] for r in page.context["rows"]] == ["fin.bank", "gov.party"]
    body = page.content.decode()
    assert "¥140.00" in body and 'data-view="industry-scorecard"' in body
    assert 'name="view" value="horizontal"' in body  # kept when the filters are applied
    assert "Against industry" not in body
    back = next(t for t in page.context["twins"] if t["name"] == "industry-scorecard")
    assert "view=vertical" in back["url"]
    # `?view=horizontal` on the group report leads to its twin.
    response = _get(gd_manager, reverse("kpi:report", args=["industry-scorecard"]),
                    view="horizontal")  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/kpi/reports/industry-territory/?view=horizontal"


def test_a_user_without_groups_lands_on_the_industry_territory_view(sz_am):
    from django.urls import reverse

    url = reverse("kpi:report", args=["industry-scorecard"])
    response = _get(sz_am, url, month="2024-03")
    assert response.status_code == 302
    assert response["Location"] == "/kpi/reports/industry-territory/?month=2024-03&view=horizontal"
    page = _get(sz_am, response["Location"])
    # 深圳 branch (50, ICT) and its sub-branch (30), no PYTD.
    assert [{k: r[k] for k in ("industry", "customers", "revenue_ytd", "growth", "ict_share")}
            for r in page.context["rows"]] == [
        {"industry": "fin.bank", "customers": 2, "revenue_ytd": D("80.00"), "growth": None,
         "ict_share": D("0.6250")}
    ]  # fmt: skip
    # Asked for explicitly, the group view stays (empty: no group of theirs).
    vertical = _get(sz_am, url, view="vertical")
    assert vertical.status_code == 200 and vertical.context["rows"] == []
    # The org unit scorecard does the same.
    response = _get(sz_am, reverse("kpi:report", args=["org-scorecard"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/kpi/reports/org-territory/")


def test_a_user_without_any_money_stays_on_the_group_view(computed, org, admin):
    from django.urls import reverse

    hotline = testing.make_staff("hl", org["GD"], ("hotline_agent",), actor=admin).user
    response = _get(hotline, reverse("kpi:report", args=["industry-scorecard"]))
    assert response.status_code == 200 and response.context["rows"] == []


@pytest.mark.parametrize("who", ["admin", "gd_manager", "gd_bank_im", "sz_am"])
def test_the_industry_territory_page_has_a_query_budget(
    computed, who, request, django_assert_max_num_queries
):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(request.getfixturevalue(who))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("kpi:report", args=["industry-territory"]))
    assert response.status_code == 200 and response.context["rows"]
    # The group page, or its redirect for who has no group.
    with django_assert_max_num_queries(20):
        assert client.get(reverse("kpi:report", args=["industry-scorecard"])).status_code in (
            200, 302
        )  # fmt: skip
    with django_assert_max_num_queries(12):
        export = client.get(reverse("kpi:report_export", args=["industry-territory", "csv"]))
    assert export.status_code == 200


def test_the_command_line_writes_the_industry_territory_report(gd_bank_im, bj_manager, tmp_path):
    import csv

    from django.core.management import call_command

    def run(*args):
        output = tmp_path / "industry.csv"
        call_command("report", "industry-territory", "--month", "2024-03", *args,
                     "--output", str(output))  # fmt: skip
        return list(csv.DictReader(output.read_text(encoding="utf-8-sig").splitlines()))

    rows = run("--user", "gd_bank_im")
    assert [r["industry"] for r in rows] == ["fin.bank"]
    assert {k: v for k, v in rows[0].items() if k != "name"} == {
        "industry": "fin.bank", "segment": "fin", "customers": "3", "ict_customers": "1",
        "revenue_ytd": "140.00", "revenue_pytd": "100.00", "growth": "0.4000",
        "ict_penetration": "0.3333", "ict_share": "0.3571",
    }  # fmt: skip
    # Null ratios are empty cells.
    (bj,) = run("--user", "bj_manager")
    assert (bj["growth"], bj["ict_penetration"], bj["ict_share"]) == ("-1.0000", "", "")
    # Without --user: everything.
    assert [r["revenue_ytd"] for r in run()] == ["240.00", "20.00"]
