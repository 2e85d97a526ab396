"""The scope matrix: every persona × every way of reading customers, contacts and assignments
returns exactly the persona's set (not just "some rows")."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from gecrm.accounts.models import Assignment
from gecrm.core.exporting import export_bytes
from gecrm.customers.models import Contact, Customer

from .conftest import ALL, EXPECTED, PERSONAS


def viewed(name):
    return EXPECTED[name][0]


def changed(name):
    return EXPECTED[name][1]


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def api_get(world, token_of, name, path, **params):
    client = Client()
    token = token_of(world[name])
    response = client.get(f"/api/v1/{path}", params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    return response.json()


def csv_codes(content: bytes, column: str = "code") -> list[str]:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    return [row[column] for row in rows]


def expected_assignments(name, world):
    user = world[name]
    return {
        a.pk
        for a in Assignment.objects.select_related("customer")
        if a.customer.code in viewed(name) or a.user_id == user.pk
    }


# --- customers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_restrict_view_and_change_are_exactly_the_persona_sets(world, name):
    user = world[name]
    view = set(Customer.objects.restrict(user, "view").values_list("code", flat=True))
    change = set(Customer.objects.restrict(user, "change").values_list("code", flat=True))
    assert (view, change) == (viewed(name), changed(name))


@pytest.mark.parametrize("name", PERSONAS)
def test_web_customer_list_shows_exactly_the_scope(world, name):
    response = browser(world[name]).get(reverse("web:customer_list"), {"per_page": 100})
    assert response.status_code == 200
    assert {c.code for c in response.context["object_list"]} == viewed(name)
    assert response.context["paginator"].count == len(viewed(name))


@pytest.mark.parametrize("name", PERSONAS)
def test_web_search_finds_only_in_scope_customers(world, name):
    client = browser(world[name])
    response = client.get(reverse("web:customer_list"), {"q": "客户", "per_page": 100})
    assert {c.code for c in response.context["object_list"]} == viewed(name)
    for code in ALL:
        response = client.get(reverse("web:customer_list"), {"q": code})
        found = {c.code for c in response.context["object_list"]}
        # Names are 客户<code>, so a code also finds the codes that contain it.
        assert found == {c for c in viewed(name) if code in c}, code


@pytest.mark.parametrize("name", PERSONAS)
def test_api_customer_list_count_and_search(world, token_of, name):
    body = api_get(world, token_of, name, "customers", limit=500)
    assert body["count"] == len(viewed(name))
    assert {item["code"] for item in body["items"]} == viewed(name)
    body = api_get(world, token_of, name, "customers", q="客户", limit=500)
    assert {item["code"] for item in body["items"]} == viewed(name)
    body = api_get(world, token_of, name, "customers", org_unit="GD", limit=500)
    gd = set(
        Customer.objects.filter(org_unit__path__startswith="/HQ/GD/").values_list("code", flat=True)
    )
    assert {item["code"] for item in body["items"]} == viewed(name) & gd


@pytest.mark.parametrize("name", PERSONAS)
def test_dashboard_counts_only_in_scope_customers(world, name):
    response = browser(world[name]).get(reverse("web:home"))
    assert response.status_code == 200
    stats = {str(s["label"]): s["value"] for s in response.context["stats"]}
    values = list(stats.values())
    assert len(viewed(name)) in values
    # 集团客户: the customer groups in scope (Customer.is_group), not every top-level shop.
    hqs = {c for c in viewed(name) if Customer.objects.get(code=c).is_group}
    by_segment = {d["code"]: d["value"] for d in response.context["segment_data"]}
    assert sum(by_segment.values()) == len(viewed(name))
    assert len(hqs) in values
    groups = response.context["largest_groups"]
    assert all(g["root"] in {c.split(".")[0] for c in viewed(name)} for g in groups if "root" in g)


@pytest.mark.parametrize("name", PERSONAS)
def test_csv_export_contains_exactly_the_scope(world, name):
    user = world[name]
    assert sorted(csv_codes(export_bytes("customers", user))) == sorted(viewed(name))
    response = browser(user).get(reverse("imports:export", args=["customers", "csv"]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert sorted(csv_codes(content)) == sorted(viewed(name))


# --- contacts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_contacts_follow_their_customers(world, name):
    user = world[name]
    seen = set(Contact.objects.restrict(user, "view").values_list("customer__code", flat=True))
    edit = set(Contact.objects.restrict(user, "change").values_list("customer__code", flat=True))
    assert (seen, edit) == (viewed(name), changed(name))


@pytest.mark.parametrize("name", PERSONAS)
def test_api_detail_contacts_only_for_in_scope_customers(world, token_of, name):
    client = Client()
    headers = {"Authorization": f"Bearer {token_of(world[name])}"}
    for code in sorted(ALL):
        response = client.get(f"/api/v1/customers/{code}", headers=headers)
        if code in viewed(name):
            assert [c["name"] for c in response.json()["contacts"]] == [f"联系人{code}"]
        else:
            assert response.status_code == 404
            assert f"联系人{code}" not in response.content.decode()


# --- assignments -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_api_assignment_list_and_export(world, token_of, name):
    expected = expected_assignments(name, world)
    body = api_get(world, token_of, name, "assignments", limit=500)
    assert body["count"] == len(expected)
    assert {item["id"] for item in body["items"]} == expected
    exported = csv_codes(export_bytes("assignments", world[name]), "customer_code")
    assert sorted(exported) == sorted(
        Assignment.objects.filter(pk__in=expected).values_list("customer__code", flat=True)
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_customer_page_lists_only_visible_assignments(world, name):
    client = browser(world[name])
    for code in viewed(name):
        response = client.get(reverse("web:customer_detail", args=[code]))
        assert response.status_code == 200
        shown = {a.pk for a in response.context["assignments"]}
        assert shown <= expected_assignments(name, world)
        assert response.context["why_visible"], code
