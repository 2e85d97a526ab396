"""List, detail and edit pages of every model, through the generic `ObjectViewTests`."""

import pytest

from gecrm.catalog.actions import do_create_product, do_update_product
from gecrm.core.testing import make_staff
from gecrm.customers.actions import do_update_customer
from gecrm.org.actions import do_update_org_unit, do_update_staff

from .mixins import ObjectViewTests


class TestCustomerViews(ObjectViewTests):
    list_url = "web:customer_list"
    detail_url = "web:customer_detail"
    edit_url = "web:customer_edit"
    update_action = do_update_customer
    changes = {"name": "中国示范银行深圳分行（更名）", "address": "深圳市福田区深南大道1号"}
    invalid_changes = {"uscc": "91440300MA5XXXXXX0"}

    @pytest.fixture
    def obj(self, hq_tree):
        return hq_tree["sz"]


class TestProductViews(ObjectViewTests):
    list_url = "web:product_list"
    detail_url = "web:product_detail"
    edit_url = "web:product_edit"
    update_action = do_update_product
    changes = {"name": "天翼云主机（新版）"}
    invalid_changes = {"category": "no-such-category"}

    @pytest.fixture
    def obj(self, admin):
        return do_create_product(
            {"code": "CLD-ECS", "name": "天翼云主机", "category": "cloud", "is_ict": True},
            actor=admin,
            source="test",
        )


class TestOrgUnitViews(ObjectViewTests):
    list_url = "web:org_tree"
    detail_url = "web:orgunit_detail"
    edit_url = "web:orgunit_edit"
    update_action = do_update_org_unit
    changes = {"name": "深圳分公司政企客户部（新）"}
    invalid_changes = {"parent": "NO-SUCH-UNIT"}

    @pytest.fixture
    def obj(self, org):
        return org["GD"]

    def listed_objects(self, response):
        # The org tree lists the top level and the level below it.
        roots = response.context["roots"]
        return roots + [child for root in roots for child in root.children_list]


class TestStaffViews(ObjectViewTests):
    list_url = "web:staff_list"
    detail_url = "web:staff_detail"
    edit_url = "web:staff_edit"
    lookup_attr = "user.username"
    update_action = do_update_staff
    changes = {"name": "李晓明", "phone": "13900139000"}
    invalid_changes = {"email": "not-an-address", "posts": "no_such_post"}

    @pytest.fixture
    def obj(self, org, admin):
        return make_staff("gd_sz_am01", org["GD.SZ"], posts=("am",), actor=admin, name="李明")
