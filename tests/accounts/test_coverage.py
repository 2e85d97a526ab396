"""Coverage figures on hand-built data (tests/accounts/coverage_world.py)."""

import datetime

import pytest

from gecrm.accounts.coverage import (
    coverage,
    coverage_day,
    covered_hq,
    may_edit_rollout_targets,
    may_view_coverage,
    sort_rows,
    target_for,
    team_rows,
)

from .coverage_world import build_coverage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, admin):
    return build_coverage(org, admin)


def codes(items):
    return [item.code for item in items]


def test_covered_needs_an_active_chief_am_and_a_branch_am(world):
    today = world["today"]
    # C2: its only branch AM ended yesterday; C3: chief AM ended yesterday; C4: chief AM from
    # tomorrow; C6: SME (not a vertical segment); C7: no chief AM.
    assert sorted(covered_hq(today).values_list("code", flat=True)) == ["C1", "C5"]


def test_a_chief_am_without_the_post_does_not_count(world, admin):
    from gecrm.org.actions import do_update_staff

    staff = world["chief2"].staff
    do_update_staff(staff, {"posts": ["am"]}, expected_version=staff.version, actor=admin)
    assert list(covered_hq(world["today"]).values_list("code", flat=True)) == ["C1"]


def test_headline_figures_for_the_company(world, admin):
    figures = coverage(admin, world["today"].year)
    assert figures.everything
    assert figures.day == world["today"]
    assert figures.hq_customers == 6
    assert figures.covered == 2
    assert codes(figures.provinces) == ["BJ", "GD"]
    assert [p.customers for p in figures.provinces] == [1, 1]
    # The 深圳 district's branch counts for 深圳 (and 广东), once per customer.
    assert codes(figures.prefectures) == ["BJ.CY", "GD.SZ"]
    assert {p.code: p.prefectures for p in figures.provinces} == {"BJ": 1, "GD": 1}
    by_segment = {s.segment: (s.hq_customers, s.covered) for s in figures.segments}
    assert by_segment == {"gov": (1, 1), "fin": (5, 1), "ent": (0, 0)}
    assert figures.covered_share == pytest.approx(2 / 6)


def test_a_past_year_is_measured_on_its_last_day(world, admin):
    last_year = world["today"].year - 1
    assert coverage_day(last_year) == datetime.date(last_year, 12, 31)
    figures = coverage(admin, last_year)
    # C3's chief AM (1 June last year to yesterday) and branch AM were active then.
    assert "C3" in set(covered_hq(figures.day).values_list("code", flat=True))
    assert "C4" not in set(covered_hq(figures.day).values_list("code", flat=True))
    assert "GD.SZ" in codes(figures.prefectures)


def test_team_rows_count_branches_and_gaps(world, admin):
    rows = {row.code: row for row in team_rows(admin, world["today"])}
    assert set(rows) == {"C1", "C5"}
    c1, c5 = rows["C1"], rows["C5"]
    assert (c1.branches, c1.served, c1.gaps, c1.provinces) == (3, 2, 1, 1)
    assert (c5.branches, c5.served, c5.gaps, c5.provinces) == (2, 1, 1, 1)
    assert c1.chief_am == "chief1"
    assert c5.segment == "gov"
    # No KPI month computed: no revenue.
    assert c1.revenue_ytd is None


def test_team_rows_filter_and_sort(world, admin):
    today = world["today"]
    assert codes(team_rows(admin, today, segment="gov")) == ["C5"]
    assert codes(team_rows(admin, today, query="c1")) == ["C1"]
    assert team_rows(admin, today, query="nobody") == []
    rows, ordering = sort_rows(team_rows(admin, today), "-branches")
    assert (codes(rows), ordering) == (["C1", "C5"], "-branches")
    rows, ordering = sort_rows(team_rows(admin, today), "branches")
    assert codes(rows) == ["C5", "C1"]
    # An unknown column sorts by code and is dropped.
    rows, ordering = sort_rows(team_rows(admin, today), "-password")
    assert (codes(rows), ordering) == (["C1", "C5"], "")


def test_a_province_sees_its_part_only(world):
    """广东's sales controller: the HQ customers owned in 广东 (C2, C6, C7; C6 is SME) and where
    branches owned in 广东 take part — C1's 深圳 branches, though C1 itself is the group's."""
    figures = coverage(world["gd_sc"], world["today"].year)
    assert not figures.everything
    assert figures.hq_customers == 2  # C2, C7
    assert figures.covered == 0
    assert codes(figures.provinces) == ["GD"]
    assert codes(figures.prefectures) == ["GD.SZ"]
    # C1 (the group's) is not listed to them.
    assert team_rows(world["gd_sc"], world["today"]) == []


def test_another_province_sees_its_own_part(world):
    figures = coverage(world["bj_sc"], world["today"].year)
    assert figures.hq_customers == 1  # C3, no longer covered
    assert figures.covered == 0
    assert codes(figures.provinces) == ["BJ"]
    assert codes(figures.prefectures) == ["BJ.CY"]


def test_the_group_sales_controller_sees_everything(world):
    figures = coverage(world["hq_sc"], world["today"].year)
    assert figures.everything
    assert figures.covered == 2
    assert codes(team_rows(world["hq_sc"], world["today"])) == ["C1", "C5"]


def test_who_may_view_and_edit(world, admin):
    assert may_view_coverage(admin) and may_edit_rollout_targets(admin)
    assert may_view_coverage(world["hq_sc"]) and may_edit_rollout_targets(world["hq_sc"])
    assert may_view_coverage(world["gd_sc"]) and not may_edit_rollout_targets(world["gd_sc"])
    for name in ("am_sz", "chief1", "hotline"):
        assert not may_view_coverage(world[name]), name
        assert not may_edit_rollout_targets(world[name]), name


def test_targets_default_to_the_seed(db):
    target = target_for(2031)
    assert target.pk is None and target.version == 0
    assert (target.covered_customers, target.provinces, target.prefectures) == (200, 6, 8)
    assert str(target.aligned_provinces) == "1" and str(target.aligned_prefectures) == "0.5"
