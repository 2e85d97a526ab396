"""Pilot programme pages: list, detail (seed table, progress, targets, list), forms, scope."""

import datetime

import pytest
from django.urls import reverse

from gecrm.accounts.actions import do_set_program_target
from gecrm.accounts.models import Phase, PilotCustomer, Program, ProgramTarget
from gecrm.core import testing
from gecrm.core.models import ObjectChange
from gecrm.kpi import engine
from tests.kpi.conftest import M, world  # noqa: F401 - the KPI world fixture

from .pilot_world import build_program


@pytest.fixture
def program(world, org, admin):  # noqa: F811
    program = build_program(world, org, admin)
    engine.compute(M)
    do_set_program_target(
        program,
        {"customers": 5, "revenue_growth": None, "beat_industry": True},
        actor=admin,
        source="test",
    )
    return program


@pytest.fixture
def gd_sc(org, admin):
    return testing.make_staff("gd_sc", org["GD"], posts=("sales_control",), actor=admin).user


@pytest.fixture
def grp_sc(org, admin):
    return testing.make_staff("grp_sc", org["HQ"], posts=("sales_control",), actor=admin).user


def detail(client, code="P1", **params):
    return client.get(reverse("accounts:program", args=[code]), params)


def test_the_list_shows_programmes_with_their_visible_pilot_counts(client, program, gd_sc):
    client.force_login(gd_sc)
    response = client.get(reverse("accounts:programs"))
    assert response.status_code == 200
    assert response.context["programs"][0].pilot_count == 3  # B D E are in 广东's scope
    assert b'id="add-program"' not in response.content


def test_the_list_is_empty_with_a_hint(client, admin, db):
    client.force_login(admin)
    response = client.get(reverse("accounts:programs"))
    assert b'id="programs-empty"' in response.content


def test_the_detail_shows_the_seed_shaped_table(client, admin, program):
    client.force_login(admin)
    response = detail(client)
    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["table_rows"]
    assert [r["segment"] for r in rows] == ["gov", "fin", "ent", "sme", "total"]
    assert rows[0]["cells"] == [1, "-", "-"] and rows[0]["label"] == "党政军"
    assert rows[2]["cells"] == ["-", "-", "-"] and rows[2]["total"] == "-"
    assert rows[-1]["cells"] == [2, 1, 2] and rows[-1]["total"] == 5
    assert 'id="pilot-table"' in html and 'data-org="HQ"' in html
    assert 'id="progress-table"' in html and 'data-gecrm-chart="bars"' in html
    assert 'id="target-table"' in html and 'data-light="green"' in html  # 5 of 5 customers
    assert "<script>" not in html  # CSP: data in json_script only
    assert len(response.context["page"].object_list) == 5


@pytest.mark.parametrize("persona", ["admin", "gd_sc"])
def test_the_detail_page_has_a_query_budget_that_does_not_grow_with_pilots(
    client, request, persona, program, org, admin, django_assert_max_num_queries
):
    from gecrm.accounts.actions import do_add_pilot_customer

    client.force_login(request.getfixturevalue(persona))
    with django_assert_max_num_queries(24):
        assert detail(client).status_code == 200
    phase = Phase.objects.get(program=program, number=1)
    for i in range(6):
        customer = testing.make_customer(f"X{i}", org["GD.SZ"], actor=admin)
        testing.make_customer(f"X{i}.GZ", org["GD.GZ"], parent=customer, actor=admin)
        do_add_pilot_customer(program, customer, org["GD"], phase=phase, actor=admin)
    engine.compute(M)
    with django_assert_max_num_queries(24):
        response = detail(client)
    assert response.context["table"].total in (11, 9)


def test_the_list_page_has_a_query_budget(client, admin, program, django_assert_max_num_queries):
    client.force_login(admin)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("accounts:programs")).status_code == 200


def test_the_pilot_list_filters_and_sorts(client, admin, program):
    client.force_login(admin)
    response = detail(client, segment="fin", ordering="-customer")
    codes = [p.customer.code for p in response.context["page"].object_list]
    assert codes == ["C003", "C002", "C001"]
    response = detail(client, org_unit="GD", phase="2")
    assert [p.customer.code for p in response.context["page"].object_list] == ["C005"]
    response = detail(client, q="nobody")
    assert b"Nothing matches" in response.content or response.context["is_filtered"]


def test_the_pilot_customer_export_follows_the_list_shown(client, admin, program, gd_sc):
    import html
    import re

    def exported(href, column=1):
        response = client.get(href)
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return [line.split(",")[column] for line in text.splitlines()[1:]]

    client.force_login(admin)
    response = detail(client, segment="fin", ordering="-customer", page="1")
    page = response.content.decode()
    links = {
        key: html.unescape(href)
        for href, key in re.findall(r'href="([^"]*)" id="(export-pilots-[a-z-]+)"', page)
    }
    csv_url = reverse("imports:export", args=["pilots", "csv"])
    assert links["export-pilots-import-csv"] == (
        f"{csv_url}?program=P1&segment=fin&ordering=-customer"
    )
    shown = [p.customer.code for p in response.context["page"].object_list]
    assert exported(links["export-pilots-import-csv"]) == shown == ["C003", "C002", "C001"]
    # The report: programme code and name, customer code and name … in the same order.
    assert exported(links["export-pilots-report-csv"], 2) == shown
    client.force_login(gd_sc)
    page = detail(client).content.decode()
    href = html.unescape(re.search(r'href="([^"]*)" id="export-pilots-import-csv"', page)[1])
    assert sorted(exported(href)) == ["C002", "C004", "C005"]


def test_a_province_controller_sees_their_part_only(client, program, gd_sc):
    client.force_login(gd_sc)
    response = detail(client)
    assert response.status_code == 200
    assert response.context["table"].total == 3
    assert {p.customer.code for p in response.context["page"].object_list} == {
        "C002",
        "C004",
        "C005",
    }
    assert b'id="scope-note"' in response.content
    assert b'id="edit-program"' not in response.content


def test_an_unknown_programme_is_404(client, admin, db):
    client.force_login(admin)
    assert detail(client, "NOPE").status_code == 404


def test_exports_are_the_report_scoped(client, admin, program, gd_sc):
    client.force_login(admin)
    response = client.get(reverse("accounts:program_table_export", args=["P1", "csv"]))
    assert response.content.decode("utf-8-sig").splitlines()[0] == "segment,HQ,BJ,GD,total"
    client.force_login(gd_sc)
    response = client.get(reverse("accounts:program_table_export", args=["P1", "json"]))
    assert response.json()["columns"] == ["segment", "HQ", "GD", "total"]
    assert (
        client.get(reverse("accounts:program_table_export", args=["P1", "pdf"])).status_code == 404
    )


def test_managers_create_and_edit_programmes(client, grp_sc, org, db):
    client.force_login(grp_sc)
    response = client.post(
        reverse("accounts:program_add"),
        {"code": "P2", "name": "试点二期", "start": "2025-01-01", "units": [org["GD"].pk]},
    )
    assert response.status_code == 302
    program = Program.objects.get(code="P2")
    assert list(program.units.values_list("code", flat=True)) == ["GD"]
    response = client.post(
        reverse("accounts:program_edit", args=["P2"]),
        {"name": "试点二期（扩）", "units": [org["GD"].pk, org["BJ"].pk], "version": 1},
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.name == "试点二期（扩）" and program.version == 2
    assert program.units.count() == 2
    assert ObjectChange.objects.filter(object_type="accounts.program", action="update").exists()


def test_a_stale_programme_edit_answers_409_and_changes_nothing(client, admin, program):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:program_edit", args=["P1"]),
        {"name": "改名", "version": program.version - 1 if program.version > 1 else 99},
    )
    assert response.status_code == 409
    program.refresh_from_db()
    assert program.name == "试点一期"


def test_bad_programme_input_is_shown_on_the_form(client, admin, db):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:program_add"),
        {"code": "P/3", "name": "x", "start": "2025-02-01", "end": "2025-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Program.objects.exists()


def test_others_may_not_edit(client, program, gd_sc):
    client.force_login(gd_sc)
    for url in (
        reverse("accounts:program_add"),
        reverse("accounts:program_edit", args=["P1"]),
        reverse("accounts:phase_add", args=["P1"]),
        reverse("accounts:program_target_add", args=["P1"]),
        reverse("accounts:pilot_add", args=["P1"]),
    ):
        assert client.post(url, {"name": "x"}).status_code == 403, url
    response = client.post(reverse("accounts:pilot_remove", args=["P1", "C002"]), {"version": 1})
    assert response.status_code == 403
    assert PilotCustomer.objects.count() == 5


def test_phases_are_added_and_edited(client, admin, program):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:phase_add", args=["P1"]), {"number": 3, "name": "第三批"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("accounts:phase_add", args=["P1"]), {"number": 3, "name": "重复"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    phase = Phase.objects.get(program=program, number=3)
    response = client.post(
        reverse("accounts:phase_edit", args=["P1", 3]),
        {"number": 3, "name": "第三批", "start": "2024-07-01", "version": phase.version},
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.start == datetime.date(2024, 7, 1)
    stale = client.post(
        reverse("accounts:phase_edit", args=["P1", 3]),
        {"number": 3, "name": "x", "version": 1},
    )
    assert stale.status_code == 409


def test_targets_are_set_for_a_unit_and_refused_for_other_units(client, admin, program, org):
    client.force_login(admin)
    url = reverse("accounts:program_target_add", args=["P1"])
    response = client.post(url, {"org_unit": org["GD"].pk, "ict_penetration": "60"})
    assert response.status_code == 302
    target = ProgramTarget.objects.get(program=program, org_unit=org["GD"])
    assert str(target.ict_penetration) == "0.6000"
    # 广州 is not a pilot unit of the programme: not even a choice.
    response = client.post(url, {"org_unit": org["GD.GZ"].pk, "customers": "1"})
    assert response.status_code == 200 and "org_unit" in response.context["form"].errors
    # Nothing set at all.
    response = client.post(url, {"phase": Phase.objects.get(program=program, number=1).pk})
    assert response.status_code == 200 and response.context["form"].errors


def test_pilot_customers_are_added_changed_and_removed(client, admin, program, org, world):  # noqa: F811
    client.force_login(admin)
    add = reverse("accounts:pilot_add", args=["P1"])
    branch = client.post(add, {"customer_code": "C001.SZ", "org_unit": org["GD"].pk})
    assert branch.status_code == 200 and "customer_code" in branch.context["form"].errors
    prefecture = client.post(add, {"customer_code": "C001", "org_unit": org["GD.SZ"].pk})
    assert prefecture.status_code == 200 and "org_unit" in prefecture.context["form"].errors
    twice = client.post(add, {"customer_code": "C001", "org_unit": org["HQ"].pk})
    assert twice.status_code == 200 and twice.context["form"].errors
    unknown = client.post(add, {"customer_code": "NOPE", "org_unit": org["HQ"].pk})
    assert unknown.status_code == 200 and "customer_code" in unknown.context["form"].errors
    pilot = PilotCustomer.objects.get(program=program, customer=world["c"])
    response = client.post(
        reverse("accounts:pilot_edit", args=["P1", "C003"]),
        {"org_unit": org["HQ"].pk, "phase": "", "version": pilot.version},
    )
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.org_unit == org["HQ"]
    stale = client.post(reverse("accounts:pilot_remove", args=["P1", "C003"]), {"version": 1})
    assert stale.status_code == 409
    gone = client.post(
        reverse("accounts:pilot_remove", args=["P1", "C003"]), {"version": pilot.version}
    )
    assert gone.status_code == 302
    assert not PilotCustomer.objects.filter(pk=pilot.pk).exists()
    assert ObjectChange.objects.filter(
        object_type="accounts.pilotcustomer", action="delete"
    ).exists()


def test_another_province_sees_only_its_own_pilots(client, program, org, admin):
    bj_sc = testing.make_staff("bj_sc", org["BJ"], posts=("sales_control",), actor=admin).user
    client.force_login(bj_sc)
    response = detail(client)
    assert response.context["table"].total == 1
    assert {p.customer.code for p in response.context["page"].object_list} == {"C003"}


def test_targets_are_deleted_with_their_version(client, admin, program):
    client.force_login(admin)
    target = ProgramTarget.objects.get(program=program)
    url = reverse("accounts:program_target_delete", args=["P1", target.pk])
    assert client.post(url, {"version": target.version + 1}).status_code == 409
    assert ProgramTarget.objects.filter(pk=target.pk).exists()
    assert client.post(url, {"version": target.version}).status_code == 302
    assert not ProgramTarget.objects.filter(pk=target.pk).exists()


def test_the_page_says_the_pilots_are_compared_with_the_rest_of_their_industry(
    client, admin, program
):
    client.force_login(admin)
    url = reverse("accounts:program", args=[program.code])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="benchmark-note"' in html
    assert "不属于本项目试点" in html  # that are not pilots of this programme
    assert "industry average" not in html
