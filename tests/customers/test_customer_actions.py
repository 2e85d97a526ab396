"""Customer writes: validation, the HQ/branch tree, optimistic locking and the change log."""

import pytest
from django.core.exceptions import ValidationError

from gecrm.core.exceptions import StaleObjectError
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_customer
from gecrm.customers.actions import do_add_contact, do_create_customer, do_update_customer
from gecrm.customers.models import Customer
from gecrm.customers.uscc import make_uscc


def snapshot():
    return (
        list(Customer.objects.order_by("code").values_list("code", "path", "depth", "version")),
        ObjectChange.objects.count(),
    )


def test_a_branch_sits_under_its_parent_in_the_tree(hq_tree):
    sub = Customer.objects.get(code="C001.SZ.1")
    assert sub.path == "/C001/C001.SZ/C001.SZ.1/"
    assert sub.depth == 2
    subtree = Customer.objects.filter(path__startswith=hq_tree["hq"].path)
    assert sorted(subtree.values_list("code", flat=True)) == [
        "C001",
        "C001.BJ",
        "C001.SZ",
        "C001.SZ.1",
    ]


def test_moving_a_branch_moves_its_whole_subtree(hq_tree, admin):
    sz = hq_tree["sz"]
    do_update_customer(sz, {"parent": hq_tree["bj"]}, expected_version=sz.version, actor=admin)
    sub = Customer.objects.get(code="C001.SZ.1")
    assert sub.path == "/C001/C001.BJ/C001.SZ/C001.SZ.1/"
    assert sub.depth == 3
    change = ObjectChange.objects.filter(object_id=str(sz.pk), action="update").get()
    assert change.actor == admin and "parent" in change.changes


@pytest.mark.parametrize("new_parent", ["C001.SZ", "C001.SZ.1"])
def test_a_cycle_is_impossible_and_changes_nothing(hq_tree, admin, new_parent):
    sz = Customer.objects.get(code="C001.SZ")
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        do_update_customer(
            sz,
            {"parent": Customer.objects.get(code=new_parent)},
            expected_version=sz.version,
            actor=admin,
        )
    assert "parent" in error.value.message_dict
    assert snapshot() == before


def test_a_stale_version_changes_nothing(hq_tree, admin):
    sz = Customer.objects.get(code="C001.SZ")
    do_update_customer(sz, {"name": "第一次修改"}, expected_version=sz.version, actor=admin)
    stale = Customer.objects.get(code="C001.SZ")
    stale.version -= 1
    before = snapshot()
    with pytest.raises(StaleObjectError):
        do_update_customer(
            stale, {"name": "第二次修改"}, expected_version=stale.version, actor=admin
        )
    assert Customer.objects.get(code="C001.SZ").name == "第一次修改"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"uscc": "91440300MA5G0000X0"}, "uscc"),  # wrong check character
        ({"industry": "gov.party"}, "industry"),  # not an industry of segment fin
        ({"segment": "nope"}, "segment"),
        ({"region_id": "999999"}, "region"),
    ],
)
def test_a_bad_customer_is_rejected_naming_the_field(org, admin, fields, field):
    data = {
        "code": "NEW1",
        "name": "新客户",
        "segment": "fin",
        "industry": "fin.bank",
        "org_unit": org["GD.SZ"],
        "region_id": "440300",
        "uscc": make_uscc("91440300000000001"),
        "parent": None,
    }
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        do_create_customer({**data, **fields}, actor=admin)
    assert field in error.value.message_dict
    assert snapshot() == before


def test_the_uscc_is_unique(hq_tree, org, admin):
    with pytest.raises(ValidationError) as error:
        make_customer("DUP", org["GD.SZ"], uscc=hq_tree["hq"].uscc, actor=admin)
    assert "uscc" in error.value.message_dict or "__all__" in error.value.message_dict
    assert not Customer.objects.filter(code="DUP").exists()


def test_creating_and_adding_a_contact_are_logged(hq_tree, admin):
    before = ObjectChange.objects.count()
    do_add_contact(
        hq_tree["hq"],
        {"name": "张三", "title": "信息中心主任", "phone": "13800138000"},
        actor=admin,
    )
    latest = ObjectChange.objects.order_by("-id").first()
    assert ObjectChange.objects.count() == before + 1
    assert latest.action == "create" and latest.actor == admin
