"""Security events: logins, logouts, failed logins, API tokens and exports, with user and address."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from gecrm.access.models import ApiToken
from gecrm.audit.models import AuditEvent
from gecrm.core.testing import DEFAULT_PASSWORD, make_staff

IP = "10.9.8.7"


def events(kind):
    return AuditEvent.objects.filter(kind=kind).order_by("id")


@pytest.fixture
def am(org, admin):
    return make_staff("gd_sz_am01", org["GD.SZ"], actor=admin).user


def test_a_login_and_a_logout_are_logged_with_address_and_browser(am):
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) " + "x" * 400)
    response = client.post(
        reverse("login"), {"username": "gd_sz_am01", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    login = events("login").get()
    assert (login.actor, login.username, login.ip, login.source) == (am, "gd_sz_am01", IP, "web")
    assert login.user_agent.startswith("Mozilla/5.0") and len(login.user_agent) == 300

    client.post(reverse("logout"))
    logout = events("logout").get()
    assert (logout.actor, logout.ip) == (am, IP)


def test_a_failed_login_records_the_typed_name_and_address_not_the_password(am):
    client = Client(REMOTE_ADDR=IP)
    client.post(reverse("login"), {"username": "gd_sz_am01", "password": "wrong-Secret-42"})
    client.post(reverse("login"), {"username": "nobody_here", "password": "wrong-Secret-42"})
    failed = list(events("login_failed"))
    assert [e.username for e in failed] == ["gd_sz_am01", "nobody_here"]
    assert all(e.ip == IP and e.actor is None for e in failed)
    for event in failed:
        assert "wrong-Secret-42" not in str(event.details) and "password" not in event.details
    assert not events("login").exists()


def test_token_creation_and_revocation_at_the_command_line(admin):
    out = io.StringIO()
    call_command("token", "create", "admin", stdout=out)
    token = ApiToken.objects.get()
    created = events("token_created").get()
    assert created.object_type == "access.apitoken" and created.object_id == str(token.pk)
    assert created.details["user"] == "admin" and created.details["prefix"] == token.prefix
    assert created.source == "cli" and created.ip is None
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw not in str(created.details)  # the token itself is never logged

    call_command("token", "revoke", token.prefix, stdout=io.StringIO())
    revoked = events("token_revoked").get()
    assert revoked.object_id == str(token.pk) and revoked.details["prefix"] == token.prefix


def test_a_cli_export_is_logged_with_filters_and_row_count(hq_tree, admin, tmp_path):
    call_command(
        "export",
        "customers",
        "--user",
        "admin",
        "--filter",
        "org_unit=GD",
        "--output",
        str(tmp_path / "c.csv"),
    )
    event = events("export").get()
    assert event.actor == admin and event.source == "cli" and event.ip is None
    assert event.details == {
        "kind": "customers",
        "format": "csv",
        "shape": "import",
        "filters": {"org_unit": ["GD"]},
        "rows": 2,  # 深圳分行 and its sub-branch
        "personal_data": "none",
    }


def test_a_web_export_is_logged_with_the_address(hq_tree, admin):
    client = Client(REMOTE_ADDR=IP)
    client.force_login(admin)
    url = reverse("imports:export", args=["customers", "xlsx"]) + "?segment=fin"
    assert client.get(url).status_code == 200
    event = events("export").get()
    assert (event.actor, event.ip, event.source) == (admin, IP, "web")
    assert event.details["format"] == "xlsx" and event.details["rows"] == 4
    assert event.details["filters"] == {"segment": ["fin"]}
    response = client.get(reverse("imports:export", args=["products", "csv"]))
    b"".join(response.streaming_content)
    assert events("export").count() == 2
