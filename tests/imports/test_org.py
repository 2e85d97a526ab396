"""`orgunits` and `staff` imports."""

import pytest
from django.contrib.auth import get_user_model

from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_staff
from gecrm.org.models import OrgUnit, Staff

from .helpers import FORMATS, assert_rejected_unchanged, snapshot, write_file

UNIT_HEADER = ["code", "name", "parent_code", "kind", "region", "segment"]
STAFF_HEADER = ["username", "name", "org_unit", "posts", "email", "phone"]


@pytest.fixture(params=FORMATS)
def fmt(request):
    return request.param


def unit_rows():
    # Children before their parent; kinds and segments by code or Chinese label.
    return [
        ["JS.NJ", "南京分公司政企客户部", "JS", "地市分公司", "320100", ""],
        ["JS.NJ.FIN", "南京金融行业组", "JS.NJ", "team", "320100", "银行"],
        ["JS", "江苏省公司政企客户部", "HQ", "省公司", "320000", ""],
        ["JS.GOV", "江苏党政军客户服务中心", "JS", "centre", "320000", "党政军"],
    ]


def test_it_imports_org_units(org, tmp_path, fmt):
    path = write_file(tmp_path, fmt, UNIT_HEADER, unit_rows())
    result = run_import("orgunits", path)
    assert result.ok, result.errors
    assert result.created == 4
    nanjing = OrgUnit.objects.get(code="JS.NJ")
    assert (nanjing.kind, nanjing.region_id, nanjing.parent.code) == ("prefecture", "320100", "JS")
    team = OrgUnit.objects.get(code="JS.NJ.FIN")
    assert (team.segment, team.industry) == ("fin", "fin.bank")
    assert team.path == "/HQ/JS/JS.NJ/JS.NJ.FIN/"
    assert OrgUnit.objects.get(code="JS.GOV").segment == "gov"
    assert ObjectChange.objects.filter(object_type="org.orgunit", source="import").count() == 4


def test_reimporting_org_units_changes_nothing(org, tmp_path, fmt):
    path = write_file(tmp_path, fmt, UNIT_HEADER, unit_rows())
    run_import("orgunits", path)
    before = snapshot()
    again = run_import("orgunits", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot() == before


def test_an_org_unit_import_updates_and_moves_units(org, tmp_path):
    # The 深圳 prefecture moves under 北京 and is renamed; the centre's segment changes.
    rows = [
        ["GD.SZ", "深圳分公司", "BJ", "prefecture", "440300", ""],
        ["GD.FIN", "广东金融客户服务中心", "GD", "centre", "440000", "gov"],
    ]
    before_version = org["GD.SZ"].version
    log_before = ObjectChange.objects.count()
    result = run_import("orgunits", write_file(tmp_path, "csv", UNIT_HEADER, rows))
    assert result.ok, result.errors
    assert (result.updated, result.unchanged) == (2, 0)
    sz = OrgUnit.objects.get(code="GD.SZ")
    assert (sz.name, sz.parent.code, sz.path) == ("深圳分公司", "BJ", "/HQ/BJ/GD.SZ/")
    assert sz.version == before_version + 1
    assert OrgUnit.objects.get(code="GD.FIN").segment == "gov"
    assert ObjectChange.objects.count() == log_before + 2


UNIT_ERRORS = {
    "unknown kind": ([["X1", "某单位", "HQ", "ministry", "", ""]], {(2, "kind")}),
    "missing kind": ([["X1", "某单位", "HQ", "", "", ""]], {(2, "kind")}),
    "unknown segment": ([["X1", "某中心", "GD", "centre", "", "shipping"]], {(2, "segment")}),
    "bad region": ([["X1", "某单位", "HQ", "province", "999999", ""]], {(2, "region")}),
    "unknown parent": ([["X1", "某单位", "NOPE", "province", "", ""]], {(2, "parent_code")}),
    "kind under the wrong parent": (
        [["X1", "某单位", "GD", "province", "", ""]],
        {(2, "parent_code")},
    ),
    "parent cycle": (
        [["X1", "甲组", "X2", "team", "", ""], ["X2", "乙组", "X1", "team", "", ""]],
        {(2, "parent_code"), (3, "parent_code")},
    ),
    "parent cycle through the database": (
        [["GD", "广东省公司政企客户部", "GD.SZ", "province", "440000", ""]],
        {(2, "parent_code")},
    ),
    "duplicate code": (
        [["X1", "甲", "HQ", "province", "", ""], ["X1", "乙", "HQ", "province", "", ""]],
        {(3, "code")},
    ),
    "missing name": ([["X1", "", "HQ", "province", "", ""]], {(2, "name")}),
}


@pytest.mark.parametrize("case", sorted(UNIT_ERRORS))
def test_a_bad_org_unit_rejects_the_whole_file(org, tmp_path, fmt, case):
    bad_rows, expected = UNIT_ERRORS[case]
    rows = [["GOOD", "好单位", "HQ", "province", "320000", ""], *bad_rows]
    path = write_file(tmp_path, fmt, UNIT_HEADER, rows)
    assert_rejected_unchanged("orgunits", path, {(r + 1, c) for r, c in expected})


def test_a_missing_org_unit_column_rejects_the_file(org, tmp_path, fmt):
    header = ["code", "name", "parent_code"]
    path = write_file(tmp_path, fmt, header, [["X1", "某单位", "HQ"]])
    assert_rejected_unchanged("orgunits", path, {(1, "kind")})


# --------------------------------------------------------------------------------- staff


def staff_rows():
    return [
        ["gd_new01", "张三", "GD.SZ", "am;首席客户经理", "zhangsan@example.cn", "13800138001"],
        ["gd_new02", "李四", "GD", "sales_control", "", ""],
    ]


def test_it_imports_staff(org, tmp_path, fmt):
    path = write_file(tmp_path, fmt, STAFF_HEADER, staff_rows())
    result = run_import("staff", path)
    assert result.ok, result.errors
    assert result.created == 2
    staff = Staff.objects.get(user__username="gd_new01")
    assert (staff.name, staff.org_unit.code, staff.phone) == ("张三", "GD.SZ", "13800138001")
    assert set(staff.posts.values_list("post", flat=True)) == {"am", "chief_am"}
    assert not staff.user.has_usable_password()
    assert ObjectChange.objects.filter(object_type="org.staff", action="create").count() >= 2


def test_reimporting_staff_changes_nothing(org, tmp_path, fmt):
    path = write_file(tmp_path, fmt, STAFF_HEADER, staff_rows())
    run_import("staff", path)
    before = snapshot()
    again = run_import("staff", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot() == before


def test_a_staff_import_updates_posts_and_unit(org, admin, tmp_path):
    staff = make_staff("gd_am01", org["GD.SZ"], posts=("am",), actor=admin)
    log_before = ObjectChange.objects.count()
    rows = [["gd_am01", "王五", "GD.GZ", "chief_am;presales", staff.email, staff.phone]]
    result = run_import("staff", write_file(tmp_path, "csv", STAFF_HEADER, rows))
    assert result.ok, result.errors
    assert result.updated == 1
    staff.refresh_from_db()
    assert (staff.name, staff.org_unit.code) == ("王五", "GD.GZ")
    assert set(staff.posts.values_list("post", flat=True)) == {"chief_am", "presales"}
    entry = ObjectChange.objects.order_by("id")[log_before:].get()
    assert entry.action == "update"
    assert entry.changes["posts"] == [["am"], ["chief_am", "presales"]]


STAFF_ERRORS = {
    "unknown org unit": ([["x1", "某人", "NOPE", "am", "", ""]], {(2, "org_unit")}),
    "unknown post code": ([["x1", "某人", "GD", "am;boss", "", ""]], {(2, "posts")}),
    "bad e-mail": ([["x1", "某人", "GD", "am", "not-an-address", ""]], {(2, "email")}),
    "bad username": ([["x 1", "某人", "GD", "am", "", ""]], {(2, "username")}),
    "duplicate username": (
        [["x1", "甲", "GD", "am", "", ""], ["x1", "乙", "GD", "am", "", ""]],
        {(3, "username")},
    ),
    "missing name": ([["x1", "", "GD", "am", "", ""]], {(2, "name")}),
}


@pytest.mark.parametrize("case", sorted(STAFF_ERRORS))
def test_a_bad_staff_row_rejects_the_whole_file(org, tmp_path, fmt, case):
    bad_rows, expected = STAFF_ERRORS[case]
    rows = [["good01", "好员工", "GD", "am", "", ""], *bad_rows]
    path = write_file(tmp_path, fmt, STAFF_HEADER, rows)
    assert_rejected_unchanged("staff", path, {(r + 1, c) for r, c in expected})
    assert not get_user_model().objects.filter(username="good01").exists()


def test_a_missing_staff_column_rejects_the_file(org, tmp_path, fmt):
    path = write_file(tmp_path, fmt, ["username", "name"], [["x1", "某人"]])
    assert_rejected_unchanged("staff", path, {(1, "org_unit")})
