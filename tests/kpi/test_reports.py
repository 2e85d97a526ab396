"""Reports on the hand-computed world of conftest.py (month 2024-03)."""

import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gecrm.core import testing
from gecrm.kpi import engine
from gecrm.kpi.reports import REPORTS, NotComputedError, ReportError, get_report, write_report

from .conftest import M

pytestmark = pytest.mark.django_db

INDUSTRY_HEADER = (
    "industry,groups,revenue_ytd,revenue_pytd,growth,ict_penetration,ict_share,covered_groups,"
    "covered_revenue_ytd,covered_revenue_pytd,covered_growth,covered_ict_penetration,"
    "covered_ict_share"
)


@pytest.fixture
def computed(world):
    engine.compute(M)
    return world


def rows(name, user, month=M, **filters):
    return REPORTS[name].rows(user, month, **filters)


def csv_text(name, user, **filters):
    stream = io.BytesIO()
    report = REPORTS[name]
    write_report(report, report.rows(user, M, **filters), "csv", stream, month=M)
    return stream.getvalue().decode("utf-8-sig")


def test_industry_scorecard_csv_is_exactly_as_specified(computed, admin):
    assert csv_text("industry-scorecard", admin).splitlines() == [
        INDUSTRY_HEADER,
        "fin.bank,2,240.00,190.00,0.2632,0.5000,0.2083,1,180.00,90.00,1.0000,1.0000,0.2778",
        # No revenue at all: null measures are empty cells, money still has two decimals.
        "fin.insurance,0,0.00,0.00,,,,0,0.00,0.00,,,",
        "gov.party,1,20.00,40.00,-0.5000,1.0000,1.0000,1,20.00,40.00,-0.5000,1.0000,1.0000",
    ]


def test_industry_scorecard_rows_carry_the_beats_flag_for_the_ui_only(computed, admin):
    by_industry = {row["industry"]: row for row in rows("industry-scorecard", admin)}
    assert by_industry["fin.bank"]["beats_industry"] is True
    assert by_industry["gov.party"]["beats_industry"] is False  # equal is not above
    assert by_industry["fin.insurance"]["beats_industry"] is None
    assert "beats_industry" not in REPORTS["industry-scorecard"].keys


def test_xlsx_numbers_are_numbers_and_codes_text(computed, admin, tmp_path):
    report = REPORTS["industry-scorecard"]
    path = tmp_path / "r.xlsx"
    with open(path, "wb") as stream:
        write_report(report, report.rows(admin, M), "xlsx", stream, month=M)
    sheet = load_workbook(path).active
    values = list(sheet.values)
    assert ",".join(values[0]) == INDUSTRY_HEADER
    assert values[1][0] == "fin.bank"
    assert values[1][1] == 2
    assert values[1][2] == pytest.approx(240.0)
    assert values[1][4] == pytest.approx(0.2632)
    assert values[2][4] is None


def test_json_keeps_decimals_as_strings(computed, admin):
    report = REPORTS["industry-scorecard"]
    stream = io.BytesIO()
    write_report(report, report.rows(admin, M), "json", stream, month=M)
    document = json.loads(stream.getvalue())
    assert document["report"] == "industry-scorecard" and document["month"] == "2024-03"
    assert document["columns"] == INDUSTRY_HEADER.split(",")
    bank = document["rows"][0]
    assert bank["revenue_ytd"] == "240.00" and bank["growth"] == "0.2632"
    assert bank["groups"] == 2
    assert document["rows"][1]["growth"] is None


def test_csv_escapes_formulas(computed, admin):
    report = REPORTS["customer-ranking"]
    stream = io.BytesIO()
    fake = [{"code": "=HYPERLINK(1)", "name": "@x", "revenue_ytd": Decimal("1.50")}]
    write_report(report, fake, "csv", stream)
    line = stream.getvalue().decode("utf-8-sig").splitlines()[1]
    assert "'=HYPERLINK(1)" in line and "'@x" in line and "1.50" in line


def test_org_scorecard_rolls_up_the_tree(computed, admin):
    by_unit = {row["org_unit"]: row for row in rows("org-scorecard", admin)}
    assert list(by_unit) == ["HQ", "BJ", "GD", "GD.GZ", "GD.SZ"]  # tree order
    hq = by_unit["HQ"]
    assert (hq["parent"], hq["depth"], hq["groups"]) == ("", 0, 4)
    assert hq["revenue_ytd"] == Decimal("270.00") and hq["revenue_pytd"] == Decimal("230.00")
    assert hq["growth"] == Decimal("0.1739")  # 40 / 230
    assert hq["covered_growth"] == Decimal("0.5385")  # (200 − 130) / 130
    # Benchmark: all groups of the industries of HQ's covered groups (fin.bank + gov.party).
    assert hq["industry_growth"] == Decimal("0.1304")  # (260 − 230) / 230
    assert hq["industry_ict_penetration"] == Decimal("0.6667")
    assert hq["beats_industry"] is True
    gd = by_unit["GD"]
    assert (gd["parent"], gd["depth"], gd["groups"]) == ("HQ", 1, 3)
    assert gd["revenue_ytd"] == Decimal("90.00")
    assert gd["beats_industry"] is False
    # No covered group: nothing to compare.
    assert by_unit["GD.GZ"]["beats_industry"] is None
    assert by_unit["BJ"]["growth"] is None and by_unit["BJ"]["ict_penetration"] is None


def test_org_scorecard_root_filter(computed, admin):
    assert [r["org_unit"] for r in rows("org-scorecard", admin, root="GD")] == [
        "GD",
        "GD.GZ",
        "GD.SZ",
    ]
    with pytest.raises(ReportError, match="NOPE"):
        rows("org-scorecard", admin, root="NOPE")


def test_chief_am_scorecard_against_their_industries(computed, admin):
    by_chief = {row["chief_am"]: row for row in rows("chief-am-scorecard", admin)}
    assert list(by_chief) == ["chief1", "chief2"]  # chief3 is nobody's chief AM on 03-31
    one = by_chief["chief1"]
    assert one["groups"] == 1 and one["revenue_ytd"] == Decimal("180.00")
    assert one["growth"] == Decimal("1.0000") and one["ict_share"] == Decimal("0.2778")
    assert one["industries"] == "fin.bank"
    assert one["industry_groups"] == 2 and one["industry_growth"] == Decimal("0.2632")
    assert one["industry_ict_penetration"] == Decimal("0.5000")
    assert one["beats_industry"] is True
    two = by_chief["chief2"]
    assert two["industries"] == "gov.party" and two["beats_industry"] is False


def test_chief_am_scorecard_with_groups_in_two_industries(computed, admin):
    from . import factories

    factories.assign_chief(computed["c"], computed["chief1"], "2024-01-01")
    engine.compute(M)
    one = {r["chief_am"]: r for r in rows("chief-am-scorecard", admin)}["chief1"]
    assert one["industries"] == "fin.bank;fin.insurance"
    assert one["industry_groups"] == 2  # fin.insurance's only group has no revenue
    assert one["industry_revenue_ytd"] == Decimal("240.00")


def test_chief_am_scorecard_names_come_from_staff(computed, admin):
    one = {r["chief_am"]: r for r in rows("chief-am-scorecard", admin)}["chief1"]
    assert one["name"] == "chief1"


@pytest.mark.parametrize(
    ("filters", "codes"),
    [
        ({}, ["C001", "C002", "C004", "C005", "C003"]),
        ({"direction": "bottom"}, ["C003", "C005", "C004", "C002", "C001"]),
        ({"order": "growth"}, ["C001", "C002", "C004"]),  # null growth left out
        ({"order": "growth", "direction": "bottom"}, ["C004", "C002", "C001"]),
        ({"order": "ict_share"}, ["C004", "C001", "C002", "C005"]),
        ({"limit": "2"}, ["C001", "C002"]),
        ({"industry": "fin.bank"}, ["C001", "C002"]),
        ({"industry": "银行"}, ["C001", "C002"]),
        ({"segment": "gov"}, ["C004"]),
        ({"org_unit": "GD"}, ["C002", "C004", "C005"]),
        ({"covered": "true"}, ["C001", "C004"]),
        ({"covered": "false"}, ["C002", "C005", "C003"]),
    ],
)
def test_customer_ranking_order_and_filters(computed, admin, filters, codes):
    result = rows("customer-ranking", admin, **filters)
    assert [r["code"] for r in result] == codes
    assert [r["rank"] for r in result] == list(range(1, len(codes) + 1))


def test_customer_ranking_row(computed, admin):
    first = rows("customer-ranking", admin)[0]
    assert first == {
        "rank": 1,
        "code": "C001",
        "name": "中国示范银行",
        "industry": "fin.bank",
        "org_unit": "HQ",
        "chief_am": "chief1",
        "covered": True,
        "revenue_ytd": Decimal("180.00"),
        "revenue_pytd": Decimal("90.00"),
        "growth": Decimal("1.0000"),
        "ict_share": Decimal("0.2778"),
        "beats_industry": True,
    }


@pytest.mark.parametrize(
    "filters",
    [
        {"order": "name"},
        {"direction": "sideways"},
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "ten"},
        {"industry": "fin.nope"},
        {"segment": "x"},
        {"org_unit": "NOPE"},
        {"covered": "maybe"},
        {"colour": "red"},
    ],
)
def test_customer_ranking_rejects_bad_filters(computed, admin, filters):
    with pytest.raises(ReportError):
        rows("customer-ranking", admin, **filters)


def test_limit_500_is_allowed(computed, admin):
    assert len(rows("customer-ranking", admin, limit=500)) == 5


def test_unknown_filter_of_a_scorecard(computed, admin):
    with pytest.raises(ReportError, match="root"):
        rows("org-scorecard", admin, industry="fin.bank")


def test_a_month_not_computed(world, admin):
    with pytest.raises(NotComputedError, match="gecrm kpi compute --month 2024-03"):
        rows("industry-scorecard", admin)


def test_unknown_report():
    with pytest.raises(ReportError, match="industry-scorecard"):
        get_report("nope")


def test_operator_without_user_sees_everything(computed, admin):
    assert rows("industry-scorecard", None) == rows("industry-scorecard", admin)


# ------------------------------------------------------------------------ scope


@pytest.fixture
def sz_manager(computed, org, admin):
    """A 深圳 sales manager: sees the groups owned by 深圳 (D), not A's 深圳 branch's group."""
    return testing.make_staff("sz_manager", org["GD.SZ"], ("sales_manager",), actor=admin).user


@pytest.fixture
def gd_manager(computed, org, admin):
    """A 广东 sales manager: B, D and E."""
    return testing.make_staff("gd_manager", org["GD"], ("sales_manager",), actor=admin).user


def test_scoped_user_sees_only_their_groups_in_every_report(sz_manager):
    assert [r["industry"] for r in rows("industry-scorecard", sz_manager)] == ["gov.party"]
    assert [r["org_unit"] for r in rows("org-scorecard", sz_manager)] == ["HQ", "GD", "GD.SZ"]
    hq = rows("org-scorecard", sz_manager)[0]
    assert hq["groups"] == 1 and hq["revenue_ytd"] == Decimal("20.00")
    assert [r["chief_am"] for r in rows("chief-am-scorecard", sz_manager)] == ["chief2"]
    assert [r["code"] for r in rows("customer-ranking", sz_manager)] == ["C004"]


def test_scoped_industry_average_is_over_visible_groups(gd_manager):
    bank = rows("industry-scorecard", gd_manager)[0]
    # Only B of fin.bank is visible: no trace of A's 180.00 or of its coverage.
    assert bank["industry"] == "fin.bank" and bank["groups"] == 1
    assert bank["revenue_ytd"] == Decimal("60.00") and bank["covered_groups"] == 0
    ranking = {r["code"]: r for r in rows("customer-ranking", gd_manager)}
    assert set(ranking) == {"C002", "C004", "C005"}
    assert ranking["C002"]["beats_industry"] is False  # vs B alone: equal is not above


def test_scoped_user_sees_what_an_administrator_sees_for_their_groups(gd_manager, admin):
    mine = {r["org_unit"]: r for r in rows("org-scorecard", gd_manager)}
    everything = {r["org_unit"]: r for r in rows("org-scorecard", admin)}
    for code in ("GD", "GD.GZ", "GD.SZ"):
        for key in ("groups", "revenue_ytd", "revenue_pytd", "growth", "covered_groups"):
            assert mine[code][key] == everything[code][key]


def test_hotline_agent_sees_no_money(computed, org, admin):
    agent = testing.make_staff("agent", org["GD"], ("hotline_agent",), actor=admin).user
    for name in REPORTS:
        assert rows(name, agent) == []


def test_scoped_reads_use_a_few_queries(gd_manager, django_assert_max_num_queries):
    for name in REPORTS:
        gd_manager = type(gd_manager).objects.get(pk=gd_manager.pk)  # no cached grant
        with django_assert_max_num_queries(12):
            rows(name, gd_manager)
