"""The pilot programme page in a real browser: the seed-shaped table, the progress charts drawn
from the page's JSON under the Content-Security-Policy, the list filter, without errors."""

import pytest

from gecrm.core.testing import DEFAULT_PASSWORD, make_staff
from gecrm.kpi import engine

from ..accounts.pilot_world import build_program
from ..kpi.conftest import M, world  # noqa: F401 - the KPI world fixture
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
def programme(world, org, admin):  # noqa: F811
    build_program(world, org, admin)
    engine.compute(M, reason="test")
    make_staff("hq_sc01", org["HQ"], posts=("sales_control",), actor=admin, name="钟丹宏")


def test_the_programme_page_shows_the_table_and_draws_its_charts(server, programme, browser_page):
    page = browser_page
    watcher = Watcher(page)
    page.goto(f"{server.url}/teams/programs/")
    page.fill("#id_username", "hq_sc01")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/teams/programs/")
    page.locator("#program-table a", has_text="试点一期").click()
    page.wait_for_url("**/teams/programs/P1/")
    page.locator("#progress-chart-1 canvas").first.wait_for()
    page.locator("#progress-chart-2 canvas").first.wait_for()
    total = page.locator("#pilot-table tr[data-segment='total'] td")
    assert total.all_inner_texts() == ["2", "1", "2", "5"]
    assert page.locator("#pilot-table tr[data-segment='ent'] td").all_inner_texts() == ["-"] * 4
    page.select_option("#id_segment", "fin")
    page.locator("#pilot-filters button[type=submit]").click()
    page.wait_for_url("**segment=fin**")
    assert page.locator("#pilot-customer-table tbody tr").count() == 3
    seen = watcher.take()
    assert not (seen["console"] or seen["events"] or seen["errors"]), seen
