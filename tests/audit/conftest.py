import pytest
from django.contrib.auth.models import Permission

from gecrm.core.testing import make_staff
from gecrm.customers.actions import do_add_contact

PHONE = "13912345678"
EMAIL = "zhangwei@bank.example.cn"
MASKED_PHONE = "139****5678"
MASKED_EMAIL = "z***@bank.example.cn"


def grant(user, codename: str):
    user.user_permissions.add(
        Permission.objects.get(codename=codename, content_type__app_label="audit")
    )
    for attr in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(attr, None)
    return user


@pytest.fixture
def controller(org, admin):
    """A group sales controller: sees every customer, but not personal data."""
    return make_staff("grp_sc01", org["HQ"], posts=("sales_control",), actor=admin).user


@pytest.fixture
def holder(org, admin):
    """A group sales controller allowed to view personal data."""
    user = make_staff("grp_sc02", org["HQ"], posts=("sales_control",), actor=admin).user
    return grant(user, "view_personal_data")


@pytest.fixture
def contact(hq_tree, admin):
    return do_add_contact(
        hq_tree["sz"],
        {"name": "张伟", "title": "信息中心主任", "phone": PHONE, "email": EMAIL},
        actor=admin,
        source="test",
    )
