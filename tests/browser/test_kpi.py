"""The financial pages in a real browser: the customer 360 and a scorecard draw their ECharts
charts (a canvas each) from the page's JSON, under the Content-Security-Policy, without errors.
"""

import pytest

from gecrm.core.testing import DEFAULT_PASSWORD, make_staff
from gecrm.kpi import engine

from ..kpi import factories
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


@pytest.fixture
def billed_group(org, admin, hq_tree):
    """The hq_tree bank with two years of monthly billing, computed for its last month."""
    voice = factories.product("VOICE", ict=False, actor=admin)
    cloud = factories.product("CLOUD", ict=True, actor=admin)
    rows = []
    for i in range(24):
        month = (2023 + i // 12) * 100 + i % 12 + 1
        rows += [
            (month, hq_tree["hq"], voice, str(100 + i)),
            (month, hq_tree["sz"], voice, str(50 + 2 * i)),
            (month, hq_tree["bj"], cloud, str(10 + i)),
        ]
    factories.facts(rows)
    engine.compute(202412, reason="test")
    make_staff("hq_sc01", org["HQ"], posts=("sales_control",), actor=admin, name="钟丹宏")
    return hq_tree


def _sign_in(page, server, path):
    page.goto(f"{server.url}{path}")
    page.fill("#id_username", "hq_sc01")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")


def test_customer_360_and_scorecard_draw_their_charts(server, billed_group, browser_page):
    page = browser_page
    watcher = Watcher(page)
    _sign_in(page, server, "/customers/C001.SZ/")
    page.locator("#revenue-trend-chart canvas").first.wait_for()
    page.locator("#product-mix-chart canvas").first.wait_for()
    assert page.locator("#customer-financials").is_visible()
    assert page.locator("#group-tree .gecrm-node-money").count() >= 3
    assert page.locator("#group-tree .gecrm-ict-badge").count() >= 1
    seen = watcher.take()
    assert not (seen["console"] or seen["events"] or seen["errors"]), seen

    page.goto(f"{server.url}/kpi/reports/industry-scorecard/")
    page.locator("#report-chart-1 canvas").first.wait_for()
    assert page.locator("#report-table tbody tr").count() == 1
    # Sorting is a link; the month picker submits its form when changed.
    page.locator("#report-table th a[data-sort='revenue_ytd']").click()
    page.wait_for_url("**sort=revenue_ytd**")
    page.locator("#report-chart-1 canvas").first.wait_for()

    page.goto(f"{server.url}/kpi/")
    for chart in ("industry-growth-chart", "industry-penetration-chart", "org-chart"):
        page.locator(f"#{chart} canvas").first.wait_for()
    seen = watcher.take()
    assert not (seen["console"] or seen["events"] or seen["errors"]), seen
