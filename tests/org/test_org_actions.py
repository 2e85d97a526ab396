import pytest
from django.core.exceptions import ValidationError

from gecrm.core.exceptions import StaleObjectError
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_staff
from gecrm.org.actions import do_create_org_unit, do_update_org_unit, do_update_staff
from gecrm.org.models import OrgUnit


def test_subtree_is_one_prefix_scan(org):
    assert set(org["GD"].descendants().values_list("code", flat=True)) == {
        "GD",
        "GD.SZ",
        "GD.GZ",
        "GD.FIN",
    }
    assert org["GD.SZ"].ancestor_codes == ["HQ", "GD"]


def test_it_rejects_a_prefecture_under_the_group(org, admin):
    with pytest.raises(ValidationError) as excinfo:
        do_create_org_unit(
            {"code": "XX", "name": "错误", "kind": "prefecture", "parent": org["HQ"]}, actor=admin
        )
    assert "parent_code" in excinfo.value.message_dict
    assert not OrgUnit.objects.filter(code="XX").exists()


def test_it_rejects_an_industry_outside_the_segment(org, admin):
    with pytest.raises(ValidationError):
        do_create_org_unit(
            {
                "code": "GD.T",
                "name": "组",
                "kind": "team",
                "parent": org["GD.FIN"],
                "segment": "fin",
                "industry": "ent.trade",
            },
            actor=admin,
        )


def test_moving_a_unit_rewrites_descendant_paths(org, admin):
    team = do_create_org_unit(
        {
            "code": "T1",
            "name": "银行组",
            "kind": "team",
            "parent": org["GD.FIN"],
            "segment": "fin",
            "industry": "fin.bank",
        },
        actor=admin,
    )
    centre = org["GD.FIN"]
    do_update_org_unit(
        centre, {"parent": org["GD.SZ"]}, expected_version=centre.version, actor=admin
    )
    team.refresh_from_db()
    assert team.path == "/HQ/GD/GD.SZ/GD.FIN/T1/"
    assert team.depth == 4


def test_a_unit_cannot_move_under_its_own_descendant(org, admin):
    gd = org["GD"]
    with pytest.raises(ValidationError):
        do_update_org_unit(gd, {"parent": org["GD.SZ"]}, expected_version=gd.version, actor=admin)
    assert OrgUnit.objects.get(code="GD").path == "/HQ/GD/"


def test_staff_posts_change_is_logged_and_versioned(org, admin):
    staff = make_staff("sz_am", org["GD.SZ"], posts=["am"], actor=admin)
    do_update_staff(
        staff, {"posts": ["am", "presales"]}, expected_version=staff.version, actor=admin
    )
    assert sorted(staff.post_codes) == ["am", "presales"]
    entry = ObjectChange.objects.filter(object_type="org.staff", changes__has_key="posts").first()
    assert entry is not None
    stale = type(staff).objects.get(pk=staff.pk)
    stale.version = 1
    with pytest.raises(StaleObjectError):
        do_update_staff(stale, {"name": "x"}, expected_version=1, actor=admin)
