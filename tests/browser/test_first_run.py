"""What a new user meets first, in a real browser: Chinese renders in the vendored web font on a
machine without CJK system fonts, empty charts say why, and an account manager in the field can
use the customer list and page on a 390 px phone screen."""

import shutil
import subprocess
from pathlib import Path

import pytest

from gecrm.accounts.actions import do_assign
from gecrm.core.testing import DEFAULT_PASSWORD, make_customer, make_staff
from gecrm.customers.actions import do_add_contact
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

SCREENSHOTS = Path("var/screenshots")
HEADING = "政企客户营销服务平台"  # 10 characters


def system_has_cjk_fonts() -> bool:
    if not shutil.which("fc-list"):
        return False
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def sign_in(page, server, username, path="/"):
    page.goto(f"{server.url}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# Width of HEADING at 20px in the page's font and in a given one (a probe span, styled through
# the CSSOM, which the Content-Security-Policy allows).
MEASURE = """([text, family]) => {
  const probe = document.createElement("span");
  probe.textContent = text;
  probe.style.fontSize = "20px";
  probe.style.whiteSpace = "nowrap";
  if (family) { probe.style.fontFamily = family; }
  document.body.appendChild(probe);
  const width = probe.getBoundingClientRect().width;
  probe.remove();
  return width;
}"""


@pytest.fixture
def field_am(org, admin, hq_tree):
    """A 深圳 account manager with the bank's 深圳 branch (and its sub-branch) in their book."""
    am = make_staff("gd_sz_am01", org["GD.SZ"], posts=("am",), actor=admin, name="王晓明").user
    do_assign(hq_tree["sz"], am, "am", actor=admin)
    for i in range(3):
        do_add_contact(
            hq_tree["sz"],
            {"name": f"联系人{i}", "title": "信息科技部总经理助理", "phone": f"1381234567{i}",
             "email": f"contact{i}@example-bank.com.cn"},
            actor=admin,
        )  # fmt: skip
    for i in range(12):
        make_customer(
            f"C001.SZ.{i + 2}", org["GD.SZ"], parent=hq_tree["sz"],
            name=f"中国示范银行深圳第{i + 2}支行（福田区深南大道营业部）", actor=admin,
        )  # fmt: skip
    return am


def test_chinese_renders_in_the_vendored_web_font(server, org, admin, hq_tree, browser_page):
    page = browser_page
    watcher = Watcher(page)
    sign_in(page, server, admin.username, "/customers/")
    page.evaluate("document.fonts.ready")
    page.evaluate(f"document.fonts.load('20px \"Noto Sans SC\"', '{HEADING}')")
    # The Chinese text on the page made the browser fetch the web font's slices.
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Noto Sans SC'"
        " && f.status === 'loaded').length"
    )
    assert loaded >= 1
    assert page.evaluate(f"document.fonts.check('20px \"Noto Sans SC\"', '{HEADING}')")
    family = page.evaluate("getComputedStyle(document.querySelector('.page-title')).fontFamily")
    assert '"Noto Sans SC"' in family or "'Noto Sans SC'" in family or "Noto Sans SC" in family
    # Rendered with the page's font stack, a CJK glyph is one em wide (10 × 20 px) …
    width = page.evaluate(MEASURE, [HEADING, None])
    assert abs(width - 200) < 2, width
    assert abs(page.evaluate(MEASURE, [HEADING, '"Noto Sans SC"']) - width) < 0.5
    if not system_has_cjk_fonts():
        # … whereas without the web font this machine has no glyph: fallback boxes of another
        # width (tofu).
        fallback = page.evaluate(MEASURE, [HEADING, "serif"])
        assert abs(fallback - width) > 5, fallback
    shoot(page, "font-customer-list")
    seen = watcher.take()
    assert not (seen["console"] or seen["events"] or seen["errors"]), seen


def test_an_empty_chart_says_why(server, org, admin, hq_tree, browser_page):
    """One year of billing: no growth to draw (nothing a year earlier), penetration is 0 %."""
    voice = factories.product("VOICE", ict=False, actor=admin)
    factories.facts([(202411, hq_tree["hq"], voice, "100"), (202412, hq_tree["sz"], voice, "120")])
    engine.compute(202412, reason="test")
    page = browser_page
    watcher = Watcher(page)
    sign_in(page, server, admin.username, "/kpi/")
    growth = page.locator("#industry-growth-chart")
    growth.locator(".gecrm-chart-empty-text").wait_for()
    # The sentence comes from the base template (English msgid until the catalogue has it).
    text = growth.inner_text()
    assert "No figures to show" in text or "没有可显示的数据" in text, text
    assert growth.locator("canvas").count() == 0
    assert growth.bounding_box()["height"] < 200  # not a 320 px blank box
    # A chart of zeros is a finding, not an empty chart: it is drawn.
    page.locator("#industry-penetration-chart canvas").first.wait_for()
    shoot(page, "kpi-empty-chart")
    seen = watcher.take()
    assert not (seen["console"] or seen["events"] or seen["errors"]), seen


@pytest.mark.parametrize("path", ["/customers/", "/customers/C001.SZ/"])
def test_a_phone_screen_has_no_horizontal_overflow(server, field_am, browser_page, path):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, server, "gd_sz_am01", path)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Wide tables scroll inside their card, not the page.
    for table in page.locator("table").all():
        if not table.is_visible():
            continue
        box = table.bounding_box()
        scroller = table.evaluate(
            "t => { let e = t.parentElement; while (e && getComputedStyle(e).overflowX === 'visible')"
            " { e = e.parentElement; } return e ? e.tagName + '.' + e.className : null; }"
        )
        if box["width"] > 390:
            assert scroller and "HTML" not in scroller and "BODY" not in scroller, scroller
    # Names stay readable instead of being squeezed to a few characters a line.
    title = page.locator(".page-title").bounding_box()
    assert title["width"] >= 300, title
    if path == "/customers/":
        name_cell = page.locator("#customer-table tbody tr td").first.bounding_box()
        assert name_cell["width"] >= 140, name_cell
        wrap = page.locator("#customer-table").evaluate(
            "t => [t.scrollWidth, t.closest('.table-responsive').clientWidth]"
        )
        assert wrap[0] > wrap[1]  # the table scrolls inside its card
    else:
        node = page.locator("#group-tree .gecrm-node-name").nth(1).bounding_box()
        assert node["width"] >= 200, node
    # The navigation collapses behind its toggle, and the toggle opens it.
    menu = page.locator("#sidebar-menu")
    assert not menu.is_visible()
    page.locator(".gecrm-sidebar .navbar-toggler").click()
    page.locator("#sidebar-menu a[href='/customers/']").wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "phone" + path.replace("/", "-").rstrip("-"))
