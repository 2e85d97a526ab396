"""The customer list's 导出 menu after htmx filters and sorts the list in place: its links carry
what is shown, and downloading one gives exactly the rows shown, in their order."""

import re

import pytest
from playwright.sync_api import expect

from gecrm.core.testing import DEFAULT_PASSWORD, make_customer, make_staff

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser test needs Debian's /usr/bin/chromium (make test installs it)",
    ),
]


@pytest.fixture
def customers(org, admin):
    make_customer("B100", org["HQ"], name="华夏示范银行", region="110000", actor=admin)
    for code, name in (("S201", "乙小微商贸"), ("S202", "甲小微商贸"), ("S203", "丙小微商贸")):
        make_customer(code, org["GD.GZ"], segment="sme", industry="", name=name, actor=admin)
    make_staff("hq_sc01", org["HQ"], posts=("sales_control",), actor=admin, name="钟丹宏")


def test_the_export_menu_follows_an_htmx_filter_and_sort(server, customers, browser_page):
    page = browser_page
    page.goto(f"{server.url}/customers/")
    page.fill("#id_username", "hq_sc01")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/customers/")
    link = page.locator("#export-import-csv")
    assert link.get_attribute("href").endswith("/imports/export/customers.csv")

    page.select_option("#id_segment", "sme")  # htmx swaps the table, no reload
    page.wait_for_url("**segment=sme**")
    expect(page.locator("#customer-table tbody tr")).to_have_count(3)
    expect(link).to_have_attribute("href", "/imports/export/customers.csv?segment=sme")

    page.locator("#customer-table thead a", has_text="编码").first.click()  # sort by code
    page.wait_for_url("**ordering=**")
    expect(link).to_have_attribute("href", re.compile(r"segment=sme&ordering=\w+$"))
    shown = page.locator("#customer-table tbody tr .gecrm-code:first-child").all_inner_texts()
    assert len(shown) == 3
    href = link.get_attribute("href")
    assert "segment=sme" in href and "ordering=" in href
    page.click("#export-menu")  # the swapped-in menu still opens (Bootstrap's delegated toggle)
    expect(page.locator("#export-report-xlsx")).to_be_visible()
    report = page.locator("#export-report-csv").get_attribute("href")
    assert report.startswith("/imports/export/customers.csv?shape=report&segment=sme")

    response = page.request.get(f"{server.url}{href}")
    lines = response.text().lstrip("\ufeff").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [code.strip() for code in shown]
