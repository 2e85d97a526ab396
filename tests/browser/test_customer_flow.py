"""A user in a real browser: log in, filter the customer list, open a group and expand its tree.

Headless Debian Chromium (`/usr/bin/chromium`, installed by `make test`) driven by Playwright
against pytest-django's live server.
"""

import pytest
from playwright.sync_api import expect

from gecrm.core.testing import DEFAULT_PASSWORD, make_customer, make_staff

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; the region table (a data migration) is restored
    # after each test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser test needs Debian's /usr/bin/chromium (make test installs it)",
    ),
]


@pytest.fixture
def bank_group(org, admin):
    """An HQ bank with two provincial branches, one with a sub-branch; and an unrelated SME."""
    hq = make_customer(
        "B100", org["HQ"], name="华夏示范银行股份有限公司", region="110000", actor=admin
    )
    gd = make_customer("B100.GD", org["GD"], parent=hq, name="华夏示范银行广东分行", actor=admin)
    make_customer("B100.GD.SZ", org["GD.SZ"], parent=gd, name="华夏示范银行深圳支行", actor=admin)
    make_customer("B100.BJ", org["BJ"], parent=hq, name="华夏示范银行北京分行", actor=admin)
    make_customer(
        "S200", org["GD.GZ"], segment="sme", industry="", name="广州小微商贸有限公司", actor=admin
    )
    # The group's sales controller: sees every province, so the whole bank tree.
    make_staff("hq_sc01", org["HQ"], posts=("sales_control",), actor=admin, name="钟丹宏")
    return hq


def test_login_filter_open_group_and_expand_branches(server, bank_group, browser_page):
    # The data exists before the browser starts: ORM calls made while Playwright's loop runs
    # would get a connection of their own that nobody closes.
    page = browser_page
    page.goto(f"{server.url}/customers/")
    # Not logged in: the login page, which brings us back to the list afterwards.
    page.fill("#id_username", "hq_sc01")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/customers/")
    assert page.locator("aside.navbar-vertical").is_visible()
    rows = page.locator("#customer-table tbody tr")
    assert rows.count() == 5

    # Filter by segment: htmx swaps the table in place and the URL follows.
    page.select_option("#id_segment", "sme")
    page.wait_for_url("**segment=sme**")
    expect(rows).to_have_count(1)
    assert "广州小微商贸有限公司" in rows.first.inner_text()

    # Search instead: the group's name.
    page.select_option("#id_segment", "")
    page.fill("#id_q", "华夏示范银行")
    page.press("#id_q", "Enter")
    page.wait_for_url("**q=**")
    expect(rows).to_have_count(4)

    # Open the headquarters: its group tree shows the branches, the sub-branch still closed.
    page.click("text=华夏示范银行股份有限公司")
    page.wait_for_url("**/customers/B100/")
    tree = page.locator("#group-tree")
    assert tree.locator("[data-code='B100.GD']").is_visible()
    assert tree.locator("[data-code='B100.BJ']").is_visible()
    assert tree.locator("[data-code='B100.GD.SZ']").count() == 0

    # Expanding 广东分行 loads its sub-branch from the server.
    tree.locator("summary[data-code='B100.GD']").click()
    sub = tree.locator("[data-code='B100.GD.SZ']")
    sub.wait_for(state="visible")
    assert "华夏示范银行深圳支行" in sub.inner_text()

    # And the sub-branch's own page shows the same tree opened down to it, highlighted.
    sub.locator("a").first.click()
    page.wait_for_url("**/customers/B100.GD.SZ/")
    assert page.locator("#group-tree .is-current").inner_text().startswith("华夏示范银行深圳支行")
