"""Property: the engine agrees with a straightforward Python computation on random data."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gecrm.accounts.models import Assignment
from gecrm.core import months as month_utils
from gecrm.customers.models import Customer
from gecrm.finance.actions import rebuild_rollup
from gecrm.finance.models import Revenue
from gecrm.kpi import engine
from gecrm.kpi.measures import Sums
from gecrm.kpi.models import GroupMonth
from gecrm.kpi.reports import REPORTS

from . import factories

pytestmark = pytest.mark.django_db

MONTHS = [202211, 202301, 202302, 202306, 202312, 202401, 202402, 202406, 202412]
INDUSTRIES = ["fin.bank", "fin.insurance", ""]
DAYS = [datetime.date(2023, 1, 1), datetime.date(2024, 1, 31), datetime.date(2024, 2, 29),
        datetime.date(2024, 3, 1), datetime.date(2024, 6, 30), None]  # fmt: skip

customers_st = st.lists(
    st.tuples(st.integers(0, 20), st.sampled_from(INDUSTRIES), st.integers(0, 2)),
    min_size=1,
    max_size=7,
)
facts_st = st.lists(
    st.tuples(st.sampled_from(MONTHS), st.integers(0, 6), st.booleans(), st.integers(-3000, 10000)),
    max_size=25,
)
assignments_st = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 2), st.sampled_from(DAYS[:-1]),
              st.sampled_from(DAYS), st.sampled_from(["chief_am", "am"])),
    max_size=5,
)  # fmt: skip
month_st = st.sampled_from([202301, 202302, 202312, 202401, 202402, 202403, 202406, 202412])


@pytest.fixture
def base(org, admin):
    users = [
        get_user_model().objects.create_user(f"u{i}", password="x")  # noqa: S106
        for i in range(3)
    ]
    products = [
        factories.product("VOICE", ict=False, actor=admin),
        factories.product("CLOUD", ict=True, actor=admin),
    ]
    units = [org["HQ"], org["GD"], org["GD.SZ"]]
    return users, products, units


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(customers=customers_st, facts=facts_st, assignments=assignments_st, month=month_st)
def test_engine_matches_python(base, admin, customers, facts, assignments, month):
    users, products, units = base
    with transaction.atomic():
        _check(users, products, units, customers, facts, assignments, month, admin)
        transaction.set_rollback(True)


def _check(users, products, units, customers, facts, assignments, month, admin):
    # A forest: customer i hangs under customer (parent_hint mod i) or is a head.
    created = []
    parent_of = {}
    for i, (parent_hint, industry, unit) in enumerate(customers):
        parent = created[parent_hint % i] if i and parent_hint % 3 else None
        code = f"P{i}"
        path = f"{parent.path if parent else '/'}{code}/"
        created.append(
            Customer.objects.create(
                code=code, name=code, segment="fin", industry=industry, org_unit=units[unit],
                parent=parent, path=path, depth=path.count("/") - 2,
            )
        )  # fmt: skip
        parent_of[i] = created.index(parent) if parent else None
    batch = factories.batch()
    summed = {}
    for fact_month, index, ict, cents in facts:
        key = (fact_month, index % len(created), int(ict))
        summed[key] = summed.get(key, 0) + cents
    Revenue.objects.bulk_create(
        Revenue(month=m, customer=created[c], product=products[p], amount_cents=v, batch=batch)
        for (m, c, p), v in summed.items()
    )
    rebuild_rollup()
    held = []
    for index, user, start, end, role in assignments:
        if end is not None and end < start:
            start, end = end, start
        key = (index % len(created), user, role, start)
        if key in held:
            continue
        held.append(key)
        Assignment.objects.create(
            customer=created[key[0]], user=users[user], role=role, start=start, end=end
        )

    engine.compute(month)

    # --- the straightforward computation
    def top(i):
        while parent_of[i] is not None:
            i = parent_of[i]
        return i

    ytd, pytd = month_utils.ytd(month), month_utils.pytd(month)
    last = month_utils.last_day(month)
    expected = {}
    for i, customer in enumerate(created):
        if parent_of[i] is not None:
            continue
        chiefs = [
            users[u].pk
            for c, u, role, start in held
            for e in [_end(assignments, c, u, role, start, len(created))]
            if c == i and role == "chief_am" and start <= last and (e is None or e >= last)
        ]
        expected[customer.code] = {
            "chief": min(chiefs) if chiefs else None,
            "industry": customer.industry,
            "sums": [0, 0, 0, 0],
        }
    for (m, c, p), v in summed.items():
        sums = expected[created[top(c)].code]["sums"]
        if ytd[0] <= m <= ytd[1]:
            sums[0] += v
            sums[2] += v if p else 0
        if pytd[0] <= m <= pytd[1]:
            sums[1] += v
            sums[3] += v if p else 0

    actual = {
        gm.group.code: gm for gm in GroupMonth.objects.filter(month=month).select_related("group")
    }
    assert set(actual) == set(expected)
    for code, want in expected.items():
        got = actual[code]
        assert [
            got.revenue_ytd_cents, got.revenue_pytd_cents, got.ict_ytd_cents, got.ict_pytd_cents
        ] == want["sums"]  # fmt: skip
        assert got.chief_am_id == want["chief"]
        assert got.covered == (want["chief"] is not None)

    # --- the industry scorecard against the measures of the Python sets
    rows = {r["industry"]: r for r in REPORTS["industry-scorecard"].rows(admin, month)}
    industries = {w["industry"] for w in expected.values() if w["industry"]}
    assert set(rows) == industries
    for industry in industries:
        members = [w for w in expected.values() if w["industry"] == industry]
        every = _sums(members)
        covered = _sums([w for w in members if w["chief"] is not None])
        row = rows[industry]
        assert row["groups"] == every.groups
        assert row["revenue_ytd"] == every.revenue_ytd
        assert row["growth"] == every.growth
        assert row["ict_penetration"] == every.ict_penetration
        assert row["ict_share"] == every.ict_share
        assert row["covered_groups"] == covered.groups
        assert row["covered_growth"] == covered.growth
        assert row["covered_ict_penetration"] == covered.ict_penetration


def _end(assignments, c, u, role, start, n):
    for index, user, s, e, r in assignments:
        if e is not None and e < s:
            s, e = e, s
        if (index % n, user, r, s) == (c, u, role, start):
            return e
    raise AssertionError


def _sums(members) -> Sums:
    total = Sums()
    for w in members:
        ytd, pytd, ict, _ = w["sums"]
        total = total + Sums.of_group(ytd, pytd, ict)
    return total
