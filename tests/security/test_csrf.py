"""Every state-changing form refuses a POST without the CSRF token (403) and changes nothing."""

import uuid

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from gecrm.core.testing import DEFAULT_PASSWORD
from gecrm.customers.models import Contact, Customer


@pytest.fixture
def strict(db):
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def signed_in(strict, admin):
    strict.force_login(admin)
    return strict


def csrf_token(client, url="/login/"):
    client.get(url)
    return client.cookies["csrftoken"].value


def test_sign_in_without_the_token_is_refused(strict, admin):
    response = strict.post("/login/", {"username": "admin", "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert SESSION_KEY not in strict.session


def test_sign_in_with_the_token_works(strict, admin):
    token = csrf_token(strict)
    response = strict.post(
        "/login/",
        {"username": "admin", "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_logout_without_the_token_is_refused(signed_in):
    assert signed_in.post("/logout/").status_code == 403
    assert SESSION_KEY in signed_in.session


def test_logout_is_post_only(signed_in):
    assert signed_in.get("/logout/").status_code == 405
    assert SESSION_KEY in signed_in.session


def test_logout_with_the_token_works(signed_in):
    token = csrf_token(signed_in, "/")
    response = signed_in.post("/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert SESSION_KEY not in signed_in.session


def test_customer_edit_without_the_token_is_refused(signed_in, hq_tree):
    customer = hq_tree["hq"]
    response = signed_in.post(
        f"/customers/{customer.code}/edit/",
        {"name": "改名", "version": customer.version},
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "中国示范银行"


def test_customer_create_without_the_token_is_refused(signed_in, org):
    response = signed_in.post("/customers/add/", {"code": "NEW1", "name": "新客户"})
    assert response.status_code == 403
    assert not Customer.objects.filter(code="NEW1").exists()


def test_contact_add_without_the_token_is_refused(signed_in, hq_tree):
    response = signed_in.post(
        f"/customers/{hq_tree['hq'].code}/contacts/add/", {"name": "张三", "phone": "13800138000"}
    )
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_import_upload_without_the_token_is_refused(signed_in):
    response = signed_in.post("/imports/", {"kind": "customers"})
    assert response.status_code == 403


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_import_confirm_and_cancel_without_the_token_are_refused(signed_in, action):
    response = signed_in.post(f"/imports/{uuid.uuid4()}/{action}/")
    assert response.status_code == 403


def test_language_switch_without_the_token_is_refused(strict):
    response = strict.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 403
    assert "django_language" not in response.cookies


def test_admin_change_without_the_token_is_refused(signed_in, admin):
    response = signed_in.post(f"/admin/auth/user/{admin.pk}/change/", {"username": "renamed"})
    assert response.status_code == 403


def test_htmx_requests_send_the_token_in_a_header(signed_in):
    """htmx reads it from the body's hx-headers (no inline script needed)."""
    response = signed_in.get("/")
    token = response.context["csrf_token"]
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in response.content.decode()
