"""The industries behind the org unit and chief AM industry averages are stored with the
snapshots: who sees everything reads the reports from stored rows only, with the same result as
from the month's group rows."""

import pytest

from gecrm.kpi import engine
from gecrm.kpi.models import Snapshot
from gecrm.kpi.reports import REPORTS
from gecrm.kpi.scorecards import CHIEF_AM, ORG_UNIT, aggregate_industries, group_months, industries

from .conftest import M

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(world):
    engine.compute(M)
    return world


@pytest.mark.parametrize("dimension", [ORG_UNIT, CHIEF_AM])
def test_stored_industries_are_those_of_the_group_rows(computed, admin, dimension):
    stored = industries(admin, M, dimension)
    assert stored == aggregate_industries(group_months(None, M), dimension)
    assert stored  # the world has covered groups with industries


def test_the_hand_computed_industries(computed, admin):
    assert industries(admin, M, CHIEF_AM) == {"chief1": {"fin.bank"}, "chief2": {"gov.party"}}
    by_unit = industries(admin, M, ORG_UNIT)
    # Covered: A (HQ, fin.bank) and D (GD.SZ, gov.party); B is not covered, E has no industry.
    assert by_unit["HQ"] == {"fin.bank", "gov.party"}
    assert by_unit["GD"] == by_unit["GD.SZ"] == {"gov.party"}
    assert "GD.GZ" not in by_unit


@pytest.mark.parametrize("name", ["org-scorecard", "chief-am-scorecard", "industry-scorecard"])
def test_administrator_reports_read_no_group_rows(
    computed, admin, name, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as captured:
        REPORTS[name].rows(admin, M)
    assert not any("kpi_groupmonth" in q["sql"] for q in captured.captured_queries)


def test_snapshots_stored_before_the_column_fall_back_to_the_group_rows(computed, admin):
    expected = REPORTS["chief-am-scorecard"].rows(admin, M)
    Snapshot.objects.filter(month=M).update(industries=None)
    assert REPORTS["chief-am-scorecard"].rows(admin, M) == expected
    assert industries(admin, M, ORG_UNIT)["HQ"] == {"fin.bank", "gov.party"}
