"""IDOR: every detail and write endpoint answers 404 for an out-of-scope object and changes
nothing."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from gecrm.core.models import ObjectChange
from gecrm.customers.models import Contact, Customer

from .conftest import ALL, EXPECTED, PERSONAS


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def state():
    """Everything an illegal write could touch."""
    return (
        list(Customer.objects.order_by("pk").values_list("pk", "name", "version", "parent_id")),
        list(Contact.objects.order_by("pk").values_list("pk", "name", "version")),
        ObjectChange.objects.count(),
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_out_of_scope_pages_and_api_details_are_404(world, token_of, name):
    client = browser(world[name])
    api = Client()
    headers = {"Authorization": f"Bearer {token_of(world[name])}"}
    # Posts that edit nothing create nothing: 403 before any customer is looked up.
    add_status = 404 if EXPECTED[name][1] else 403
    for code in sorted(ALL - EXPECTED[name][0]):
        contact = Contact.objects.get(customer__code=code)
        for url in (
            reverse("web:customer_detail", args=[code]),
            reverse("web:customer_children", args=[code]),
            reverse("web:customer_edit", args=[code]),
            reverse("web:contact_edit", args=[code, contact.pk]),
        ):
            assert client.get(url).status_code == 404, url
        assert client.get(reverse("web:contact_add", args=[code])).status_code == add_status
        for path in (f"customers/{code}", f"customers/{code}/children"):
            assert api.get(f"/api/v1/{path}", headers=headers).status_code == 404, path


@pytest.mark.parametrize("name", PERSONAS)
def test_out_of_scope_writes_are_404_and_change_nothing(world, token_of, name):
    client = browser(world[name])
    api = Client()
    headers = {"Authorization": f"Bearer {token_of(world[name])}"}
    before = state()
    add_status = 404 if EXPECTED[name][1] else 403
    for code in sorted(ALL - EXPECTED[name][1]):
        customer = Customer.objects.get(code=code)
        contact = Contact.objects.get(customer=customer)
        response = client.post(
            reverse("web:customer_edit", args=[code]),
            {"name": "改名", "segment": customer.segment, "org_unit": "GD", "version": 1},
        )
        assert response.status_code == 404, code
        response = client.post(
            reverse("web:contact_add", args=[code]), {"name": "新联系人", "phone": "13900000000"}
        )
        assert response.status_code == add_status, code
        response = client.post(
            reverse("web:contact_edit", args=[code, contact.pk]),
            {"name": "改名", "version": contact.version},
        )
        assert response.status_code == 404, code
        response = api.patch(
            f"/api/v1/customers/{code}",
            json.dumps({"version": customer.version, "name": "改名"}),
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 404, code
        # A branch under a customer one may not edit: the parent is unknown to the caller.
        response = api.post(
            "/api/v1/customers",
            json.dumps(
                {
                    "code": f"NEW-{code}",
                    "name": "新分支",
                    "segment": "sme",
                    "org_unit": "GD",
                    "parent_code": code,
                }
            ),  # fmt: skip
            content_type="application/json",
            headers=headers,
        )
        if EXPECTED[name][1]:
            assert response.status_code in (404, 422), code
        else:
            assert response.status_code == 403, code
        response = client.post(
            reverse("web:customer_add"),
            {"code": f"NEW-{code}", "name": "新分支", "segment": "sme", "status": "active",
             "org_unit": "GD", "parent": code},
        )  # fmt: skip
        if EXPECTED[name][1]:
            assert response.status_code == 200 and response.context["form"].errors, code
        else:
            assert response.status_code == 403, code
    assert state() == before


def test_am_edits_own_customer_but_not_a_neighbours(world):
    client = browser(world["sz_am"])
    own = Customer.objects.get(code="S-SZ1")
    response = client.post(
        reverse("web:customer_edit", args=["S-SZ1"]),
        {
            "name": "改过的名字",
            "segment": own.segment,
            "status": own.status,
            "org_unit": "GD.SZ",
            "region": own.region_id,
            "uscc": own.uscc,
            "version": own.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Customer.objects.get(code="S-SZ1").name == "改过的名字"
    neighbour = Customer.objects.get(code="S-SZ2")
    response = client.post(
        reverse("web:customer_edit", args=["S-SZ2"]),
        {"name": "x", "segment": "sme", "status": "active", "org_unit": "GD.SZ", "version": 1},
    )
    assert response.status_code == 404
    assert Customer.objects.get(code="S-SZ2").name == neighbour.name


def test_am_edits_a_branch_without_edit_rights_on_its_parent(world, token_of):
    """C002.SZ's parent C002 is outside the AM's edit scope; keeping it is not a move."""
    branch = Customer.objects.get(code="C002.SZ")
    response = Client().patch(
        "/api/v1/customers/C002.SZ",
        json.dumps({"version": branch.version, "name": "新名字", "parent_code": "C002"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_of(world['sz_am'])}"},
    )
    assert response.status_code == 200, response.content
    assert Customer.objects.get(code="C002.SZ").name == "新名字"


def test_hotline_sees_customers_and_contacts_but_edits_nothing_and_sees_no_money(world):
    hotline = world["hotline"]
    client = browser(hotline)
    response = client.get(reverse("web:customer_detail", args=["C001.SH"]))
    assert response.status_code == 200
    assert "联系人C001.SH" in response.content.decode()
    assert not response.context["can_change"]
    assert reverse("web:contact_add", args=["C001.SH"]) not in response.content.decode()
    assert 'id="edit-customer"' not in response.content.decode()
    assert client.get(reverse("web:customer_edit", args=["C001.SH"])).status_code == 404
    assert not Customer.objects.restrict(hotline, "view_financial").exists()
    assert Customer.objects.restrict(world["gd_sc"], "view_financial").count() == len(
        EXPECTED["gd_sc"][0]
    )


def test_staff_org_units_and_products_are_visible_to_all_but_edited_by_administrators(world):
    am = browser(world["sz_am"])
    assert am.get(reverse("web:staff_list")).status_code == 200
    assert am.get(reverse("web:staff_detail", args=["gd_sc"])).status_code == 200
    assert am.get(reverse("web:staff_edit", args=["sz_am"])).status_code == 404
    assert am.get(reverse("web:orgunit_edit", args=["GD"])).status_code == 404
    assert am.get(reverse("web:org_tree")).status_code == 200
    group_manager = browser(world["grp_sc"])
    assert group_manager.get(reverse("web:staff_edit", args=["sz_am"])).status_code == 200
