"""A scoped user's page reads its groups once per month (one GROUP BY for all, segment,
industry and org unit), kept with their grant for the month's latest computation only."""

import pytest

from gecrm.core import testing
from gecrm.kpi import engine
from gecrm.kpi.scorecards import ALL, DIMENSIONS, INDUSTRY, aggregate, figures, group_months

from . import factories
from .conftest import M

pytestmark = pytest.mark.django_db


@pytest.fixture
def gd_manager(world, org, admin):
    engine.compute(M)
    return testing.make_staff("gd_manager", org["GD"], ("sales_manager",), actor=admin).user


def test_every_dimension_equals_its_own_aggregation(gd_manager):
    for dimension in DIMENSIONS:
        assert figures(gd_manager, M, dimension) == aggregate(
            group_months(gd_manager, M), dimension
        )


def test_the_dashboard_dimensions_aggregate_the_rows_once(gd_manager, django_assert_num_queries):
    figures(gd_manager, M, ALL)  # the grant, the unit subtree and the cells
    # The month's latest computation twice, and the org tree for the roll-up; no group rows.
    with django_assert_num_queries(3) as captured:
        figures(gd_manager, M, INDUSTRY)
        figures(gd_manager, M, "org_unit")
    assert not any("kpi_groupmonth" in q["sql"] for q in captured.captured_queries)


def test_a_recompute_is_seen_by_the_same_user_object(world, gd_manager):
    before = figures(gd_manager, M, ALL)[""].all.revenue_ytd_cents
    factories.facts([(202402, world["b"], world["voice"], "5")])
    engine.compute(M)
    assert figures(gd_manager, M, ALL)[""].all.revenue_ytd_cents == before + 500
