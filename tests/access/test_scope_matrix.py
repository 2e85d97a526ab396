"""The scope matrix: every persona × every way of reading customers, contacts and assignments
returns exactly the persona's set (not just "some rows")."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from gecrm.accounts.actions import do_assign
from gecrm.accounts.models import Assignment
from gecrm.catalog.models import Product
from gecrm.core.exceptions import CreateForbidden, OutsideScopeError
from gecrm.core.exporting import export_bytes
from gecrm.core.importing import run_import
from gecrm.customers.actions import do_add_contact
from gecrm.customers.models import Contact, Customer
from gecrm.org.models import OrgUnit, Staff

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


# --- create ------------------------------------------------------------------------------------
#
# One creates only where one could edit afterwards. Every persona tries every model through every
# path (web form, API, import with its preview, the CLI with --user once): allowed where the new
# row would be in the persona's change scope; else 403 when their posts edit nothing of the kind,
# 404 (API) / an error on the field that put it outside (forms, imports); the row is absent.

CREATES_NOTHING = {name for name in PERSONAS if not changed(name)}  # presales, hotline
ADMINISTRATORS = {"admin", "grp_sc"}

# Where a new customer goes — (org unit, parent, segment, industry) — and who may create it there.
CUSTOMER_TARGETS = {
    "sz-sme-hq": (("GD.SZ", None, "sme", ""), {"admin", "grp_sc", "gd_sc"}),
    "branch-of-S-SZ1": (("GD.SZ", "S-SZ1", "sme", ""), {"admin", "grp_sc", "gd_sc", "sz_am"}),
    "group-hq": (("HQ", None, "fin", "fin.bank"), {"admin", "grp_sc"}),
    "bj-branch-of-C001": (("BJ", "C001", "fin", "fin.bank"), {"admin", "grp_sc", "cam"}),
    "gz-bank-hq": (("GD.GZ", None, "fin", "fin.bank"), {"admin", "grp_sc", "gd_sc", "gd_bank_im"}),
    "sz-branch-of-C001.GD": (
        ("GD.SZ", "C001.GD", "fin", "fin.bank"),
        {"admin", "grp_sc", "gd_sc", "cam", "gd_bank_im"},
    ),
}
# The import column blamed for a refused target (by hand): the org unit when no unit of theirs
# owns it, else a parent they may not edit (or none: account managers create branches only),
# else the segment / industry of an industry manager.
BLAMED = {
    ("gd_sc", "group-hq"): "org_unit",
    ("gd_sc", "bj-branch-of-C001"): "org_unit",
    ("gd_bank_im", "sz-sme-hq"): "industry",
    ("gd_bank_im", "branch-of-S-SZ1"): "parent_code",
    ("gd_bank_im", "group-hq"): "org_unit",
    ("gd_bank_im", "bj-branch-of-C001"): "org_unit",
}


def blamed(name, target):
    if name in CREATES_NOTHING:
        return "code"  # the whole row: their posts create no customers
    return BLAMED.get((name, target), "parent_code")  # account managers


def creatable_units(world, name):
    """The org units a persona's new customers may belong to (by hand): the subtree they manage;
    account managers any unit (their accounts' trees as parents decide)."""
    every = set(world.units)
    gd = {code for code in every if code == "GD" or code.startswith("GD.")}
    return {"gd_sc": gd, "gd_bank_im": gd}.get(name, every)


def customer_cases():
    for target, (where, allowed) in CUSTOMER_TARGETS.items():
        yield target, where, allowed


def new_code(target):
    return f"NEW-{target}"


def absent(code):
    return not Customer._base_manager.filter(code=code).exists()


def api_post(world, token_of, name, path, body):
    return Client().post(
        f"/api/v1/{path}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_of(world[name])}"},
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_api_creates_customers_only_where_the_persona_could_edit_them(world, token_of, name):
    for target, (unit, parent, segment, industry), allowed in customer_cases():
        body = {"code": new_code(target), "name": "新客户", "segment": segment, "org_unit": unit}
        body.update({"industry": industry or None, "parent_code": parent})
        response = api_post(world, token_of, name, "customers", body)
        if name in allowed:
            assert response.status_code == 201, (target, response.content)
            assert Customer.objects.restrict(world[name], "change").filter(code=new_code(target))
            continue
        if name in CREATES_NOTHING:
            expected = 403
        elif parent is not None and parent not in viewed(name):
            expected = 422  # a parent they cannot see is unknown to them (no existence leak)
        else:
            expected = 404
        assert response.status_code == expected, (target, response.content)
        assert absent(new_code(target)), target


@pytest.mark.parametrize("name", PERSONAS)
def test_web_form_creates_customers_only_where_the_persona_could_edit_them(world, name):
    client = browser(world[name])
    page = client.get(reverse("web:customer_add"))
    listed = client.get(reverse("web:customer_list")).content.decode()
    if name in CREATES_NOTHING:
        assert page.status_code == 403
        assert reverse("web:customer_add") not in listed
    else:
        assert page.status_code == 200
        assert reverse("web:customer_add") in listed
        # The pickers offer exactly the parents and units a new customer may have.
        form = page.context["form"]
        assert set(form.fields["parent"].queryset.values_list("code", flat=True)) == changed(name)
        units = set(form.fields["org_unit"].queryset.values_list("code", flat=True))
        assert units == creatable_units(world, name)
    for target, (unit, parent, segment, industry), allowed in customer_cases():
        data = {"code": new_code(target), "name": "新客户", "segment": segment, "org_unit": unit}
        data.update({"industry": industry, "parent": parent or "", "status": "active"})
        response = client.post(reverse("web:customer_add"), data)
        if name in allowed:
            assert response.status_code == 302, (target, response.content.decode()[:3000])
            continue
        if name in CREATES_NOTHING:
            assert response.status_code == 403, target
        else:
            assert response.status_code == 200, target
            field = {"parent_code": "parent"}.get(blamed(name, target), blamed(name, target))
            assert field in response.context["form"].errors, (target, response.context["form"])
        assert absent(new_code(target)), target


@pytest.mark.parametrize("name", PERSONAS)
def test_import_and_its_preview_create_customers_only_where_the_persona_could_edit_them(
    world, tmp_path, name
):
    for target, (unit, parent, segment, industry), allowed in customer_cases():
        path = tmp_path / f"{target}.csv"
        path.write_text(
            "code,name,segment,industry,org_unit,parent_code\n"
            f"{new_code(target)},新客户,{segment},{industry},{unit},{parent or ''}\n",
            encoding="utf-8",
        )
        preview = run_import("customers", path, actor=world[name], dry_run=True)
        assert absent(new_code(target)), target
        if name in allowed:
            assert preview.ok and preview.created == 1, (target, preview.errors)
            result = run_import("customers", path, actor=world[name])
            assert result.ok and result.created == 1, (target, result.errors)
            continue
        found = [(i.row, i.column) for i in preview.errors]
        assert found == [(2, blamed(name, target))], (target, preview.errors)
        result = run_import("customers", path, actor=world[name])
        # The preview found everything the import refuses, on the same row and column.
        assert [(i.row, i.column, i.message) for i in result.errors] == [
            (i.row, i.column, i.message) for i in preview.errors
        ]
        assert absent(new_code(target)), target


def test_cli_import_with_user_refuses_a_customer_outside_the_scope(world, tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("code,name,segment,org_unit\nNEW-BJ,北京客户,sme,BJ\n", encoding="utf-8")
    for args in ((), ("--dry-run",)):
        with pytest.raises(SystemExit) as exit_info:
            call_command("import", "customers", str(path), "--user", "gd_sc", *args)
        assert exit_info.value.code == 1
        assert f"{path}:2:org_unit:" in capsys.readouterr().err
        assert absent("NEW-BJ")
    call_command("import", "customers", str(path), "--user", "grp_sc")
    assert not absent("NEW-BJ")


def test_web_import_preview_reports_the_row_outside_the_scope(world):
    client = browser(world["gd_sc"])
    upload = SimpleUploadedFile(
        "c.csv", "code,name,segment,org_unit\nNEW-BJ,北京客户,sme,BJ\n".encode(), "text/csv"
    )
    response = client.post(reverse("imports:index"), {"kind": "customers", "file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    errors = [(i.row, i.column, i.value) for i in preview.context["result"].errors]
    assert errors == [(2, "org_unit", "BJ")]
    assert absent("NEW-BJ")


# Org units, staff and products: administrators only ("posts are rights").
REFERENCE_CREATES = {
    "org-units": (OrgUnit, "code", {"code": "GD.DG", "name": "东莞", "kind": "prefecture",
                                    "parent_code": "GD"}),
    "staff": (Staff, "user__username", {"username": "boss", "name": "新人", "org_unit": "HQ",
                                        "posts": ["sales_control", "sales_manager"]}),
    "products": (Product, "code", {"code": "P-NEW", "name": "新产品", "category": "cloud"}),
}  # fmt: skip
REFERENCE_IMPORTS = {
    "orgunits": (OrgUnit, "code", "code,name,parent_code,kind\nGD.DG,东莞,GD,prefecture\n"),
    "staff": (
        Staff,
        "user__username",
        "username,name,org_unit,posts\nboss,新人,HQ,sales_control\n",
    ),
    "products": (Product, "code", "code,name,category,is_ict\nP-NEW,新产品,cloud,true\n"),
}


@pytest.mark.parametrize("name", PERSONAS)
def test_only_administrators_create_org_units_staff_and_products(world, token_of, tmp_path, name):
    admin = name in ADMINISTRATORS
    for path, (model, key, body) in REFERENCE_CREATES.items():
        response = api_post(world, token_of, name, path, body)
        assert response.status_code == (201 if admin else 403), (path, response.content)
        assert (
            model._base_manager.filter(**{key: body.get("code", body.get("username"))}).exists()
            == admin
        )
        model._base_manager.filter(**{key: body.get("code", body.get("username"))}).delete()
    get_user_model().objects.filter(username="boss").delete()
    for kind, (model, key, content) in REFERENCE_IMPORTS.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(content, encoding="utf-8")
        value = content.splitlines()[1].split(",")[0]
        preview = run_import(kind, path, actor=world[name], dry_run=True)
        result = run_import(kind, path, actor=world[name])
        if admin:
            assert preview.ok and result.ok and result.created == 1, (kind, result.errors)
        else:
            assert [(i.row, i.value) for i in preview.errors] == [(2, value)], kind
            assert [(i.row, i.value) for i in result.errors] == [(2, value)], kind
        assert model._base_manager.filter(**{key: value}).exists() == admin, kind
    client = browser(world[name])
    forms = {
        "web:orgunit_add": (OrgUnit, {"code": "GD.HZ", "name": "惠州", "kind": "prefecture",
                                      "parent": "GD"}),
        "web:product_add": (Product, {"code": "P-WEB", "name": "网页产品", "category": "cloud",
                                      "is_ict": "on"}),
    }  # fmt: skip
    for url_name, (model, data) in forms.items():
        url = reverse(url_name)
        assert client.get(url).status_code == (200 if admin else 403), url
        response = client.post(url, data)
        assert response.status_code == (302 if admin else 403), (url, response.content[:2000])
        assert model._base_manager.filter(code=data["code"]).exists() == admin, url
    listed = client.get(reverse("web:product_list")).content.decode()
    assert (reverse("web:product_add") in listed) == admin


@pytest.mark.parametrize("name", PERSONAS)
def test_contacts_are_added_only_to_customers_the_persona_may_edit(world, name):
    client = browser(world[name])
    for code in sorted(ALL):
        response = client.post(
            reverse("web:contact_add", args=[code]), {"name": "新联系人", "phone": "13900000000"}
        )
        added = Contact.objects.filter(customer__code=code, name="新联系人").exists()
        if code in changed(name):
            assert response.status_code == 302 and added, code
        else:
            assert response.status_code == (403 if name in CREATES_NOTHING else 404), code
            assert not added, code
            # The action itself (what API, CLI and imports call) refuses likewise.
            error = CreateForbidden if name in CREATES_NOTHING else OutsideScopeError
            with pytest.raises(error):
                do_add_contact(world.customers[code], {"name": "另一个"}, actor=world[name])
            assert not Contact.objects.filter(customer__code=code, name="另一个").exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_assignments_are_created_only_for_customers_the_persona_may_edit(world, tmp_path, name):
    staff = world["sz_am2"]
    rows = "".join(f"{code},sz_am2,service_manager,,\n" for code in sorted(ALL))
    path = tmp_path / "a.csv"
    path.write_text("customer_code,username,role,start,end\n" + rows, encoding="utf-8")
    before = Assignment.objects.count()
    for dry_run in (True, False):
        result = run_import("assignments", path, actor=world[name], dry_run=dry_run)
        refused = {i.value for i in result.errors if i.column == "customer_code"}
        assert refused == ALL - changed(name), dry_run
    # One refused row and the whole file is written nothing.
    assert Assignment.objects.count() == before + (0 if ALL - changed(name) else len(ALL))
    for code in sorted(ALL):
        customer = world.customers[code]
        if code in changed(name):
            do_assign(customer, staff, "presales", actor=world[name])
            continue
        error = CreateForbidden if name in CREATES_NOTHING else OutsideScopeError
        with pytest.raises(error):
            do_assign(customer, staff, "presales", actor=world[name])
        assert not Assignment.objects.filter(customer=customer, role="presales", user=staff)


def test_the_reported_create_holes_are_closed(world, token_of):
    """Issue 11's cases: a hotline agent creates nothing (403), an AM's customer owned by the
    group is refused (404) — and neither writes a row."""
    hotline, am = "hotline", "sz_am"
    body = {"code": "HL-1", "name": "热线建的", "segment": "sme", "org_unit": "HQ"}
    assert api_post(world, token_of, hotline, "customers", body).status_code == 403
    body = {"code": "AM-1", "name": "客户经理建的", "segment": "fin", "org_unit": "HQ"}
    response = api_post(world, token_of, am, "customers", body)
    assert response.status_code == 404 and "上级客户" in response.json()["detail"]
    assert absent("HL-1") and absent("AM-1")
    staff = {"username": "hl-boss", "name": "x", "org_unit": "HQ",
             "posts": ["sales_control", "sales_manager"]}  # fmt: skip
    assert api_post(world, token_of, hotline, "staff", staff).status_code == 403
    assert not get_user_model().objects.filter(username="hl-boss").exists()
    unit = {"code": "HL.U", "name": "x", "kind": "team", "parent_code": "GD"}
    assert api_post(world, token_of, hotline, "org-units", unit).status_code == 403
    product = {"code": "HL-P", "name": "x", "category": "cloud"}
    assert api_post(world, token_of, hotline, "products", product).status_code == 403
    assert not OrgUnit.objects.filter(code="HL.U") and not Product.objects.filter(code="HL-P")
    client = browser(world[hotline])
    data = {"code": "HL.W", "name": "x", "kind": "team", "parent": "GD"}
    assert client.post(reverse("web:orgunit_add"), data).status_code == 403
    assert not OrgUnit.objects.filter(code="HL.W")
    data = {"code": "HL-2", "name": "x", "segment": "sme", "org_unit": "HQ", "status": "active"}
    assert client.post(reverse("web:customer_add"), data).status_code == 403
    assert absent("HL-2")
