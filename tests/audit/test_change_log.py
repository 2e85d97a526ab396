"""Each kind of change produces the right change-log entry: who, when, from which address, which
fields from what to what. Web and API requests record the client address; the CLI none."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from gecrm.access.models import ApiToken
from gecrm.catalog.actions import do_create_product
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_staff
from gecrm.customers.actions import do_delete_contact
from gecrm.customers.models import Contact, Customer
from gecrm.org.models import OrgUnit
from tests.web.mixins import form_data

from .conftest import EMAIL, PHONE

IP = "10.20.30.40"


@pytest.fixture
def web(admin):
    client = Client(REMOTE_ADDR=IP)
    client.force_login(admin)
    return client


def last_change(obj_or_model, pk=None) -> ObjectChange:
    label = obj_or_model._meta.label_lower
    pk = obj_or_model.pk if pk is None else pk
    return ObjectChange.objects.filter(object_type=label, object_id=str(pk)).latest("id")


def resubmit(client, url, **changes):
    form = client.get(url).context["form"]
    data = {**form_data(form), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def assert_entry(entry, action, admin, *, ip=IP, source="web"):
    assert entry.action == action
    assert entry.actor == admin and entry.actor_name == admin.username
    assert entry.ip == ip
    assert entry.source == source
    assert entry.time is not None


def test_creating_and_editing_a_customer_on_the_web(web, org, admin):
    response = web.post(
        reverse("web:customer_add"),
        {"code": "N001", "name": "新客户", "segment": "sme", "status": "active", "org_unit": "GD"},
    )
    assert response.status_code == 302
    customer = Customer.objects.get(code="N001")
    entry = last_change(customer)
    assert_entry(entry, "create", admin)
    assert entry.changes["name"] == [None, "新客户"]
    assert entry.changes["segment"] == [None, "sme"]

    resubmit(web, reverse("web:customer_edit", args=["N001"]), name="新客户（改名）")
    entry = last_change(customer)
    assert_entry(entry, "update", admin)
    assert entry.changes == {"name": ["新客户", "新客户（改名）"]}


def test_a_contact_added_edited_and_deleted(web, hq_tree, admin):
    web.post(
        reverse("web:contact_add", args=["C001.SZ"]),
        {"name": "张伟", "title": "主任", "phone": PHONE, "email": EMAIL},
    )
    contact = Contact.objects.get(name="张伟")
    entry = last_change(contact)
    assert_entry(entry, "create", admin)
    assert entry.changes["phone"] == [None, PHONE]  # the log keeps the clear value; pages mask it

    resubmit(web, reverse("web:contact_edit", args=["C001.SZ", contact.pk]), title="处长")
    entry = last_change(contact)
    assert_entry(entry, "update", admin)
    assert entry.changes == {"title": ["主任", "处长"]}

    contact.refresh_from_db()
    pk = contact.pk
    do_delete_contact(contact, expected_version=contact.version, actor=admin, source="cli")
    entry = last_change(Contact, pk)
    assert_entry(entry, "delete", admin, ip=None, source="cli")
    assert entry.changes["name"] == ["张伟", None]


def test_an_org_unit_created_and_edited(web, org, admin):
    web.post(
        reverse("web:orgunit_add"),
        {"code": "GD.FS", "name": "佛山分公司政企客户部", "kind": "prefecture", "parent": "GD"},
    )
    unit = OrgUnit.objects.get(code="GD.FS")
    assert_entry(last_change(unit), "create", admin)
    resubmit(web, reverse("web:orgunit_edit", args=["GD.FS"]), name="佛山分公司")
    entry = last_change(unit)
    assert_entry(entry, "update", admin)
    assert entry.changes == {"name": ["佛山分公司政企客户部", "佛山分公司"]}


def test_a_staff_member_edited(web, org, admin):
    staff = make_staff("gd_sz_am01", org["GD.SZ"], actor=admin, name="李明")
    resubmit(web, reverse("web:staff_edit", args=["gd_sz_am01"]), phone="13900139000")
    entry = last_change(staff)
    assert_entry(entry, "update", admin)
    assert entry.changes == {"phone": ["13800138000", "13900139000"]}


def test_a_product_created_and_edited(web, db, admin):
    web.post(
        reverse("web:product_add"),
        {"code": "P-CLOUD", "name": "天翼云主机", "category": "cloud", "is_ict": "on"},
    )
    from gecrm.catalog.models import Product

    product = Product.objects.get(code="P-CLOUD")
    assert_entry(last_change(product), "create", admin)
    resubmit(web, reverse("web:product_edit", args=["P-CLOUD"]), name="天翼云主机（新）")
    entry = last_change(product)
    assert entry.changes == {"name": ["天翼云主机", "天翼云主机（新）"]}


def test_api_writes_record_the_client_address(hq_tree, admin):
    _token, raw = ApiToken.issue(admin)
    client = Client(REMOTE_ADDR="192.168.7.8", HTTP_AUTHORIZATION=f"Bearer {raw}")
    customer = hq_tree["sz"]
    response = client.patch(
        "/api/v1/customers/C001.SZ",
        {"version": customer.version, "address": "深圳市福田区深南大道1号"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    entry = last_change(customer)
    assert_entry(entry, "update", admin, ip="192.168.7.8", source="api")
    assert entry.changes == {"address": ["", "深圳市福田区深南大道1号"]}

    response = client.post(
        "/api/v1/staff",
        {"username": "api_am", "name": "接口经理", "org_unit": "GD.SZ", "posts": ["am"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    entries = ObjectChange.objects.filter(object_type="org.staff", source="api")
    assert entries.exists()
    for entry in entries:
        assert_entry(entry, entry.action, admin, ip="192.168.7.8", source="api")
    assert entries.filter(action="create").exists()


def test_an_import_logs_every_row_without_an_address(org, admin, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("code,name,category,is_ict\nP-X,专线,leased_line,false\n", encoding="utf-8")
    call_command("import", "products", str(path), "--user", "admin", stdout=io.StringIO())
    from gecrm.catalog.models import Product

    entry = last_change(Product.objects.get(code="P-X"))
    assert entry.action == "create" and entry.actor == admin and entry.ip is None
    assert entry.source == "import"
    assert entry.changes["name"] == [None, "专线"]


def test_actions_outside_a_request_record_no_address(db, admin):
    product = do_create_product(
        {"code": "P-1", "name": "x", "category": "cloud", "is_ict": True}, actor=admin, source="cli"
    )
    assert last_change(product).ip is None
