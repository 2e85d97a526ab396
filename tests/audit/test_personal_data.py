"""Contacts' phone numbers and e-mail addresses: masked for everyone by default, never clear for
a user without the right (pages, forms, API, exports), revealed only by a logged action."""

import pytest
from django.test import Client
from django.urls import reverse

from gecrm.access.models import ApiToken
from gecrm.audit.models import AuditEvent
from gecrm.core.exporting import (
    EXPORTERS,
    Exporter,
    ReportColumn,
    export_bytes,
    register_exporter,
)
from gecrm.customers.filtersets import CustomerFilterSet
from gecrm.customers.models import Contact

from .conftest import EMAIL, MASKED_EMAIL, MASKED_PHONE, PHONE


def browser(user, **extra):
    client = Client(**extra)
    client.force_login(user)
    return client


def assert_no_clear_values(body: str):
    assert PHONE not in body and EMAIL not in body


# ---------------------------------------------------------------- web


@pytest.mark.parametrize("persona", ["controller", "holder", "admin"])
def test_the_customer_page_shows_contacts_masked_to_everyone(persona, contact, request):
    user = request.getfixturevalue(persona)
    body = browser(user).get(reverse("web:customer_detail", args=["C001.SZ"])).content.decode()
    assert MASKED_PHONE in body and MASKED_EMAIL in body
    assert_no_clear_values(body)
    assert ("gecrm-reveal" in body) == (persona != "controller")


def test_without_the_right_the_contact_form_shows_masked_values_and_keeps_them(contact, controller):
    client = browser(controller)
    url = reverse("web:contact_edit", args=["C001.SZ", contact.pk])
    response = client.get(url)
    body = response.content.decode()
    assert_no_clear_values(body)
    assert MASKED_PHONE in body
    form = response.context["form"]
    assert form.fields["phone"].disabled and form.fields["email"].disabled
    # Posting the masked text (or anything else) for phone/e-mail changes neither.
    response = client.post(
        url,
        {
            "name": "张伟",
            "title": "处长",
            "phone": MASKED_PHONE,
            "email": "attacker@example.cn",
            "version": contact.version,
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.phone, contact.email) == ("处长", PHONE, EMAIL)
    assert not AuditEvent.objects.filter(kind="unmask").exists()


def test_with_the_right_the_contact_form_shows_clear_values_and_logs_it(contact, holder):
    client = browser(holder, REMOTE_ADDR="10.5.5.5")
    response = client.get(reverse("web:contact_edit", args=["C001.SZ", contact.pk]))
    assert PHONE in response.content.decode()
    event = AuditEvent.objects.get(kind="unmask")
    assert (event.actor, event.ip, event.object_type) == (holder, "10.5.5.5", "customers.contact")
    assert event.object_id == str(contact.pk)
    assert event.details == {"fields": ["email", "phone"], "reason": "edit"}


def test_reveal_returns_the_clear_values_and_logs_each_reveal(contact, holder):
    client = browser(holder, REMOTE_ADDR="10.6.6.6")
    url = reverse("audit:reveal", args=["customers.contact", contact.pk])
    response = client.post(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert PHONE in body and EMAIL in body
    assert f'id="pd-customers-contact-{contact.pk}-phone"' in body and "hx-swap-oob" in body
    client.post(url)
    events = AuditEvent.objects.filter(kind="unmask", object_id=str(contact.pk))
    assert events.count() == 2
    assert all(e.actor == holder and e.ip == "10.6.6.6" for e in events)


def test_reveal_is_refused_without_the_right_and_logs_nothing(contact, controller, client):
    url = reverse("audit:reveal", args=["customers.contact", contact.pk])
    response = browser(controller).post(url)
    assert response.status_code == 403
    assert_no_clear_values(response.content.decode())
    assert browser(controller).get(url).status_code == 405
    assert client.post(url).status_code == 302  # anonymous: to the login page
    assert not AuditEvent.objects.filter(kind="unmask").exists()


def test_reveal_of_an_unknown_object_or_type_is_a_404(contact, holder):
    client = browser(holder)
    assert (
        client.post(reverse("audit:reveal", args=["customers.contact", 999999])).status_code == 404
    )
    assert client.post(reverse("audit:reveal", args=["auth.user", 1])).status_code == 404


def test_the_change_history_masks_contact_values(contact, holder):
    contact_edit = browser(holder)
    url = reverse("web:contact_edit", args=["C001.SZ", contact.pk])
    contact_edit.post(
        url,
        {"name": "张伟", "title": "主任", "phone": "13700001111", "email": EMAIL, "version": 1},
    )
    assert Contact.objects.get(pk=contact.pk).phone == "13700001111"
    body = browser(holder).get(reverse("web:customer_detail", args=["C001.SZ"])).content.decode()
    assert "137****1111" in body and "13700001111" not in body
    assert_no_clear_values(body)


# ---------------------------------------------------------------- API


def api(user, **extra):
    _token, raw = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **extra)


def test_the_api_masks_contacts_and_refuses_unmask_without_the_right(contact, controller):
    client = api(controller)
    response = client.get("/api/v1/customers/C001.SZ")
    assert response.status_code == 200
    assert response.json()["contacts"][0]["phone"] == MASKED_PHONE
    assert response.json()["contacts"][0]["email"] == MASKED_EMAIL
    response = client.get("/api/v1/customers/C001.SZ", {"unmask": "true"})
    assert response.status_code == 403
    assert_no_clear_values(response.content.decode())
    assert not AuditEvent.objects.filter(kind="unmask").exists()


def test_the_api_unmasks_for_a_holder_and_logs_it(contact, holder):
    client = api(holder, REMOTE_ADDR="10.7.7.7")
    body = client.get("/api/v1/customers/C001.SZ").json()
    assert body["contacts"][0]["phone"] == MASKED_PHONE  # masked unless asked
    body = client.get("/api/v1/customers/C001.SZ", {"unmask": "true"}).json()
    assert (body["contacts"][0]["phone"], body["contacts"][0]["email"]) == (PHONE, EMAIL)
    event = AuditEvent.objects.get(kind="unmask")
    assert (event.actor, event.ip, event.source) == (holder, "10.7.7.7", "api")
    assert event.object_id == str(contact.pk)


# ---------------------------------------------------------------- exports


@pytest.fixture
def contact_exporter():
    """A contacts export (none ships yet): the personal columns are declared, nothing else."""
    exporter = register_exporter(
        Exporter(
            kind="test_contacts",
            model=Contact,
            columns=("customer_code", "name", "phone", "email"),
            filterset_class=CustomerFilterSet,
            fields=("customer__code", "name", "phone", "email"),
            order_by=("customer__code", "name"),
            personal_columns={"phone": "phone", "email": "email"},
            report=(
                ReportColumn("Customer code", "customer__code", "code"),
                ReportColumn("Name", "name"),
                ReportColumn("Phone", "phone", "code", personal="phone"),
                ReportColumn("E-mail", "email", personal="email"),
            ),
        )
    )
    yield exporter
    EXPORTERS.pop("test_contacts")


def test_exports_mask_personal_columns_without_the_right(contact, contact_exporter, controller):
    data = export_bytes("test_contacts", controller, "csv").decode("utf-8-sig")
    assert MASKED_PHONE in data and MASKED_EMAIL in data
    assert_no_clear_values(data)
    event = AuditEvent.objects.get(kind="export")
    assert event.details["personal_data"] == "masked" and event.details["rows"] == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reports_mask_personal_columns_without_the_right(
    contact, contact_exporter, controller, holder, fmt
):
    import io

    from openpyxl import load_workbook

    def text(user) -> str:
        data = export_bytes("test_contacts", user, fmt, shape="report")
        if fmt == "csv":
            return data.decode("utf-8-sig")
        return str(list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)))

    masked = text(controller)
    assert MASKED_PHONE in masked and MASKED_EMAIL in masked
    assert_no_clear_values(masked)
    assert PHONE in text(holder)
    assert [
        (e.details["shape"], e.details["personal_data"])
        for e in AuditEvent.objects.filter(kind="export").order_by("id")
    ] == [("report", "masked"), ("report", "clear")]


def test_exports_are_clear_for_a_holder_and_say_so_in_the_log(contact, contact_exporter, holder):
    data = export_bytes("test_contacts", holder, "xlsx")
    assert data[:2] == b"PK"
    data = export_bytes("test_contacts", holder, "csv").decode("utf-8-sig")
    assert PHONE in data
    assert {e.details["personal_data"] for e in AuditEvent.objects.filter(kind="export")} == {
        "clear"
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_web_exports_never_carry_contact_values(contact, controller, fmt):
    client = browser(controller)
    for kind in ("customers", "staff", "orgunits", "products"):
        response = client.get(reverse("imports:export", args=[kind, fmt]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert PHONE.encode() not in body and EMAIL.encode() not in body
