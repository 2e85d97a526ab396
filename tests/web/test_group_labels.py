"""总部 / 集团客户 in the web UI: a top-level SME shop is not a group headquarters. The list
badge, the customer page (badge, 集团架构 vs 客户架构, 集团本年累计收入 vs 本年累计收入) and the home
page's 集团客户 count follow `Customer.is_group`. Assertions on msgids, under English."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from gecrm.core.testing import make_customer

from ..kpi import factories


@pytest.fixture
def english(client, admin):
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def world(hq_tree, org, admin):
    """The bank group (C001 with branches), a lone SME shop, a lone government customer."""
    shop = make_customer(
        "S001", org["GD.GZ"], segment="sme", industry="", name="广州小微五金店", actor=admin
    )
    gov = make_customer(
        "G001",
        org["BJ"],
        segment="gov",
        industry="gov.public",
        name="北京市公共服务局",
        actor=admin,
    )
    return {**hq_tree, "shop": shop, "gov": gov}


def title(html: str) -> str:
    """The page title block (name and badges)."""
    match = re.search(r'<h2 class="page-title">(.*?)</h2>', html, re.S)
    return match.group(1) if match else html


def test_home_counts_only_customer_groups(english, world):
    response = english.get(reverse("web:home"))
    stat = next(s for s in response.context["stats"] if str(s["label"]) == "Customer groups")
    # C001 (a bank with branches) and G001 (党政军); not the SME shop S001.
    assert stat["value"] == 2
    assert stat["url"].endswith("?group=true")
    listed = english.get(stat["url"]).context["object_list"]
    assert {c.code for c in listed} == {"C001", "G001"}


def test_the_list_badges_only_groups_without_a_query_per_row(english, world):
    response = english.get(reverse("web:customer_list") + "?per_page=50")
    html = response.content.decode()
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>", html, re.S)
    badged = {row for row in rows if ">HQ</span>" in row}
    assert any("北京市公共服务局" in row for row in badged)
    assert any("中国示范银行<" in row for row in badged)
    assert not any("广州小微五金店" in row for row in badged)
    assert len(badged) == 2
    # The flag comes with the page's rows.
    assert all("has_branches" in c.__dict__ for c in response.context["object_list"])


def test_an_sme_shop_page_does_not_speak_of_a_group(english, world, admin):
    voice = factories.product("VOICE", ict=False, actor=admin)
    factories.facts([(202503, world["shop"], voice, "12"), (202503, world["hq"], voice, "50")])
    html = english.get(reverse("web:customer_detail", args=["S001"])).content.decode()
    assert "Headquarters" not in title(html)
    assert "Customer structure" in html and "Group structure" not in html
    assert "Group revenue YTD" not in html and "Revenue YTD" in html
    assert response_financials(english, "S001").is_group is False


def test_a_group_head_and_a_branch_keep_the_group_words(english, world, admin):
    voice = factories.product("VOICE", ict=False, actor=admin)
    factories.facts([(202503, world["hq"], voice, "50"), (202503, world["gov"], voice, "5")])
    for code in ("C001", "G001"):
        html = english.get(reverse("web:customer_detail", args=[code])).content.decode()
        assert "Headquarters" in title(html), code
        assert "Group structure" in html and "Group revenue YTD" in html, code
    html = english.get(reverse("web:customer_detail", args=["C001.SZ"])).content.decode()
    assert "Branch" in title(html) and "Group structure" in html


def response_financials(client, code):
    return client.get(reverse("web:customer_detail", args=[code])).context["financials"]
