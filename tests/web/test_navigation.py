"""The navigation shows what a post can use: no imports or billing batches for a hotline agent,
no money pages for someone who sees no money."""

import pytest
from django.urls import reverse

from gecrm.accounts.actions import do_assign
from gecrm.core.testing import make_staff

NAV_IDS = {
    "imports": 'href="{}"'.format("/imports/"),
    "batches": 'id="nav-billing-batches"',
    "kpi": 'id="nav-kpi"',
    "teams": 'id="nav-teams"',
    "coverage": 'id="nav-coverage"',
    "programs": 'id="nav-programs"',
}
MONEY = {"kpi", "teams", "coverage", "programs"}


@pytest.fixture
def personas(org, admin, hq_tree):
    am = make_staff("gd_sz_am01", org["GD.SZ"], posts=("am",), actor=admin).user
    do_assign(hq_tree["sz"], am, "am", actor=admin)
    return {
        "admin": (admin, {"imports", "batches"} | MONEY),
        "sales_control": (
            make_staff("gd_sc01", org["GD"], posts=("sales_control",), actor=admin).user,
            {"imports", "batches"} | MONEY,
        ),
        "group_sales_manager": (  # sees every batch, imports nothing
            make_staff("grp_sm01", org["HQ"], posts=("sales_manager",), actor=admin).user,
            {"batches"} | MONEY,
        ),
        "am": (am, MONEY),
        "industry_manager": (
            make_staff("gd_im01", org["GD.FIN"], posts=("industry_manager",), actor=admin).user,
            MONEY,
        ),
        "hotline": (
            make_staff("gd_hl01", org["GD"], posts=("hotline_agent",), actor=admin).user,
            set(),
        ),
    }


@pytest.mark.parametrize(
    "persona",
    ["admin", "sales_control", "group_sales_manager", "am", "industry_manager", "hotline"],
)
def test_the_navigation_shows_what_the_post_can_use(client, personas, persona):
    user, expected = personas[persona]
    client.force_login(user)
    html = client.get(reverse("web:customer_list")).content.decode()
    nav = html.split('id="sidebar-menu"', 1)[1].split("</aside>", 1)[0]
    assert reverse("imports:index") == "/imports/"
    shown = {key for key, marker in NAV_IDS.items() if marker in nav}
    assert shown == expected
    # Everyone keeps the everyday sections.
    for name in ("web:home", "web:customer_list", "web:org_tree", "web:staff_list"):
        assert f'href="{reverse(name)}"' in nav


def test_a_hidden_section_stays_refused_when_typed_in(client, personas):
    """Hiding is not the guard: the hotline agent still cannot import by URL."""
    client.force_login(personas["hotline"][0])
    response = client.post(reverse("imports:index"), {"kind": "customers"})
    assert response.status_code in (403, 404)
