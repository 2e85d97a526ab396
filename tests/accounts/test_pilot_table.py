"""The pilot table and programme progress on hand-built data (see pilot_world.py)."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from gecrm.accounts.pilots import pilot_table, program_progress
from gecrm.core import testing
from gecrm.kpi import engine
from tests.kpi.conftest import M, world  # noqa: F401 - the KPI world fixture

from .pilot_world import PILOT_TABLE_CSV, build_program


@pytest.fixture
def program(world, org, admin):  # noqa: F811
    return build_program(world, org, admin)


def report(*args, capsys):
    call_command("report", "pilot-table", *args)
    return capsys.readouterr().out


def test_table_counts_by_segment_and_responsible_org(program):
    table = pilot_table(program)
    assert table.segments == ["gov", "fin", "ent", "sme"]
    assert [c.code for c in table.columns] == ["HQ", "BJ", "GD"]
    assert table.count("fin", "BJ") == 1
    assert table.count("gov", "BJ") == 0  # an org unit without pilots in a segment
    assert table.row_total("ent") == 0  # a segment without pilots is still a row
    assert table.column_total("HQ") == 2
    assert table.total == 5
    page = table.rows(empty="-")
    assert page[2] == {"segment": "ent", "label": "大企业", "HQ": "-", "BJ": "-", "GD": "-",
                       "total": "-"}  # fmt: skip
    assert page[-1]["segment"] == "total" and page[-1]["total"] == 5


def test_table_without_pilots_has_the_vertical_rows_and_no_columns(program, admin):
    from gecrm.accounts.actions import do_create_program

    empty = do_create_program({"code": "P0", "name": "空"}, actor=admin, source="test")
    table = pilot_table(empty)
    assert table.segments == ["gov", "fin", "ent"]
    assert table.columns == []
    assert [r["total"] for r in table.rows()] == [0, 0, 0, 0]


def test_csv_is_exactly_the_seed_shape(program, capsys):
    assert report("--program", "P1", capsys=capsys) == PILOT_TABLE_CSV


def test_json_has_zeros_and_the_programme(program, capsys):
    document = json.loads(report("--program", "P1", "--format", "json", capsys=capsys))
    assert document["report"] == "pilot-table"
    assert document["program"] == "P1"
    assert document["columns"] == ["segment", "HQ", "BJ", "GD", "total"]
    assert document["rows"][2] == {"segment": "ent", "HQ": 0, "BJ": 0, "GD": 0, "total": 0}
    assert document["rows"][-1] == {"segment": "total", "HQ": 2, "BJ": 1, "GD": 2, "total": 5}


def test_xlsx_prints_dashes_for_empty_cells(program, tmp_path):
    path = tmp_path / "pilots.xlsx"
    call_command("report", "pilot-table", "--program", "P1", "--format", "xlsx", "-o", str(path))
    sheet = load_workbook(path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows == [
        ["segment", "HQ", "BJ", "GD", "total"],
        ["gov", 1, "-", "-", 1],
        ["fin", 1, 1, 1, 3],
        ["ent", "-", "-", "-", "-"],
        ["sme", "-", "-", 1, 1],
        ["total", 2, 1, 2, 5],
    ]


def test_a_province_controller_counts_only_their_pilot_customers(program, org, admin, capsys):
    testing.make_staff("gd_sc", org["GD"], posts=("sales_control",), actor=admin)
    out = report("--program", "P1", "--user", "gd_sc", capsys=capsys)
    # C001 is owned by the group (only its branches are in 广东), C003 by 北京.
    assert out == (
        "\ufeffsegment,HQ,GD,total\r\n"
        "gov,1,0,1\r\nfin,0,1,1\r\nent,0,0,0\r\nsme,0,1,1\r\ntotal,1,2,3\r\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--program"),
        (("--program", "NOPE"), "NOPE"),
        (("--program", "P1", "--format", "xlsx"), "--output"),
        (("--program", "P1", "--filter", "a=b"), "--filter"),
        (("--program", "P1", "--user", "ghost"), "ghost"),
    ],
)
def test_cli_errors(program, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "pilot-table", *args)


def test_kpi_reports_still_need_a_month(db):
    with pytest.raises(CommandError, match="--month"):
        call_command("report", "industry-scorecard", stdout=io.StringIO())


@pytest.fixture
def others(world, org, admin):  # noqa: F811
    """Groups that are not pilots: F (fin.bank, 广州) YTD 60 (ICT 10) / PYTD 40 and G
    (gov.party, 北京) YTD 30 / PYTD 30."""
    from tests.kpi import factories

    f = testing.make_customer("C006", org["GD.GZ"], name="己银行", actor=admin)
    g = testing.make_customer(
        "C007", org["BJ"], segment="gov", industry="gov.party", name="庚局", actor=admin
    )
    voice, cloud = world["voice"], world["cloud"]
    factories.facts(
        [
            (202401, f, voice, "50"),
            (202402, f, cloud, "10"),
            (202301, f, voice, "40"),
            (202401, g, voice, "30"),
            (202301, g, voice, "30"),
        ]
    )
    return {"f": f, "g": g}


def test_progress_against_the_rest_of_the_industries(program, others):
    engine.compute(M)
    progress = program_progress(program)
    assert progress.month == M
    total = progress.total
    assert total.customers == 5
    # YTD 180 + 60 + 20 + 10 = 270 against PYTD 90 + 100 + 40 = 230; ICT in A and D of the
    # four groups with revenue.
    assert total.growth == Decimal("0.1739")
    assert total.ict_penetration == Decimal("0.5000")
    # Industries fin.bank, fin.insurance, gov.party without the pilots A B C D: F and G (YTD
    # 90, PYTD 70; ICT in F, one of the two with revenue). With the pilots, the average would
    # be 0.1667 (YTD 350, PYTD 300).
    assert total.industry_growth == Decimal("0.2857")
    assert total.industry_ict_penetration == Decimal("0.5000")
    assert total.beats_industry is False
    phases = {row.key: row for row in progress.phases}
    assert set(phases) == {"1", "2", ""}
    assert phases["1"].customers == 2 and phases["1"].growth == Decimal("0.2632")
    # A and B against the rest of fin.bank: F (60 against 40, with ICT) — not themselves.
    assert phases["1"].industry_growth == Decimal("0.5000")
    assert phases["1"].industry_ict_penetration == Decimal("1.0000")
    assert phases["2"].customers == 2 and phases["2"].growth == Decimal("-0.2500")
    # D against the rest of gov.party: G (30 against 30, no ICT); E has no industry.
    assert phases["2"].industry_growth == Decimal("0.0000")
    assert phases["2"].industry_ict_penetration == Decimal("0.0000")
    # C: no revenue; no other insurance group, so nothing to compare with.
    assert phases[""].customers == 1 and phases[""].growth is None
    assert phases[""].industry_growth is None and phases[""].beats_industry is None
    units = {row.key: row.customers for row in progress.units}
    # 广东: B and E (responsible), A (branches in 深圳), D (owned by 深圳); 深圳: A and D;
    # 北京: C (responsible) and A (a branch in 北京).
    assert units == {"GD": 4, "GD.SZ": 2, "BJ": 2}


def test_an_industry_of_pilots_only_has_no_benchmark(program):
    engine.compute(M)
    total = program_progress(program).total
    # Every group of the world is a pilot: nothing is left to compare with.
    assert total.industry_growth is None and total.beats_industry is None


def test_progress_without_a_computed_month_counts_customers_only(program):
    progress = program_progress(program)
    assert progress.month is None
    assert progress.total.customers == 5
    assert progress.total.growth is None


def test_targets_get_the_actuals_of_their_set(program, others, org, admin):
    from gecrm.accounts.actions import do_set_program_target
    from gecrm.accounts.pilots import targets_with_actuals

    engine.compute(M)
    one = program.phases.get(number=1)

    def target(**fields):
        return do_set_program_target(program, fields, actor=admin, source="test")

    target(customers=6, beat_industry=True)
    target(phase=one, customers=2, revenue_growth=Decimal("0.2"))
    target(org_unit=org["GD"], ict_penetration=Decimal("0.9"))
    target(phase=one, org_unit=org["GD"], customers=3)
    progress = program_progress(program)
    statuses = targets_with_actuals(program, progress)
    by_subject = {(s.target.phase_id, s.target.org_unit_id): s for s in statuses}
    whole = by_subject[(None, None)]
    assert whole.actual.customers == 5
    assert whole.customers_light == "red"  # 5 of 6 is below 90 % of the target
    phase = by_subject[(one.pk, None)]
    assert (phase.actual.customers, phase.customers_light, phase.growth_light) == (
        2,
        "green",
        "green",
    )
    unit = by_subject[(None, org["GD"].pk)]
    assert unit.actual.customers == 4 and unit.penetration_light == "red"  # 2 of 4 with ICT
    both = by_subject[(one.pk, org["GD"].pk)]
    # Phase 1 holds A and B; both belong to 广东 (A through its 深圳 branches).
    assert both.actual.customers == 2 and both.customers_light == "red"
    assert whole.beat_industry_light == "red"


def test_a_target_needs_a_pilot_unit_of_the_programme_and_one_per_subject(program, org, admin):
    from django.core.exceptions import ValidationError

    from gecrm.accounts.actions import do_set_program_target

    with pytest.raises(ValidationError) as error:
        do_set_program_target(
            program, {"org_unit": org["GD.GZ"], "customers": 1}, actor=admin, source="test"
        )
    assert "org_unit" in error.value.error_dict
    do_set_program_target(program, {"customers": 1}, actor=admin, source="test")
    with pytest.raises(ValidationError):
        do_set_program_target(program, {"customers": 2}, actor=admin, source="test")
    with pytest.raises(ValidationError) as error:
        do_set_program_target(
            program, {"org_unit": org["GD"], "ict_penetration": Decimal("1.5")}, actor=admin
        )
    assert "ict_penetration" in error.value.error_dict
