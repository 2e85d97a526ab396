"""The engine on the hand-computed world of conftest.py (month 2024-03)."""

from decimal import Decimal

import pytest

from gecrm.customers.actions import do_update_customer
from gecrm.kpi import engine
from gecrm.kpi.models import Computation, GroupMonth, Snapshot
from gecrm.kpi.scorecards import ALL, CHIEF_AM, INDUSTRY, ORG_UNIT, SEGMENT

from . import factories
from .conftest import M

pytestmark = pytest.mark.django_db


def _group_months(month=M):
    return {
        gm.group.code: gm
        for gm in GroupMonth.objects.filter(month=month).select_related("group", "chief_am")
    }


def test_one_row_per_top_level_customer_with_its_members_sums(world):
    computation = engine.compute(M, reason="test")
    rows = _group_months()
    assert sorted(rows) == ["C001", "C002", "C003", "C004", "C005"]
    assert computation.groups == 5 and computation.reason == "test"
    a = rows["C001"]
    # Branches in 深圳 (two levels) and 北京 add up into the group; 2023-12 and 2024-04 are out.
    assert (a.revenue_ytd_cents, a.revenue_pytd_cents) == (18000, 9000)
    # The ICT adjustment of −10 is kept as is.
    assert (a.ict_ytd_cents, a.ict_pytd_cents) == (5000, -1000)
    assert (a.segment, a.industry, a.org_unit.code) == ("fin", "fin.bank", "HQ")
    c = rows["C003"]
    assert (c.revenue_ytd_cents, c.revenue_pytd_cents, c.ict_ytd_cents) == (0, 0, 0)
    assert rows["C005"].industry == ""


def test_covered_means_a_chief_am_active_on_the_last_day_of_the_month(world):
    engine.compute(M)
    rows = _group_months()
    assert rows["C001"].covered and rows["C001"].chief_am == world["chief1"]
    # chief1 ended on 2024-03-30, chief2 starts 2024-04-01: nobody on 2024-03-31.
    assert not rows["C002"].covered and rows["C002"].chief_am is None
    # chief2 starts on the last day itself; chief3 also active: the lowest user id wins.
    assert rows["C004"].covered and rows["C004"].chief_am == world["chief2"]
    assert not rows["C003"].covered and not rows["C005"].covered


def test_future_assignment_covers_from_its_month_on(world):
    engine.compute(202404)
    rows = _group_months(202404)
    assert rows["C002"].chief_am == world["chief2"]
    engine.compute(202402)
    rows = _group_months(202402)
    assert rows["C002"].chief_am == world["chief1"]
    # chief2's D assignment starts 2024-03-31: in February chief3 is D's chief AM.
    assert rows["C004"].chief_am == world["chief3"]


def test_ignores_assignments_of_branches_and_other_roles(world, admin):
    from gecrm.accounts.models import Assignment

    Assignment.objects.create(
        customer=world["c"], user=world["chief3"], role="am", start="2020-01-01"
    )
    factories.assign_chief(world["sz"], world["chief3"], "2020-01-01")  # a branch
    engine.compute(M)
    rows = _group_months()
    assert not rows["C003"].covered
    assert rows["C001"].chief_am == world["chief1"]


def test_snapshots_per_dimension(world):
    engine.compute(M)
    snaps = {(s.dimension, s.key): s for s in Snapshot.objects.filter(month=M)}
    everything = snaps[(ALL, "")]
    assert (everything.all_groups, everything.groups, everything.ict_groups) == (5, 4, 2)
    assert everything.revenue_ytd_cents == 18000 + 6000 + 2000 + 1000
    assert everything.covered_all_groups == 2 and everything.covered_revenue_ytd_cents == 20000
    assert {k for d, k in snaps if d == INDUSTRY} == {"fin.bank", "fin.insurance", "gov.party"}
    assert {k for d, k in snaps if d == SEGMENT} == {"fin", "gov", "sme"}
    assert {k for d, k in snaps if d == CHIEF_AM} == {"chief1", "chief2"}
    # Org units hold every group owned in their subtree; the centre without groups is absent.
    assert {k for d, k in snaps if d == ORG_UNIT} == {"HQ", "GD", "GD.GZ", "GD.SZ", "BJ"}
    assert snaps[(ORG_UNIT, "HQ")].all_groups == 5
    assert snaps[(ORG_UNIT, "GD")].all_groups == 3  # GD itself, GD.GZ, GD.SZ
    assert snaps[(ORG_UNIT, "GD")].revenue_ytd_cents == 6000 + 2000 + 1000
    assert snaps[(ORG_UNIT, "GD.SZ")].covered_groups == 1
    # A's 深圳 branch does not make 深圳 own A: groups belong to the top customer's unit.
    assert snaps[(ORG_UNIT, "GD.SZ")].revenue_ytd_cents == 2000


def test_recompute_replaces_the_month_and_keeps_history_of_runs(world):
    engine.compute(M)
    engine.compute(M)
    assert GroupMonth.objects.filter(month=M).count() == 5
    assert Snapshot.objects.filter(month=M, dimension=ALL).count() == 1
    assert Computation.objects.filter(month=M).count() == 2
    engine.compute(202402)
    assert engine.computed_months() == [202402, M]
    assert engine.latest_month() == M
    assert engine.is_computed(M) and not engine.is_computed(202401)


def test_nothing_computed():
    assert engine.computed_months() == []
    assert engine.latest_month() is None


def test_a_reparent_changes_the_figures_from_the_next_computation_on(world, admin):
    engine.compute(M)
    b = world["b"]
    do_update_customer(b, {"parent": world["a"]}, expected_version=b.version, actor=admin)
    # Stored figures do not move until the month is computed again.
    assert _group_months()["C001"].revenue_ytd_cents == 18000
    engine.compute(M)
    rows = _group_months()
    assert "C002" not in rows
    assert rows["C001"].revenue_ytd_cents == 18000 + 6000
    assert rows["C001"].revenue_pytd_cents == 9000 + 10000


def test_a_branch_moved_out_becomes_its_own_group(world, admin):
    bj = world["bj"]
    do_update_customer(bj, {"parent": None}, expected_version=bj.version, actor=admin)
    engine.compute(M)
    rows = _group_months()
    assert rows["C001"].revenue_pytd_cents == 0
    assert rows["C001.BJ"].revenue_pytd_cents == 9000
    assert rows["C001.BJ"].org_unit.code == "BJ"


def test_ict_flag_comes_from_the_rollup(world, admin):
    engine.compute(M)
    assert _group_months()["C004"].ict_ytd_cents == 2000
    assert Snapshot.objects.get(month=M, dimension=INDUSTRY, key="gov.party").ict_groups == 1


def test_money_sums_are_exact(world, admin):
    factories.facts([(202403, world["e"], world["voice"], "0.01")] * 3)
    engine.compute(M)
    assert _group_months()["C005"].revenue_ytd_cents == 1000 + 3
    snap = Snapshot.objects.get(month=M, dimension=SEGMENT, key="sme")
    assert snap.revenue_ytd_cents == 1003
    from gecrm.kpi.measures import Figures

    assert Figures.from_row(snap).all.revenue_ytd == Decimal("10.03")


def test_rejects_a_month_that_is_not_one():
    with pytest.raises(ValueError):
        engine.compute(202413)
