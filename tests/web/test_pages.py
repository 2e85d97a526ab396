"""The web UI as a user meets it: login, language, customer list filters, forms, branch tree."""

import pytest
from django.conf import settings
from django.urls import reverse

from gecrm.core.models import ObjectChange
from gecrm.core.testing import DEFAULT_PASSWORD, make_customer, make_staff
from gecrm.customers.actions import do_add_contact
from gecrm.customers.models import Contact, Customer
from gecrm.customers.pinyin import name_keys
from gecrm.customers.uscc import make_uscc

BAD_USCC = "91440300MA5XXXXXX0"  # the check character should not be 0


@pytest.fixture
def logged_in(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def customers(hq_tree, org, admin):
    """The bank group plus an SME in 广州 and a government customer in 北京."""
    sme = make_customer(
        "S001",
        org["GD.GZ"],
        segment="sme",
        industry="",
        name="广州小微科技有限公司",
        region="440100",
        actor=admin,
    )
    gov = make_customer(
        "G001",
        org["BJ"],
        segment="gov",
        industry="gov.public",
        name="北京市公共服务局",
        region="110000",
        actor=admin,
    )
    return {**hq_tree, "sme": sme, "gov": gov}


def listed(response) -> list[str]:
    return [c.code for c in response.context["object_list"]]


# ---------------------------------------------------------------- login, logout, language


def test_login_page_then_dashboard(client, org, admin):
    make_staff("gd_sz_am01", org["GD.SZ"], actor=admin, name="马诗海")
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    response = client.post(
        reverse("login"), {"username": "gd_sz_am01", "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("web:home")
    page = response.content.decode()
    assert "马诗海" in page  # the user menu names the staff member
    assert 'class="navbar navbar-vertical' in page  # the sidebar navigation


def test_wrong_password_is_refused_with_a_message(client, admin):
    response = client.post(reverse("login"), {"username": "admin", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(logged_in):
    assert logged_in.get(reverse("web:home")).status_code == 200
    response = logged_in.post(reverse("logout"))
    assert response.status_code == 302
    assert logged_in.get(reverse("web:home")).status_code == 302


def test_language_switch_to_english_and_back(logged_in):
    url = reverse("web:customer_list")
    assert '<html lang="zh-hans">' in logged_in.get(url).content.decode()
    response = logged_in.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in logged_in.get(url).content.decode()
    logged_in.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert '<html lang="zh-hans">' in logged_in.get(url).content.decode()


# ---------------------------------------------------------------- customer list


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"C001", "C001.BJ", "C001.SZ", "C001.SZ.1", "G001", "S001"}),
        ({"segment": "sme"}, {"S001"}),
        ({"industry": "gov.public"}, {"G001"}),
        ({"org_unit": "GD"}, {"C001.SZ", "C001.SZ.1", "S001"}),  # the subtree of 广东
        ({"org_unit": "GD.SZ"}, {"C001.SZ", "C001.SZ.1"}),
        ({"region": "440000"}, {"C001.SZ", "C001.SZ.1", "S001"}),  # a province covers its cities
        ({"region": "440100"}, {"S001"}),
        ({"headquarters": "true"}, {"C001", "G001", "S001"}),
        ({"parent": "C001"}, {"C001.BJ", "C001.SZ"}),
        ({"q": "深圳"}, {"C001.SZ", "C001.SZ.1"}),
        ({"q": "c001.bj"}, {"C001.BJ"}),  # codes match whole, in any case
        ({"segment": "fin", "org_unit": "BJ"}, {"C001.BJ"}),
        ({"org_unit": "NO-SUCH"}, set()),
    ],
)
def test_filters_narrow_the_list(logged_in, customers, query, expected):
    response = logged_in.get(reverse("web:customer_list"), query)
    assert response.status_code == 200
    assert set(listed(response)) == expected


def test_search_by_uscc_finds_exactly_that_customer(logged_in, customers):
    uscc = customers["sub"].uscc
    response = logged_in.get(reverse("web:customer_list"), {"q": uscc.lower()})
    assert listed(response) == ["C001.SZ.1"]


def test_invalid_filter_value_is_shown_not_a_500(logged_in, customers):
    response = logged_in.get(reverse("web:customer_list"), {"segment": "no-such"})
    assert response.status_code == 200
    assert response.context["filter_form"].errors["segment"]


def test_sorting_by_name_both_ways(logged_in, customers):
    url = reverse("web:customer_list")
    by_name = listed(logged_in.get(url, {"ordering": "name"}))
    # Names sort by their pinyin (阿 a … 中 zhong), not by code point.
    names = {c.code: name_keys(c.name)[0] for c in Customer.objects.all()}
    assert [names[c] for c in by_name] == sorted(names[c] for c in by_name)
    assert listed(logged_in.get(url, {"ordering": "-name"})) == by_name[::-1]
    by_code = listed(logged_in.get(url, {"ordering": "-code"}))
    assert by_code == sorted(by_code, reverse=True)


def test_pagination_and_out_of_range_pages(logged_in, customers):
    url = reverse("web:customer_list")
    first = logged_in.get(url, {"per_page": 25})
    assert first.context["paginator"].count == 6
    # 25 is the smallest page size; an unknown size falls back to it.
    assert logged_in.get(url, {"per_page": 7}).context["per_page"] == 25
    # Out of range: the last page, not a 404 or a 500; garbage: the first page.
    response = logged_in.get(url, {"page": 999})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert listed(response) == listed(first)
    response = logged_in.get(url, {"page": "abc"})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_pages_split_a_long_list(logged_in, org, admin):
    for i in range(27):
        make_customer(f"P{i:03d}", org["GD.SZ"], segment="sme", industry="", actor=admin)
    url = reverse("web:customer_list")
    page2 = logged_in.get(url, {"page": 2, "ordering": "code"})
    assert listed(page2) == ["P025", "P026"]
    assert page2.context["page"].has_previous()
    page = page2.content.decode()
    assert "page=1" in page  # a link back


def test_htmx_filter_request_gets_only_the_table(logged_in, customers):
    response = logged_in.get(
        reverse("web:customer_list"),
        {"segment": "gov"},
        headers={"HX-Request": "true", "HX-Target": "object-table"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="object-table"' in page
    assert listed(response) == ["G001"]


def test_empty_result_explains_and_offers_to_clear_filters(logged_in, customers):
    page = logged_in.get(reverse("web:customer_list"), {"q": "不存在的客户"}).content.decode()
    assert 'class="empty"' in page
    assert f'href="{reverse("web:customer_list")}"' in page


# ---------------------------------------------------------------- customer create and edit


def customer_post(**overrides):
    data = {
        "code": "N001",
        "name": "新建示范企业有限公司",
        "uscc": make_uscc("91440300MA5F00001"),
        "segment": "ent",
        "industry": "ent.manufacturing",
        "status": "active",
        "parent": "",
        "org_unit": "GD.SZ",
        "region": "440300",
        "address": "深圳市南山区科技园",
        "lat": "22.54",
        "lon": "113.95",
    }
    data.update(overrides)
    return data


def test_create_customer_saves_and_logs(logged_in, org, admin):
    response = logged_in.post(reverse("web:customer_add"), customer_post())
    assert response.status_code == 302
    customer = Customer.objects.get(code="N001")
    assert response.url == reverse("web:customer_detail", args=["N001"])
    assert customer.org_unit == org["GD.SZ"]
    entry = ObjectChange.objects.get(object_type="customers.customer", object_id=customer.pk)
    assert (entry.action, entry.actor, entry.source) == ("create", admin, "web")


def test_create_customer_with_bad_uscc_shows_a_field_error_and_writes_nothing(logged_in, org):
    before = ObjectChange.objects.count()
    response = logged_in.post(reverse("web:customer_add"), customer_post(uscc=BAD_USCC))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["uscc"]
    assert "is-invalid" in response.content.decode()
    assert not Customer.objects.filter(code="N001").exists()
    assert ObjectChange.objects.count() == before


def test_create_branch_under_a_parent_by_code(logged_in, customers):
    response = logged_in.post(
        reverse("web:customer_add"), customer_post(code="C001.GZ", parent="C001")
    )
    assert response.status_code == 302
    branch = Customer.objects.get(code="C001.GZ")
    assert branch.parent == customers["hq"]
    assert branch.path == "/C001/C001.GZ/"


def test_edit_cannot_move_a_customer_under_its_own_branch(logged_in, customers):
    hq = customers["hq"]
    page = logged_in.get(reverse("web:customer_edit", args=["C001"]))
    data = {k: v for k, v in customer_post().items() if k != "code"}
    data.update(
        name=hq.name,
        uscc=hq.uscc,
        segment="fin",
        industry="fin.bank",
        org_unit="HQ",
        region="110000",
        parent="C001.SZ.1",
        version=page.context["form"]["version"].value(),
    )
    response = logged_in.post(reverse("web:customer_edit", args=["C001"]), data)
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    hq.refresh_from_db()
    assert hq.parent is None and hq.version == 1


def test_edit_with_bad_uscc_writes_nothing(logged_in, customers):
    sz = customers["sz"]
    page = logged_in.get(reverse("web:customer_edit", args=[sz.code]))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if not form.fields[name].disabled}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["uscc"] = BAD_USCC
    response = logged_in.post(reverse("web:customer_edit", args=[sz.code]), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["uscc"]
    sz.refresh_from_db()
    assert sz.uscc != BAD_USCC and sz.version == 1


# ---------------------------------------------------------------- customer page


def test_customer_page_shows_group_tree_and_contacts(logged_in, customers, admin):
    do_add_contact(
        customers["sz"],
        {"name": "王经理", "title": "行长", "phone": "13800000001", "is_primary": True},
        actor=admin,
    )
    response = logged_in.get(reverse("web:customer_detail", args=["C001.SZ"]))
    page = response.content.decode()
    root = response.context["tree_root"]
    assert root.code == "C001"  # the tree starts at the group's HQ
    assert {c.code for c in root.children_list} == {"C001.BJ", "C001.SZ"}
    assert 'data-code="C001.SZ.1"' in page
    # Phone numbers are masked by default, even for an administrator (revealing is logged).
    assert "王经理" in page and "138****0001" in page and "13800000001" not in page


def test_branch_tree_expands_on_demand(logged_in, customers):
    response = logged_in.get(
        reverse("web:customer_children", args=["C001"]), {"current": "C001.SZ"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-code="C001.SZ"' in page and 'data-code="C001.BJ"' in page
    assert "is-current" in page  # the customer being viewed stays highlighted
    # A branch with branches of its own loads them when opened.
    assert reverse("web:customer_children", args=["C001.SZ"]) in page
    assert logged_in.get(reverse("web:customer_children", args=["NOPE"])).status_code == 404


def test_add_and_edit_a_contact(logged_in, customers, admin):
    url = reverse("web:contact_add", args=["C001"])
    response = logged_in.post(url, {"name": "李四", "title": "科长", "phone": "13800000002"})
    assert response.status_code == 302
    contact = Contact.objects.get(customer=customers["hq"], name="李四")
    edit = reverse("web:contact_edit", args=["C001", contact.pk])
    response = logged_in.post(
        edit, {"name": "李四", "title": "处长", "phone": "13800000002", "version": 1}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("处长", 2)
    # Stale: the form still says version 1.
    response = logged_in.post(
        edit, {"name": "李四", "title": "局长", "phone": "13800000002", "version": 1}
    )
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.title == "处长"
    # A contact is reached only through its own customer.
    assert (
        logged_in.get(reverse("web:contact_edit", args=["C001.BJ", contact.pk])).status_code == 404
    )


def test_dashboard_counts(logged_in, customers):
    response = logged_in.get(reverse("web:home"))
    stats = {s["url"]: s["value"] for s in response.context["stats"]}
    assert stats[reverse("web:customer_list")] == 6
    # Customer groups: the bank C001 (with branches) and G001 (党政军), not the SME S001.
    assert stats[reverse("web:customer_list") + "?group=true"] == 2
    groups = response.context["largest_groups"]
    assert [(g["customer"].code, g["branches"]) for g in groups] == [("C001", 3)]


def test_history_names_related_objects_and_choices(logged_in, customers, org, admin):
    from gecrm.customers.actions import do_update_customer

    sme = customers["sme"]
    do_update_customer(
        sme,
        {"org_unit": org["GD.SZ"], "status": "dormant"},
        expected_version=sme.version,
        actor=admin,
    )
    history = logged_in.get(reverse("web:customer_detail", args=["S001"])).context["history"]
    fields = {str(f["label"]): (f["before"], f["after"]) for f in history[0]["fields"]}
    assert fields["组织机构"] == (str(org["GD.GZ"]), str(org["GD.SZ"]))
    assert fields["状态"] == ("在网", "沉默")
