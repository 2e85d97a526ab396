"""My data scope, "why can I see this customer?", role administration and query budgets."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from gecrm.access.scopes import describe_scope, why_visible
from gecrm.accounts.actions import do_assign
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_customer
from gecrm.customers.models import Customer
from gecrm.org.models import Staff

from .conftest import PERSONAS, SINCE


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_why_visible_names_the_rule(world):
    def reasons(name, code):
        customer = Customer.objects.select_related("org_unit").get(code=code)
        return " ".join(why_visible(world[name], customer))

    assert "chief account manager of its group" in reasons("cam", "C001.SH")
    assert "C001" in reasons("cam", "C001.SH")
    assert "below your org unit 广东省公司政企客户部" in reasons("gd_sc", "S-SZ1")
    assert "assigned to this customer as Account manager" in reasons("sz_am", "S-SZ1")
    assert "which you manage in 广东省公司政企客户部" in reasons("gd_bank_im", "B-GZ")
    assert reasons("sz_am", "S-SZ2") == ""
    assert "Hotline" in reasons("hotline", "C001.BJ")


@pytest.mark.parametrize("name", PERSONAS)
def test_my_scope_page_lists_posts_rules_and_assignments(world, name):
    response = browser(world[name]).get(reverse("access:my_scope"))
    assert response.status_code == 200
    assert response.context["rules"] == describe_scope(world[name])
    page = response.content.decode()
    for rule in response.context["rules"]:
        assert str(rule).replace("&", "&amp;") in page.replace("&#x27;", "'")
    if name == "cam":
        assert [a.customer.code for a in response.context["assignments"]] == ["C001"]


def test_customer_page_explains_why_and_shows_the_account_team(world):
    response = browser(world["cam"]).get(reverse("web:customer_detail", args=["C001"]))
    page = response.content.decode()
    assert 'id="why-visible"' in page
    # The reason, in the page's language (zh-hans by default).
    assert "你以首席客户经理身份被分配到该客户。" in page or "的首席客户经理。" in page
    assert [a.user.username for a in response.context["assignments"]] == ["cam"]


def test_role_pages_are_for_superusers_only(world):
    for name in PERSONAS[1:]:
        client = browser(world[name])
        assert client.get(reverse("access:role_list")).status_code == 403
        assert client.get(reverse("access:role_edit", args=["sz_am"])).status_code == 403
    assert Client().get(reverse("access:role_list")).status_code == 302  # to the login page


def test_administrator_changes_posts_and_permissions_with_a_change_log(world):
    admin = world["admin"]
    client = browser(admin)
    response = client.get(reverse("access:role_list"), {"post": "am"})
    assert {s.user.username for s in response.context["page"].object_list} == {"sz_am", "sz_am2"}
    staff = Staff.objects.get(user__username="sz_am")
    response = client.get(reverse("access:role_edit", args=["sz_am"]))
    choices = dict(response.context["form"].fields["permissions"].choices)
    assert "customers.change_customer" in choices
    assert not any(key.startswith(("auth.", "admin.", "sessions.")) for key in choices)
    response = client.post(
        reverse("access:role_edit", args=["sz_am"]),
        {
            "posts": ["am", "sales_control"],
            "permissions": ["customers.view_customer"],
            "version": staff.version,
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert sorted(staff.post_codes) == ["am", "sales_control"]
    user = staff.user
    assert user.has_perm("customers.view_customer")
    entries = ObjectChange.objects.filter(object_type="org.staff", object_id=str(staff.pk))
    changed = [set(e.changes) for e in entries.order_by("id")]
    assert {"posts"} in changed and {"permissions"} in changed
    # The new post widens the scope at once: the GD.SZ sales controller sees 深圳's customers.
    assert set(Customer.objects.restrict(user, "view").values_list("code", flat=True)) >= {
        "S-SZ1",
        "S-SZ2",
        "C001.GD.SZ",
    }


def test_a_stale_role_edit_is_409_and_changes_nothing(world):
    client = browser(world["admin"])
    staff = Staff.objects.get(user__username="sz_am")
    stale = staff.version
    client.post(
        reverse("access:role_edit", args=["sz_am"]),
        {"posts": ["am", "presales"], "version": stale},
    )
    permission = Permission.objects.get(codename="view_customer")
    response = client.post(
        reverse("access:role_edit", args=["sz_am"]),
        {
            "posts": ["sales_control"],
            "permissions": [f"customers.{permission.codename}"],
            "version": stale,
        },
    )
    assert response.status_code == 409
    staff.refresh_from_db()
    assert sorted(staff.post_codes) == ["am", "presales"]
    assert not staff.user.user_permissions.exists()


@pytest.mark.parametrize("name", ["gd_sc", "cam", "sz_am", "gd_bank_im", "hotline"])
def test_scoped_customer_list_query_count_is_constant_in_rows(world, name):
    """The list's queries do not grow with the rows a persona sees."""
    user = world[name]
    client = browser(user)
    url = reverse("web:customer_list") + "?per_page=100"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    baseline = count()
    admin = world["admin"]
    hq = world.customers["C001"]
    for i in range(12):
        branch = make_customer(f"C001.N{i:02d}", world.units["GD.SZ"], parent=hq, actor=admin)
        sme = make_customer(
            f"S-N{i:02d}", world.units["GD.SZ"], segment="sme", industry="", actor=admin
        )
        do_assign(sme, world["sz_am"], "am", start=SINCE, actor=admin)
        do_assign(branch, world["sz_am"], "am", start=SINCE, actor=admin)
    grown = Customer.objects.restrict(user, "view").count()
    assert count() == baseline, grown
