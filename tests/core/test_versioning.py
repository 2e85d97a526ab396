import pytest

from gecrm.core.exceptions import StaleObjectError
from gecrm.core.models import ObjectChange
from gecrm.customers.actions import do_update_customer
from gecrm.customers.models import Customer


def test_stale_update_changes_nothing(hq_tree, admin):
    first = Customer.objects.get(code="C001")
    second = Customer.objects.get(code="C001")
    do_update_customer(first, {"name": "新名称"}, expected_version=first.version, actor=admin)
    with pytest.raises(StaleObjectError):
        do_update_customer(
            second, {"address": "深圳"}, expected_version=second.version, actor=admin
        )
    fresh = Customer.objects.get(code="C001")
    assert (fresh.name, fresh.address, fresh.version) == ("新名称", "", 2)


def test_update_is_logged_with_before_and_after(hq_tree, admin):
    customer = hq_tree["sz"]
    do_update_customer(customer, {"name": "改名"}, expected_version=customer.version, actor=admin)
    entry = ObjectChange.objects.filter(object_id=str(customer.pk), action="update").get()
    assert entry.changes == {"name": ["中国示范银行深圳分行", "改名"]}
    assert entry.actor == admin


def test_moving_a_branch_moves_its_subtree(hq_tree, admin):
    sz, bj = hq_tree["sz"], hq_tree["bj"]
    do_update_customer(sz, {"parent": bj}, expected_version=sz.version, actor=admin)
    sub = Customer.objects.get(code="C001.SZ.1")
    assert sub.path == "/C001/C001.BJ/C001.SZ/C001.SZ.1/"
    assert sub.depth == 3
    assert set(bj.descendants().values_list("code", flat=True)) == {
        "C001.BJ",
        "C001.SZ",
        "C001.SZ.1",
    }


def test_a_cycle_is_impossible(hq_tree, admin):
    from django.core.exceptions import ValidationError

    hq = hq_tree["hq"]
    with pytest.raises(ValidationError):
        do_update_customer(hq, {"parent": hq_tree["sub"]}, expected_version=hq.version, actor=admin)
    assert Customer.objects.get(code="C001").parent_id is None
