"""The top bar's search on the customer list: contacts by complete phone (masked), scope, the
account manager column and the customer page's team links."""

import pytest
from django.urls import reverse

from gecrm.accounts.actions import do_assign
from gecrm.core.testing import make_customer, make_staff
from gecrm.customers.actions import do_add_contact

PHONE = "13812345678"


@pytest.fixture
def world(org, admin):
    sz = make_customer("DD.SZ", org["GD.SZ"], name="大地银行深圳分行", actor=admin)
    other = make_customer(
        "TH.SZ", org["GD.SZ"], name="天和保险深圳分公司", actor=admin, industry="fin.insurance"
    )
    contact = do_add_contact(
        sz, {"name": "张伟", "phone": PHONE, "email": "zhang.wei@dadi.example.cn"}, actor=admin
    )
    do_add_contact(sz, {"name": "王芳", "phone": "13900001111"}, actor=admin)
    am = make_staff("search_am01", org["GD.SZ"], posts=("am",), actor=admin, name="马诗海")
    do_assign(other, am.user, "am", actor=admin)
    return {"sz": sz, "other": other, "contact": contact, "am": am}


def search(client, q):
    response = client.get(reverse("web:customer_list"), {"q": q})
    assert response.status_code == 200
    return response


def listed(response):
    return [c.code for c in response.context["object_list"]]


def test_the_top_bar_search_finds_several_words_and_pinyin(client, admin, world):
    client.force_login(admin)
    assert listed(search(client, "大地银行 深圳")) == ["DD.SZ"]
    assert listed(search(client, "ddyh")) == ["DD.SZ"]
    assert listed(search(client, "tianhe")) == ["TH.SZ"]
    assert listed(search(client, "张伟")) == ["DD.SZ"]


def test_a_complete_phone_shows_the_contact_masked_and_its_customer(client, admin, world):
    client.force_login(admin)
    response = search(client, "138 1234 5678")
    assert listed(response) == ["DD.SZ"]
    assert [c.pk for c in response.context["matched_contacts"]] == [world["contact"].pk]
    html = response.content.decode()
    assert 'id="matched-contacts"' in html
    assert "138****5678" in html
    # No clear number on the page: not the one typed, nor the other contact's.
    assert PHONE not in html.replace('value="138 1234 5678"', "")
    assert "13900001111" not in html and "139****1111" not in html


def test_a_partial_phone_finds_nothing(client, admin, world):
    client.force_login(admin)
    for partial in (PHONE[:-1], PHONE[1:], PHONE[:7]):
        response = search(client, partial)
        assert listed(response) == []
        assert not response.context.get("matched_contacts")
        assert 'id="matched-contacts"' not in response.content.decode()


def test_a_persona_cannot_find_an_out_of_scope_customer_by_phone(client, world):
    client.force_login(world["am"].user)
    assert listed(search(client, "")) == ["TH.SZ"]
    for q in (PHONE, "zhang.wei@dadi.example.cn", "张伟", "ddyh", "DD.SZ"):
        response = search(client, q)
        assert listed(response) == []
        assert not response.context.get("matched_contacts")
        assert "大地银行" not in response.content.decode()


def test_the_list_shows_the_account_managers_linked_to_their_staff_page(client, admin, world):
    client.force_login(admin)
    response = client.get(reverse("web:customer_list"))
    html = response.content.decode()
    rows = {c.code: c for c in response.context["object_list"]}
    assert [a.user.username for a in rows["TH.SZ"].account_managers] == ["search_am01"]
    assert rows["DD.SZ"].account_managers == []
    assert reverse("web:staff_detail", args=["search_am01"]) in html
    assert "马诗海" in html


def test_the_customer_page_links_each_team_member_with_work_phone(client, admin, world):
    client.force_login(admin)
    response = client.get(reverse("web:customer_detail", args=["TH.SZ"]))
    html = response.content.decode()
    assert f'href="{reverse("web:staff_detail", args=["search_am01"])}"' in html
    assert 'href="tel:13800138000"' in html  # make_staff's work phone
    assert client.get(reverse("web:staff_detail", args=["search_am01"])).status_code == 200
