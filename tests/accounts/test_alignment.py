"""Org alignment on a hand-built org (tests/accounts/coverage_world.py, `build_alignment`)."""

from decimal import Decimal

import pytest

from gecrm.accounts.alignment import MISSING, POST, UNIT, alignment

from .coverage_world import build_alignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(org, admin):
    build_alignment(org, admin)
    return alignment(2026)


def test_subjects_are_the_groups_vertical_centres_and_teams(matrix):
    # In the seed's order (党政军, 金融, then its teams); the SME centre is horizontal.
    assert [s.code for s in matrix.subjects] == ["HQ.GOV", "HQ.FIN", "HQ.FIN.BANK"]
    assert [p.code for p in matrix.provinces] == ["BJ", "GD", "JS"]
    assert [p.code for p in matrix.prefectures] == ["GD.GZ", "GD.SZ", "JS.NJ", "JS.SU"]


def test_provinces_have_units_posts_or_nothing(matrix):
    gov, fin, bank = matrix.subjects
    assert gov.provinces == {"BJ": MISSING, "GD": MISSING, "JS": UNIT}
    # 北京 has no 金融 centre, but the industry manager of its bank team is the post; 南京's
    # centre is 南京's, not 江苏's.
    assert fin.provinces == {"BJ": POST, "GD": UNIT, "JS": MISSING}
    assert bank.provinces == {"BJ": UNIT, "GD": UNIT, "JS": MISSING}


def test_prefectures_do_not_count_deeper_levels(matrix):
    gov, fin, bank = matrix.subjects
    # 广州's only 金融 centre sits in its 天河 district: not 广州's.
    assert fin.prefectures == {"GD.GZ": MISSING, "GD.SZ": UNIT, "JS.NJ": UNIT, "JS.SU": MISSING}
    assert gov.prefectures == {"GD.GZ": MISSING, "GD.SZ": UNIT, "JS.NJ": MISSING, "JS.SU": MISSING}
    assert bank.prefectures["GD.SZ"] == UNIT
    assert bank.prefectures_aligned == 1


def test_percentages_per_subject_and_level(matrix):
    gov, fin, bank = matrix.subjects
    assert (gov.province_share, fin.province_share, bank.province_share) == (
        Decimal("0.3333"),
        Decimal("0.6667"),
        Decimal("0.6667"),
    )
    assert fin.prefecture_share == Decimal("0.5000")  # the seed's prefecture target, exactly
    assert gov.prefecture_share == Decimal("0.2500")
    assert matrix.province_share == Decimal("0.5556")  # 5 of 9 pairs
    assert matrix.prefecture_share == Decimal("0.3333")  # 4 of 12 pairs
    assert matrix.provinces_fully_aligned == 0
    assert matrix.prefectures_fully_aligned == 1  # 深圳


def test_prefectures_by_province(matrix):
    rows = {row["province"].code: row for row in matrix.prefectures_by_province()}
    assert (rows["GD"]["prefectures"], rows["GD"]["fully_aligned"]) == (2, 1)
    assert rows["GD"]["share"] == Decimal("0.5000")  # 深圳 3 of 3, 广州 0 of 3
    assert rows["JS"]["share"] == Decimal("0.1667")  # 南京's 金融 centre: 1 of 6
    assert (rows["BJ"]["prefectures"], rows["BJ"]["share"]) == (0, None)


def test_a_new_unit_closes_a_gap(org, admin, matrix):
    from .coverage_world import unit

    unit(org, "GD.GOV", "广东党政军客户服务中心", "centre", "GD", segment="gov", actor=admin)
    gov = alignment(2026).subject("HQ.GOV")
    assert gov.provinces["GD"] == UNIT
    assert gov.provinces_aligned == 2


def test_no_subjects_without_group_centres(org):
    empty = alignment(2026)
    assert empty.subjects == []
    assert empty.province_share is None and empty.prefecture_share is None
    assert empty.subject("HQ.FIN") is None


def test_targets_come_with_the_year(matrix):
    assert matrix.target.pk is None  # the seed's defaults
    assert matrix.target.aligned_prefectures == Decimal("0.5")
