"""Every page works under the Content-Security-Policy, with no violation reported by the browser.

The policy allows no inline script or style (tests/security/test_templates.py keeps them out of
our templates); this drives the pages' scripts for real — ECharts, htmx swaps and boosted
pagination, tree expansion, the import preview, Swagger UI — and collects both Chromium's
console messages and `securitypolicyviolation` events.
"""

import pytest
from playwright.sync_api import expect

from gecrm.core.testing import DEFAULT_PASSWORD, make_customer
from gecrm.customers.actions import do_add_contact

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

CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy")

LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""

CUSTOMERS_CSV = (
    "code,name,segment,industry,org_unit\nCSV001,浏览器导入测试有限公司,sme,,GD.SZ\n"
).encode()


@pytest.fixture
def many_customers(org, admin):
    """A bank group with enough branches for two pages of the customer list (25 a page)."""
    hq = make_customer("P000", org["HQ"], name="分页示范银行", region="110000", actor=admin)
    gd = make_customer("P000.GD", org["GD"], parent=hq, name="分页示范银行广东分行", actor=admin)
    make_customer("P000.GD.SZ", org["GD.SZ"], parent=gd, name="分页示范银行深圳支行", actor=admin)
    do_add_contact(
        hq, {"name": "张经理", "phone": "13812345678", "email": "zhang@example.cn"}, actor=admin
    )
    for i in range(30):
        make_customer(f"P{i + 1:03d}", org["GD.SZ"], parent=hq, actor=admin)
    make_customer(
        "S200", org["GD.GZ"], segment="sme", industry="", name="广州小微商贸有限公司", actor=admin
    )
    return hq


class Watcher:
    """What the browser reported about the current page: CSP violations and script errors."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.errors = []
        page.add_init_script(LISTEN_FOR_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message):
        if any(marker in message.text for marker in CSP_MARKERS):
            self.console.append(message.text)

    def take(self):
        """Violations and errors since the last call (events of the current document)."""
        events = self.page.evaluate("window.__cspViolations || []")
        self.page.evaluate("window.__cspViolations = []")
        found = {"console": self.console[:], "events": events, "errors": self.errors[:]}
        self.console.clear()
        self.errors.clear()
        return found


def test_pages_work_under_the_csp_without_violations(
    server, many_customers, admin, browser_page, settings
):
    settings.AXES_ENABLED = True  # the real sign-in path, lockout included
    page = browser_page
    watcher = Watcher(page)
    report = {}

    def check(label):
        report[label] = watcher.take()

    # Sign-in page (anonymous), then sign in through it.
    page.goto(f"{server.url}/login/")
    check("login")
    # The watcher itself: an inline style attribute is refused and reported.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    canary = watcher.take()
    assert canary["console"] and canary["events"], canary
    page.fill("#id_username", admin.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")

    # Dashboard: ECharts draws the segment chart.
    page.locator("#segment-chart svg, #segment-chart canvas").first.wait_for()
    check("dashboard")

    # Customer list: an htmx filter swap, then boosted pagination.
    page.goto(f"{server.url}/customers/")
    rows = page.locator("#customer-table tbody tr")
    assert rows.count() == 25
    page.select_option("#id_segment", "sme")
    page.wait_for_url("**segment=sme**")
    expect(rows).to_have_count(1)
    page.select_option("#id_segment", "")
    expect(rows).to_have_count(25)
    page.click("a[rel=next]")
    page.wait_for_url("**page=2**")
    expect(rows).to_have_count(9)
    check("customer list")

    # Customer page: expanding a branch loads its children; revealing a contact's phone is an
    # htmx POST, which passes the CSRF check with the header from hx-headers.
    page.goto(f"{server.url}/customers/P000/")
    page.locator("#group-tree summary[data-code='P000.GD']").click()
    page.locator("#group-tree [data-code='P000.GD.SZ']").wait_for(state="visible")
    assert "13812345678" not in page.content()
    page.locator(".gecrm-reveal").first.click()
    page.locator("text=13812345678").first.wait_for()
    check("customer page")

    # Org tree: expanding a closed unit loads its children.
    page.goto(f"{server.url}/org/")
    closed = page.locator("#org-tree details[hx-get] > summary").first
    code = closed.get_attribute("data-code")
    closed.click()
    page.locator(f"#org-tree details:has(> summary[data-code='{code}']) li").first.wait_for()
    check("org tree")

    # Imports: the page, then a file checked into the preview, then imported.
    page.goto(f"{server.url}/imports/")
    page.select_option("#id_kind", "customers")
    page.set_input_files(
        "#id_file", {"name": "customers.csv", "mimeType": "text/csv", "buffer": CUSTOMERS_CSV}
    )
    page.click("#import-check")
    page.wait_for_url("**/imports/**")
    page.locator("text=浏览器导入测试有限公司").first.wait_for()
    check("imports")

    # API docs: Swagger UI from local static files renders the operations and opens one.
    page.goto(f"{server.url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    page.locator(".swagger-ui .opblock-summary").first.click()
    page.locator(".swagger-ui .opblock-body").first.wait_for()
    check("api docs")

    # Audit log, data scope and role administration.
    for url in ["/audit/", "/audit/events/", "/access/me/", "/access/roles/"]:
        page.goto(f"{server.url}{url}")
        assert page.locator(".page-title").first.is_visible(), url
    check("audit and access")

    # Django's admin (administrators' fallback screens).
    page.goto(f"{server.url}/admin/")
    page.goto(f"{server.url}/admin/auth/user/")
    page.locator("#result_list").wait_for()
    check("admin")

    counts = {label: sum(len(v) for v in found.values()) for label, found in report.items()}
    print("\nCSP violations and script errors per page:", counts)
    assert all(count == 0 for count in counts.values()), report
