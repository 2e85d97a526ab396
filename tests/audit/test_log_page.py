"""The audit log page: administrators only (404 for everyone else), filters, CSV, query budget."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gecrm.audit.actions import Kind, record_event
from gecrm.audit.models import AuditEvent
from gecrm.catalog.actions import do_create_product, do_update_product
from gecrm.core.changes import current_ip

from .conftest import EMAIL, PHONE, grant


@pytest.fixture
def auditor(controller):
    return grant(controller, "view_auditlog")


def get(user, url, data=None, **extra):
    client = Client()
    client.force_login(user)
    return client.get(url, data or {}, **extra)


@pytest.mark.parametrize("name", ["audit:changes", "audit:events"])
def test_only_administrators_and_auditors_see_the_log(name, admin, controller, client):
    url = reverse(name)
    assert client.get(url).status_code == 302  # to the login page
    assert get(controller, url).status_code == 404
    assert get(admin, url).status_code == 200
    assert get(grant(controller, "view_auditlog"), url).status_code == 200


def test_non_administrators_cannot_export_the_log(controller):
    assert get(controller, reverse("audit:export", args=["changes"])).status_code == 404
    assert not AuditEvent.objects.filter(kind="export").exists()


def test_the_sidebar_links_the_log_only_for_those_allowed(admin, controller):
    home = reverse("web:home")
    assert 'id="nav-audit-log"' in get(admin, home).content.decode()
    assert 'id="nav-audit-log"' not in get(controller, home).content.decode()


def test_change_tab_filters(hq_tree, admin, auditor):
    token = current_ip.set("10.1.1.1")
    try:
        product = do_create_product(
            {"code": "P-1", "name": "云", "category": "cloud", "is_ict": True}, actor=auditor
        )
    finally:
        current_ip.reset(token)
    do_update_product(product, {"name": "云2"}, expected_version=1, actor=admin)
    url = reverse("audit:changes")
    response = get(auditor, url, {"object_type": "catalog.product"})
    assert {e.object_type for e in response.context["object_list"]} == {"catalog.product"}
    response = get(auditor, url, {"action": "update", "object_type": "catalog.product"})
    assert [e.action for e in response.context["object_list"]] == ["update"]
    response = get(auditor, url, {"actor": "grp_sc"})
    assert [e.actor_name for e in response.context["object_list"]] == ["grp_sc01"]
    response = get(auditor, url, {"ip": "10.1."})
    assert [e.object_repr for e in response.context["object_list"]] == ["云 (P-1)"]
    response = get(auditor, url, {"q": "深圳分行"})
    assert {e.object_repr for e in response.context["object_list"]} == {
        "中国示范银行深圳分行 (C001.SZ)"
    }
    response = get(auditor, url, {"date_from": "2000-01-01", "date_to": "2000-01-31"})
    assert list(response.context["object_list"]) == []
    response = get(auditor, url, {"ordering": "time"})
    times = [e.time for e in response.context["object_list"]]
    assert times == sorted(times)


def test_event_tab_filters(admin, auditor):
    record_event(Kind.LOGIN_FAILED, username="mallory")
    record_event(Kind.EXPORT, actor=admin, details={"kind": "customers", "rows": 3})
    url = reverse("audit:events")
    response = get(auditor, url, {"kind": "login_failed"})
    assert [e.username for e in response.context["object_list"]] == ["mallory"]
    response = get(auditor, url, {"username": "adm", "kind": "export"})
    assert [e.kind for e in response.context["object_list"]] == ["export"]
    assert "mallory" in get(auditor, url).content.decode()


def test_contact_values_in_the_log_are_masked_for_an_auditor(contact, auditor):
    page = get(auditor, reverse("audit:changes"), {"object_type": "customers.contact"})
    body = page.content.decode()
    assert "139****5678" in body and PHONE not in body and EMAIL not in body


def test_csv_export_is_filtered_masked_and_logged(contact, auditor):
    url = reverse("audit:export", args=["changes"])
    response = get(auditor, url, {"object_type": "customers.contact"}, REMOTE_ADDR="10.3.3.3")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1 and rows[0]["object_type"] == "customers.contact"
    assert PHONE not in body and EMAIL not in body and "139****5678" in body
    event = AuditEvent.objects.get(kind="export")
    assert event.details["kind"] == "auditlog.changes" and event.details["rows"] == 1
    assert event.details["filters"] == {"object_type": ["customers.contact"]}
    assert event.ip == "10.3.3.3" and event.actor == auditor

    response = get(auditor, reverse("audit:export", args=["events"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "auditlog.changes" in body  # the first export is in the second


def test_the_log_pages_cost_a_constant_number_of_queries(hq_tree, admin, django_assert_num_queries):
    client = Client()
    client.force_login(admin)

    def grow(n):
        for i in range(n):
            product = do_create_product(
                {
                    "code": f"P{AuditEvent.objects.count()}-{i}",
                    "name": "x",
                    "category": "cloud",
                    "is_ict": True,
                },
                actor=admin,
            )
            do_update_product(product, {"name": "y"}, expected_version=1, actor=admin)
            record_event(Kind.EXPORT, actor=admin, details={"rows": i})

    for name in ("audit:changes", "audit:events"):
        url = reverse(name) + "?per_page=100"
        grow(3)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        baseline = len(ctx.captured_queries)
        assert baseline <= 20
        grow(20)
        with django_assert_num_queries(baseline):
            assert client.get(url).status_code == 200
