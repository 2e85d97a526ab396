"""The demo's pilot programme reproduces the seed's first-batch table (DOMAIN.md §4)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from gecrm.accounts.models import Program
from gecrm.accounts.pilots import pilot_table, program_progress
from gecrm.demo.generate import PILOT_PROGRAMME, build_demo, wipe

# The seed's table: rows 党政军 金融 大企业, columns 集团 北京 上海 广东 江苏 ("-" = none).
SEED = {
    "gov": {"GRP": 6, "BJ": 1, "SH": 0, "GD": 0, "JS": 1},
    "fin": {"GRP": 16, "BJ": 3, "SH": 11, "GD": 0, "JS": 3},
    "ent": {"GRP": 16, "BJ": 2, "SH": 6, "GD": 6, "JS": 4},
}
SEED_TOTALS = {"GRP": 38, "BJ": 6, "SH": 17, "GD": 6, "JS": 8}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = build_demo(scale=0.01, seed=11)
    yield result
    with django_db_blocker.unblock(), transaction.atomic():
        wipe()
        get_user_model().objects.all().delete()


@pytest.fixture
def program(built, db):
    return Program.objects.get(code=PILOT_PROGRAMME)


def test_the_demo_programme_is_the_seeds_table(program):
    table = pilot_table(program)
    assert table.segments == ["gov", "fin", "ent"]
    # The group first, then the provinces in org-code order.
    assert [c.code for c in table.columns] == ["GRP", "BJ", "GD", "JS", "SH"]
    for segment, cells in SEED.items():
        assert {code: table.count(segment, code) for code in cells} == cells, segment
    assert {code: table.column_total(code) for code in SEED_TOTALS} == SEED_TOTALS
    assert [table.row_total(s) for s in ("gov", "fin", "ent")] == [8, 33, 34]
    assert table.total == 75
    page = {row["segment"]: row for row in table.rows(empty="-")}
    assert page["gov"]["SH"] == "-" and page["fin"]["GD"] == "-"
    assert page["total"]["total"] == 75


def test_the_demo_programme_has_the_seeds_units_phase_and_targets(program):
    names = sorted(program.units.values_list("name", flat=True))
    assert len(names) == 8
    assert {n[:2] for n in names} == {
        "北京",
        "上海",
        "广东",
        "江苏",
        "广州",
        "深圳",
        "南京",
        "苏州",
    }
    phase = program.phases.get()
    assert phase.name == "第一批" and phase.start and phase.end
    target = program.targets.get()
    assert target.customers == 75 and target.beat_industry
    assert program.pilots.filter(phase=phase).count() == 75


def test_the_demo_programme_has_progress_figures(program):
    progress = program_progress(program)
    assert progress.month is not None
    assert progress.total.customers == 75
    assert progress.total.growth is not None and progress.total.industry_growth is not None
    units = {row.key: row.customers for row in progress.units}
    assert len(units) == 8 and all(n > 0 for n in units.values())
