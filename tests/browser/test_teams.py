"""From the coverage dashboard to a vertical team with a gap, in a real browser.

An administrator signs in on a small hand-built data set (tests/accounts/coverage_world.py:
the bank C1 with a chief AM, two 深圳 branches with an account manager and a 北京 branch
without one), opens the coverage dashboard, sees its charts drawn under the CSP, clicks
through to C1's team and finds the 北京 branch marked as a gap.
"""

import pytest
from django.urls import reverse

from gecrm.core.testing import DEFAULT_PASSWORD

from ..accounts.coverage_world import build_coverage
from .conftest import CHROMIUM
from .test_csp import Watcher

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser test needs Debian's /usr/bin/chromium (make test installs it)",
    ),
]


def test_from_the_coverage_dashboard_to_a_team_with_a_gap(server, org, admin, browser_page):
    world = build_coverage(org, admin)
    page = browser_page
    watcher = Watcher(page)
    coverage = reverse("accounts:coverage")
    page.goto(f"{server.url}{coverage}")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{coverage}")

    # The headline against the seed's targets and the charts, drawn from json_script data.
    assert page.locator("#headline-covered").inner_text().replace(" ", "").startswith("2/200")
    page.locator("#province-chart canvas").first.wait_for()
    page.locator("#segment-chart canvas").first.wait_for()
    rows = page.locator("#team-table tbody tr")
    assert [rows.nth(i).get_attribute("data-customer") for i in range(rows.count())] == [
        "C1",
        "C5",
    ]
    # C1 has one branch without an account manager: a gap badge in its row.
    c1 = page.locator("#team-table tr[data-customer='C1']")
    assert c1.locator(".gecrm-gap").inner_text().strip() == "1"
    seen = watcher.take()
    assert not (seen["console"] or seen["events"] or seen["errors"]), seen

    c1.locator("a.team-link").click()
    team = reverse("accounts:team", args=[world["C1"].pk])
    page.wait_for_url(f"**{team}")
    # The team page lists the gap: the 北京 branch has no account manager.
    gap = page.locator("#team-gaps [data-gap='no_am']")
    gap.first.wait_for()
    assert "客户C1.BJ" in gap.first.inner_text()
    assert page.locator(".gecrm-team-node[data-code='C1.BJ'][data-gap]").count() == 1
    seen = watcher.take()
    assert not (seen["console"] or seen["events"] or seen["errors"]), seen
