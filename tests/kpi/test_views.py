"""KPI pages: dashboard, report pages with exports, compute button, targets — scoped by user.

Data: the hand-computed world of conftest.py (month M = 2024-03). Totals YTD: A 180, B 60, C 0,
D 20, E 10 = 270.00. The 广东 sales controller's money scope holds the groups whose top-level
customer is owned in 广东: B (广州), D (深圳), E (广东) = 90.00 — not A, whose HQ is the group's.
"""

import csv
import decimal
import io
import json

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from gecrm.audit.models import AuditEvent
from gecrm.core.testing import make_staff
from gecrm.kpi import engine
from gecrm.kpi.actions import do_set_target
from gecrm.kpi.models import Target
from gecrm.kpi.reports import REPORTS, write_report

from .conftest import M

pytestmark = pytest.mark.django_db

REPORT_NAMES = list(REPORTS)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def computed(world):
    engine.compute(M, reason="test")
    return world


@pytest.fixture
def gd_controller(org, admin):
    return make_staff("gd_sc", org["GD"], posts=("sales_control",), actor=admin).user


@pytest.fixture
def hq_controller(org, admin):
    return make_staff("hq_sc", org["HQ"], posts=("sales_control",), actor=admin).user


@pytest.fixture
def hotline(org, admin):
    return make_staff("hotline1", org["GD"], posts=("hotline_agent",), actor=admin).user


# ---------------------------------------------------------------- access


@pytest.mark.parametrize(
    "url",
    [
        reverse("kpi:dashboard"),
        reverse("kpi:targets"),
        reverse("kpi:target_add"),
        *[reverse("kpi:report", args=[n]) for n in REPORT_NAMES],
        reverse("kpi:report_export", args=["industry-scorecard", "csv"]),
    ],
)
def test_anonymous_users_are_sent_to_login(db, url):
    response = Client().get(url)
    assert response.status_code == 302 and "/login/" in response.url


def test_unknown_report_and_format_answer_404(computed, admin):
    client = login(admin)
    assert client.get(reverse("kpi:report", args=["nope"])).status_code == 404
    url = reverse("kpi:report_export", args=["industry-scorecard", "pdf"])
    assert client.get(url, {"month": "2024-03"}).status_code == 404


# ---------------------------------------------------------------- dashboard


def test_dashboard_shows_the_latest_computed_month_with_all_and_covered(computed, admin):
    response = login(admin).get(reverse("kpi:dashboard"))
    assert response.status_code == 200
    assert response.context["month"] == M
    total = response.context["total"]
    assert total.all.revenue_ytd == decimal.Decimal("270.00")
    assert total.covered.revenue_ytd == decimal.Decimal("200.00")  # A and D
    body = response.content.decode()
    assert "¥270.00" in body
    for chart in ("industry-growth-data", "industry-penetration-data", "org-chart-data"):
        assert f'id="{chart}"' in body
    growth = response.context["industry_growth_chart"]
    assert (
        set(growth["categories"]) == {"银行", "保险", "党政机关"} or len(growth["categories"]) == 3
    )


def test_dashboard_of_a_province_user_counts_only_their_groups(computed, gd_controller):
    response = login(gd_controller).get(reverse("kpi:dashboard"))
    total = response.context["total"]
    assert total.all.revenue_ytd == decimal.Decimal("90.00")
    body = response.content.decode()
    assert "¥270.00" not in body and "¥180.00" not in body
    # The org chart compares what lies below the highest unit their figures reach.
    assert [row["code"] for row in response.context["org_rows"]] == ["GD"] or all(
        row["code"].startswith("GD") for row in response.context["org_rows"]
    )


def test_hotline_agent_gets_no_money_on_the_dashboard(computed, hotline):
    response = login(hotline).get(reverse("kpi:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="kpi-no-scope"' in body and "¥" not in body


def test_dashboard_before_any_computation_says_how_to_compute(world, admin, gd_controller):
    body = login(admin).get(reverse("kpi:dashboard")).content.decode()
    assert 'id="kpi-not-computed"' in body and "gecrm kpi compute --month" in body
    # Only who may compute gets the button; with no month computed there is no month to offer.
    body = login(admin).get(reverse("kpi:dashboard"), {"month": "2024-03"}).content.decode()
    assert 'id="compute-month"' in body
    body = login(gd_controller).get(reverse("kpi:dashboard"), {"month": "2024-03"}).content
    assert b'id="compute-month"' not in body


def test_a_bad_month_falls_back_to_the_latest_with_a_message(computed, admin):
    response = login(admin).get(reverse("kpi:dashboard"), {"month": "2024-13"})
    assert response.status_code == 200 and response.context["month"] == M
    assert "Not a month" in response.content.decode() or "不是" in response.content.decode()


def test_compute_button_computes_the_month_for_managers_only(
    world, admin, hq_controller, gd_controller
):
    url = reverse("kpi:compute")
    assert login(gd_controller).post(url, {"month": "2024-03"}).status_code == 403
    assert not engine.is_computed(M)
    response = login(hq_controller).post(
        url, {"month": "2024-03", "next": reverse("kpi:report", args=["org-scorecard"])}
    )
    assert response.status_code == 302
    assert response.url == reverse("kpi:report", args=["org-scorecard"]) + "?month=2024-03"
    assert engine.is_computed(M)


def test_compute_refuses_get_and_needs_csrf(world, admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.get(reverse("kpi:compute")).status_code == 405
    assert client.post(reverse("kpi:compute"), {"month": "2024-03"}).status_code == 403
    assert not engine.is_computed(M)


# ---------------------------------------------------------------- report pages


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_every_report_page_renders_table_chart_and_export_menu(
    computed, admin, gd_controller, name, django_assert_max_num_queries
):
    scoped = login(gd_controller)
    with django_assert_max_num_queries(20):
        assert scoped.get(reverse("kpi:report", args=[name])).status_code == 200
    client = login(admin)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("kpi:report", args=[name]))
    assert response.status_code == 200
    assert response.context["rows"]
    body = response.content.decode()
    for element in ("report-table", "report-chart-1", "report-chart-data-1", "export-csv"):
        assert f'id="{element}"' in body, element
    assert 'src="/static/vendor/echarts-6.1.0/echarts.min.js"' in body


def test_industry_scorecard_page_shows_money_ratios_null_and_the_badge(computed, admin):
    response = login(admin).get(reverse("kpi:report", args=["industry-scorecard"]))
    rows = {r["industry"]: r for r in response.context["rows"]}
    assert set(rows) == {"fin.bank", "fin.insurance", "gov.party"}
    body = response.content.decode()
    assert "¥240.00" in body  # fin.bank: A 180 + B 60
    assert "—" in body  # insurance: no revenue, every ratio null
    assert "gecrm-beats" in body or "gecrm-beats-not" in body
    # fin.bank covered growth = (180 − 90) / 90 = 100.00 %
    assert "100.00%" in body


def test_report_columns_sort_with_nulls_last(computed, admin):
    client = login(admin)
    url = reverse("kpi:report", args=["industry-scorecard"])
    down = client.get(url, {"sort": "-revenue_ytd"}).context["rows"]
    assert [r["industry"] for r in down] == ["fin.bank", "gov.party", "fin.insurance"]
    up = client.get(url, {"sort": "growth"}).context["rows"]
    assert up[-1]["growth"] is None
    ignored = client.get(url, {"sort": "nonsense"})
    assert ignored.context["sort"] == ""


def test_customer_ranking_filters(computed, admin):
    client = login(admin)
    url = reverse("kpi:report", args=["customer-ranking"])
    rows = client.get(url, {"industry": "fin.bank"}).context["rows"]
    assert [r["code"] for r in rows] == ["C001", "C002"]
    rows = client.get(url, {"order": "revenue", "direction": "bottom", "limit": "2"}).context[
        "rows"
    ]
    assert len(rows) == 2 and rows[0]["code"] == "C003"
    rows = client.get(url, {"covered": "true"}).context["rows"]
    assert {r["code"] for r in rows} == {"C001", "C004"}
    body = client.get(url).content.decode()
    assert reverse("web:customer_detail", args=["C001"]) in body


def test_invalid_filter_values_are_shown_and_ignored(computed, admin):
    response = login(admin).get(reverse("kpi:report", args=["customer-ranking"]), {"limit": "9999"})
    assert response.status_code == 200
    assert response.context["filter_form"].errors["limit"]
    assert len(response.context["rows"]) == 5  # the default limit, all five groups


def test_report_page_of_a_province_user_holds_only_their_groups(computed, gd_controller):
    client = login(gd_controller)
    response = client.get(reverse("kpi:report", args=["industry-scorecard"]))
    rows = {r["industry"]: r for r in response.context["rows"]}
    assert set(rows) == {"fin.bank", "gov.party"}
    assert rows["fin.bank"]["revenue_ytd"] == decimal.Decimal("60.00")
    ranking = client.get(reverse("kpi:report", args=["customer-ranking"])).context["rows"]
    assert {r["code"] for r in ranking} == {"C002", "C004", "C005"}
    body = client.get(reverse("kpi:report", args=["customer-ranking"])).content.decode()
    assert "C001" not in body and "¥180.00" not in body


def test_hotline_agent_report_pages_hold_no_rows(computed, hotline):
    for name in REPORT_NAMES:
        response = login(hotline).get(reverse("kpi:report", args=[name]))
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert "¥" not in response.content.decode()


def test_report_of_a_month_not_computed_shows_how_to_compute(computed, admin):
    response = login(admin).get(
        reverse("kpi:report", args=["industry-scorecard"]), {"month": "2024-02"}
    )
    assert response.status_code == 200 and response.context["not_computed"]
    body = response.content.decode()
    assert "gecrm kpi compute --month 2024-02" in body and 'id="compute-month"' in body
    assert 'id="export-menu"' not in body
    export = reverse("kpi:report_export", args=["industry-scorecard", "csv"])
    assert login(admin).get(export, {"month": "2024-02"}).status_code == 404


# ---------------------------------------------------------------- exports


def _cli_bytes(name, user, fmt, **filters):
    buffer = io.BytesIO()
    report = REPORTS[name]
    write_report(report, report.rows(user, M, **filters), fmt, buffer, month=M)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("name", REPORT_NAMES)
def test_exports_are_what_the_command_line_writes(computed, admin, name, fmt):
    url = reverse("kpi:report_export", args=[name, fmt])
    response = login(admin).get(url, {"month": "2024-03"})
    assert response.status_code == 200
    assert response.content == _cli_bytes(name, admin, fmt)
    assert f'filename="{name}-2024-03.{fmt}"' in response["Content-Disposition"]


@pytest.mark.parametrize("sort", ["revenue_ytd", "-revenue_ytd"])
def test_an_export_follows_the_sort_the_page_shows(computed, admin, sort):
    client = login(admin)
    page = reverse("kpi:report", args=["industry-scorecard"])
    response = client.get(page, {"month": "2024-03", "sort": sort})
    url = reverse("kpi:report_export", args=["industry-scorecard", "csv"])
    assert f"{url}?month=2024-03&amp;sort={sort}" in response.content.decode()
    text = client.get(url, {"month": "2024-03", "sort": sort}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("revenue_ytd")
    values = [decimal.Decimal(r[column]) for r in rows[1:] if r[column]]
    assert len(values) > 1
    assert values == sorted(values, reverse=sort.startswith("-"))
    event = AuditEvent.objects.filter(kind="export").latest("id")
    assert event.details["filters"]["sort"] == sort


def test_csv_export_has_the_contract_columns(computed, admin):
    url = reverse("kpi:report_export", args=["industry-scorecard", "csv"])
    text = login(admin).get(url, {"month": "2024-03"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == REPORTS["industry-scorecard"].keys
    bank = next(r for r in rows if r[0] == "fin.bank")
    assert bank[2] == "240.00"


def test_xlsx_export_opens_with_numbers_as_numbers(computed, admin):
    url = reverse("kpi:report_export", args=["customer-ranking", "xlsx"])
    response = login(admin).get(url, {"month": "2024-03", "limit": "3"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert list(values[0]) == REPORTS["customer-ranking"].keys
    assert len(values) == 4
    assert isinstance(values[1][7], int | float)  # revenue_ytd


def test_json_export_follows_the_filters_and_the_scope(computed, gd_controller):
    url = reverse("kpi:report_export", args=["customer-ranking", "json"])
    response = login(gd_controller).get(url, {"month": "2024-03", "order": "revenue"})
    document = json.loads(response.content)
    assert document["month"] == "2024-03"
    assert {r["code"] for r in document["rows"]} == {"C002", "C004", "C005"}


def test_exports_are_audited(computed, admin):
    url = reverse("kpi:report_export", args=["org-scorecard", "csv"])
    login(admin).get(url, {"month": "2024-03", "root": "GD"})
    event = AuditEvent.objects.filter(kind="export").latest("id")
    assert event.details["kind"] == "report:org-scorecard"
    assert event.details["filters"] == {"month": "2024-03", "root": "GD"}


# ---------------------------------------------------------------- targets


@pytest.fixture
def targets(computed, admin):
    return {
        "gd": do_set_target(
            {"year": 2024, "dimension": "org_unit", "key": "GD",
             "revenue_growth": decimal.Decimal("0.10"), "covered_groups": 2},
            actor=admin,
        ),
        "bank": do_set_target(
            {"year": 2024, "dimension": "industry", "key": "fin.bank",
             "ict_penetration": decimal.Decimal("0.50")},
            actor=admin,
        ),
    }  # fmt: skip


def test_target_list_shows_actuals_and_traffic_lights(
    targets, admin, django_assert_max_num_queries
):
    client = login(admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("kpi:targets"))
    assert response.status_code == 200 and response.context["year"] == 2024
    statuses = {s.target.key: s for s in response.context["statuses"]}
    # GD: B 60/100, D 20/40, E 10/0 → 90/140 = −35.71 % against +10 %: red; covered: D only.
    assert statuses["GD"].revenue_growth_light == "red"
    assert statuses["GD"].covered_groups == 1 and statuses["GD"].covered_groups_light == "red"
    # fin.bank: A has ICT, B has not: 50 % against 50 %: green.
    assert statuses["fin.bank"].ict_penetration_light == "green"
    body = response.content.decode()
    assert 'data-light="green"' in body and 'data-light="red"' in body
    assert "广东省公司政企客户部" in body


def test_targets_without_any_for_the_year_show_the_empty_state(computed, admin):
    body = login(admin).get(reverse("kpi:targets"), {"year": "2030"}).content.decode()
    assert 'id="targets-empty"' in body


def test_manager_creates_a_target_with_percentages(computed, hq_controller):
    response = login(hq_controller).post(
        reverse("kpi:target_add"),
        {"year": "2024", "subject": "industry:gov.party", "revenue_growth": "8.5",
         "ict_penetration": "", "covered_groups": "3"},
    )  # fmt: skip
    assert response.status_code == 302
    target = Target.objects.get(key="gov.party")
    assert target.revenue_growth == decimal.Decimal("0.0850") and target.covered_groups == 3
    assert target.ict_penetration is None


def test_a_target_needs_one_measure_and_a_unique_subject(targets, admin):
    client = login(admin)
    response = client.post(
        reverse("kpi:target_add"),
        {"year": "2024", "subject": "org_unit:BJ", "revenue_growth": "", "ict_penetration": "",
         "covered_groups": ""},
    )  # fmt: skip
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        reverse("kpi:target_add"),
        {"year": "2024", "subject": "org_unit:GD", "revenue_growth": "5"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert Target.objects.count() == 2


def test_editing_a_target_with_its_version(targets, admin):
    target = targets["gd"]
    client = login(admin)
    url = reverse("kpi:target_edit", args=[target.pk])
    form = client.get(url).context["form"]
    assert form.initial["revenue_growth"] == decimal.Decimal("0.1000")
    assert 'value="10"' in client.get(url).content.decode()  # shown as a percentage
    response = client.post(
        url,
        {"year": "2024", "subject": "org_unit:GD", "revenue_growth": "12", "covered_groups": "2",
         "version": str(target.version)},
    )  # fmt: skip
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.revenue_growth == decimal.Decimal("0.1200") and target.version == 2


def test_a_stale_target_edit_answers_409_and_changes_nothing(targets, admin):
    target = targets["gd"]
    stale = target.version
    client = login(admin)
    url = reverse("kpi:target_edit", args=[target.pk])
    data = {"year": "2024", "subject": "org_unit:GD", "revenue_growth": "12",
            "covered_groups": "2", "version": str(stale)}  # fmt: skip
    assert client.post(url, data).status_code == 302
    data["revenue_growth"] = "99"
    response = client.post(url, data)
    assert response.status_code == 409
    target.refresh_from_db()
    assert target.revenue_growth == decimal.Decimal("0.1200")


def test_only_managers_edit_targets(targets, gd_controller, hotline):
    target = targets["gd"]
    for user in (gd_controller, hotline):
        client = login(user)
        assert client.get(reverse("kpi:target_add")).status_code == 403
        response = client.post(
            reverse("kpi:target_edit", args=[target.pk]),
            {"year": "2024", "subject": "org_unit:GD", "revenue_growth": "50",
             "version": str(target.version)},
        )  # fmt: skip
        assert response.status_code == 403
        body = client.get(reverse("kpi:targets")).content.decode()
        assert 'id="add-target"' not in body
    target.refresh_from_db()
    assert target.revenue_growth == decimal.Decimal("0.1000")


def test_province_user_sees_the_targets_of_their_groups_with_their_actuals(targets, gd_controller):
    response = login(gd_controller).get(reverse("kpi:targets"))
    statuses = {s.target.key: s for s in response.context["statuses"]}
    assert set(statuses) == {"GD", "fin.bank"}
    # fin.bank for them is B alone: no ICT, penetration 0 %.
    assert statuses["fin.bank"].ict_penetration == decimal.Decimal("0")


# ---------------------------------------------------------------- home page and navigation


def test_home_page_shows_the_users_kpi_summary(computed, admin, gd_controller, hotline):
    body = login(admin).get(reverse("web:home")).content.decode()
    assert 'id="home-kpi"' in body and "¥270.00" in body
    assert reverse("kpi:dashboard") in body
    body = login(gd_controller).get(reverse("web:home")).content.decode()
    assert "¥90.00" in body and "¥270.00" not in body
    body = login(hotline).get(reverse("web:home")).content.decode()
    # A hotline agent sees no money: neither the summary nor the KPI pages in the navigation.
    assert 'id="home-kpi"' not in body and 'id="nav-kpi"' not in body


def test_dashboard_queries_are_bounded(
    computed, admin, gd_controller, django_assert_max_num_queries
):
    for user in (admin, gd_controller):
        client = login(user)
        with django_assert_max_num_queries(20):
            assert client.get(reverse("kpi:dashboard")).status_code == 200


def test_report_page_renders_the_first_rows_and_says_so(computed, admin, monkeypatch):
    from gecrm.kpi import views

    monkeypatch.setattr(views, "PAGE_ROWS", 2)
    response = login(admin).get(reverse("kpi:report", args=["org-scorecard"]))
    assert len(response.context["rows"]) == 2
    assert response.context["total_rows"] > 2
    assert 'id="rows-truncated"' in response.content.decode()


def test_report_pages_show_names_beside_codes_and_say_what_each_column_is(computed, admin):
    client = login(admin)
    url = reverse("kpi:report", args=["customer-ranking"])
    response = client.get(url, {"month": "2024-03"})
    labels = [str(c.label) for c in response.context["columns"]]
    limit_label = str(response.context["filter_form"]["limit"].label)
    assert labels[1] == "客户名称 / 客户编码"  # was "code" (编码)
    body = response.content.decode()
    # The org unit's name beside its code, the chief AM's beside their username.
    assert '集团公司政企客户事业部 <span class="gecrm-code">HQ</span>' in body
    assert 'chief1 <span class="gecrm-code">chief1</span>' in body
    # The Top-N filter is a number of customer groups, not Django's "Groups" (用户组).
    assert limit_label == "集团客户个数"  # Number of customer groups
    # The export keeps its columns.
    assert REPORTS["customer-ranking"].keys[:3] == ["rank", "code", "name"]
    org = client.get(reverse("kpi:report", args=["org-scorecard"]))
    assert [str(c.label) for c in org.context["columns"]][0] == "组织机构名称 / 组织机构编码"
