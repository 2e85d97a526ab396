"""The KPI group rows (`kpi.GroupMonth`) under data scope: the rule reads the rows' own org unit,
segment, industry and group columns, and answers exactly what the customer rule answers for the
groups' top-level customers — for every persona, with the same scorecards."""

import pytest

from gecrm.access.scopes import VIEW_FINANCIAL, customer_scope
from gecrm.kpi import engine
from gecrm.kpi.models import GroupMonth
from gecrm.kpi.scorecards import DIMENSIONS, aggregate, figures
from tests.kpi import factories

from .conftest import PERSONAS

M = 202503


@pytest.fixture
def computed(world):
    voice = factories.product("VOICE", ict=False, actor=world["admin"])
    cloud = factories.product("CLOUD", ict=True, actor=world["admin"])
    c = world.customers
    factories.facts(
        [
            (202501, c["C001.GD.SZ"], voice, "100"),
            (202502, c["C001.BJ"], cloud, "40"),
            (202402, c["C001"], voice, "70"),
            (202503, c["C002.SZ"], cloud, "25"),
            (202403, c["C002"], voice, "60"),
            (202501, c["S-SZ1"], voice, "10"),
            (202502, c["S-GZ1"], cloud, "5"),
            (202501, c["B-GZ"], voice, "-3"),
            (202402, c["S-BJ1"], voice, "8"),
        ]
    )
    engine.compute(M)
    return world


def joined(user):
    """The same rows through the customer rule on the group's top-level customer (the join)."""
    q = customer_scope(user, VIEW_FINANCIAL, prefix="group__")
    rows = GroupMonth.objects.filter(month=M)
    return rows if q is None else rows.filter(q)


@pytest.mark.parametrize("name", PERSONAS)
def test_group_rows_are_those_of_the_customer_rule(computed, name):
    user = computed[name]
    mine = set(GroupMonth.objects.filter(month=M).restrict(user, VIEW_FINANCIAL).values_list("pk"))
    assert mine == set(joined(user).values_list("pk"))


@pytest.mark.parametrize("name", PERSONAS)
def test_scoped_scorecards_equal_those_from_the_customer_rule(computed, name):
    user = computed[name]
    for dimension in DIMENSIONS:
        assert figures(user, M, dimension) == aggregate(joined(user), dimension), dimension


def test_every_kind_of_rule_is_exercised(computed):
    # The personas cover the unit, industry, account tree and exact-assignment rules, and each
    # of those rules leaves some groups out (otherwise the equality above proves little).
    everything = GroupMonth.objects.filter(month=M).count()
    for name in ("gd_sc", "gd_bank_im", "cam", "sz_am", "presales"):
        seen = GroupMonth.objects.filter(month=M).restrict(computed[name], VIEW_FINANCIAL).count()
        assert 0 < seen < everything, name


@pytest.mark.parametrize("name", ["gd_sc", "gd_bank_im", "cam", "sz_am"])
def test_the_rule_does_not_join_the_customers(computed, name, django_assert_num_queries):
    user = computed[name]
    rows = GroupMonth.objects.filter(month=M).restrict(user, VIEW_FINANCIAL)
    list(rows)  # the grant (and the unit subtree) are loaded once, then cached on the user
    with django_assert_num_queries(1) as captured:
        list(GroupMonth.objects.filter(month=M).restrict(user, VIEW_FINANCIAL))
    assert "customers_customer" not in captured.captured_queries[0]["sql"]
