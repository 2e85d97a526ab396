from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gecrm.core import testing
from gecrm.core.exceptions import StaleObjectError
from gecrm.core.models import ObjectChange
from gecrm.kpi import engine
from gecrm.kpi.actions import (
    attainment,
    do_delete_target,
    do_set_target,
    do_update_target,
    targets_with_actuals,
)
from gecrm.kpi.models import Target

from .conftest import M

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("target", "actual", "light"),
    [
        (Decimal("0.10"), Decimal("0.1000"), "green"),
        (Decimal("0.10"), Decimal("0.2500"), "green"),
        (Decimal("0.10"), Decimal("0.0800"), "amber"),  # within 0.02
        (Decimal("0.10"), Decimal("0.0799"), "red"),
        (Decimal("-0.05"), Decimal("-0.0700"), "amber"),
        (10, 10, "green"),
        (10, 9, "amber"),  # 90 % of the count
        (10, 8, "red"),
        (0, 0, "green"),
        (None, Decimal("0.5"), "none"),
        (Decimal("0.5"), None, "none"),
    ],
)
def test_attainment(target, actual, light):
    assert attainment(target, actual) == light


def test_set_update_delete_with_change_log(org, admin):
    target = do_set_target(
        {"year": 2024, "dimension": "org_unit", "key": "GD", "revenue_growth": Decimal("0.05")},
        actor=admin,
    )
    assert target.version == 1
    changed = do_update_target(target, {"covered_groups": 3}, expected_version=1, actor=admin)
    assert changed == {"covered_groups": [None, 3]}
    assert target.version == 2
    actions = ObjectChange.objects.filter(object_type="kpi.target").values_list("action", flat=True)
    assert sorted(actions) == ["create", "update"]
    do_delete_target(target, expected_version=2, actor=admin)
    assert not Target.objects.exists()
    assert ObjectChange.objects.filter(object_type="kpi.target", action="delete").exists()


def test_stale_update_changes_nothing(org, admin):
    target = do_set_target(
        {"year": 2024, "dimension": "industry", "key": "fin.bank", "covered_groups": 5},
        actor=admin,
    )
    do_update_target(target, {"covered_groups": 6}, expected_version=1, actor=admin)
    stale = Target.objects.get(pk=target.pk)
    stale.version = 1
    with pytest.raises(StaleObjectError):
        do_update_target(stale, {"covered_groups": 99}, expected_version=1, actor=admin)
    with pytest.raises(StaleObjectError):
        do_delete_target(stale, expected_version=1, actor=admin)
    assert Target.objects.get(pk=target.pk).covered_groups == 6


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"dimension": "org_unit", "key": "NOPE", "covered_groups": 1}, "key"),
        ({"dimension": "industry", "key": "fin.nope", "covered_groups": 1}, "key"),
        ({"dimension": "chief_am", "key": "ghost", "covered_groups": 1}, "key"),
        ({"dimension": "industry", "key": "fin.bank"}, "revenue_growth"),  # nothing set
        ({"dimension": "industry", "key": "fin.bank", "revenue_growth": Decimal("-1.5")},
         "revenue_growth"),
        ({"dimension": "industry", "key": "fin.bank", "ict_penetration": Decimal("1.2")},
         "ict_penetration"),
        ({"dimension": "planet", "key": "x", "covered_groups": 1}, "dimension"),
        ({"dimension": "industry", "key": "fin.bank", "covered_groups": 1, "year": 1999},
         "year"),
    ],
)  # fmt: skip
def test_validation(org, admin, fields, field):
    fields = {"year": 2024, **fields}
    with pytest.raises(ValidationError) as error:
        do_set_target(fields, actor=admin)
    assert field in error.value.message_dict
    assert not Target.objects.exists()


def test_duplicate_target_is_rejected(org, admin):
    fields = {"year": 2024, "dimension": "industry", "key": "fin.bank", "covered_groups": 1}
    do_set_target(dict(fields), actor=admin)
    with pytest.raises(ValidationError):
        do_set_target(dict(fields), actor=admin)


@pytest.fixture
def targets(world, admin):
    engine.compute(M)
    made = [
        ({"dimension": "industry", "key": "fin.bank", "revenue_growth": Decimal("0.25"),
          "ict_penetration": Decimal("0.6"), "covered_groups": 1}),
        ({"dimension": "org_unit", "key": "GD.SZ", "revenue_growth": Decimal("0.1")}),
        ({"dimension": "chief_am", "key": "chief1", "covered_groups": 2}),
        ({"dimension": "industry", "key": "ent.trade", "covered_groups": 2}),
    ]  # fmt: skip
    return [do_set_target({"year": 2024, **fields}, actor=admin) for fields in made]


def test_targets_with_actuals(targets, admin):
    by_key = {s.target.key: s for s in targets_with_actuals(admin, M)}
    bank = by_key["fin.bank"]
    assert bank.revenue_growth == Decimal("0.2632") and bank.revenue_growth_light == "green"
    assert bank.ict_penetration == Decimal("0.5000") and bank.ict_penetration_light == "red"
    assert bank.covered_groups == 1 and bank.covered_groups_light == "green"
    assert by_key["GD.SZ"].revenue_growth_light == "red"  # −0.5 against 0.1
    assert by_key["GD.SZ"].covered_groups_light == "none"  # no target
    assert by_key["chief1"].covered_groups == 1 and by_key["chief1"].covered_groups_light == "red"
    # No group in that industry: no data.
    assert by_key["ent.trade"].covered_groups is None
    assert by_key["ent.trade"].covered_groups_light == "none"
    # Default month: the latest computed.
    assert len(targets_with_actuals(admin)) == 4


def test_targets_of_another_year_have_no_actuals(targets, admin):
    assert targets_with_actuals(admin, M, year=2025) == []
    engine.compute(202501)
    assert targets_with_actuals(admin, 202501) == []


def test_targets_are_scoped(targets, org, admin):
    manager = testing.make_staff("sz_manager", org["GD.SZ"], ("sales_manager",), actor=admin)
    statuses = targets_with_actuals(manager.user, M)
    assert [s.target.key for s in statuses] == ["GD.SZ"]
    assert statuses[0].revenue_growth == Decimal("-0.5000")
