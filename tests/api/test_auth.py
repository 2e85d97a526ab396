"""Who may call the API: bearer tokens (valid, unknown, revoked, expired), browser sessions with
CSRF on unsafe methods, and the `gecrm token` command that issues and revokes tokens."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from gecrm.access.actions import do_revoke_api_tokens
from gecrm.access.models import ApiToken
from gecrm.catalog.models import Product
from gecrm.core.models import ObjectChange

from .conftest import ApiClient

User = get_user_model()
PRODUCT = {"code": "P-NEW", "name": "云专线", "category": "cloud"}


def assert_unauthorized(response):
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": "Unauthorized"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# --- bearer tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "customers"),
        ("get", "customers/C001"),
        ("get", "org-units"),
        ("get", "staff"),
        ("get", "products"),
        ("get", "regions"),
        ("post", "products"),
        ("patch", "products/P-X"),
    ],
)
def test_no_credentials_is_a_401_everywhere(anon_api, method, path):
    response = anon_api.get(path) if method == "get" else getattr(anon_api, method)(path, {})
    assert_unauthorized(response)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gecrm_not-a-real-token",
        "Bearer ",
        "Bearer " + "x" * 5000,
        "Token gecrm_whatever",
        "Basic YWRtaW46YWRtaW4=",
        "gecrm_no-scheme",
    ],
)
def test_a_bad_authorization_header_is_a_401(db, header):
    response = Client().get("/api/v1/customers", headers={"Authorization": header})
    assert_unauthorized(response)


def test_a_valid_bearer_token_works_and_records_its_use(admin, org):
    token, raw = ApiToken.issue(admin)
    assert token.last_used_at is None
    response = ApiClient(raw).get("org-units")
    assert response.status_code == 200
    assert response.json()["count"] == len(org)
    token.refresh_from_db()
    assert token.last_used_at is not None
    # The scheme is case-insensitive (RFC 7235) and surrounding blanks are ignored.
    response = Client().get("/api/v1/org-units", headers={"Authorization": f"bearer  {raw} "})
    assert response.status_code == 200


def test_only_the_hash_of_a_token_is_stored(admin):
    token, raw = ApiToken.issue(admin)
    assert raw.startswith("gecrm_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix) and raw.startswith(stored.prefix)


def test_a_revoked_token_is_a_401(admin, org):
    token, raw = ApiToken.issue(admin)
    assert ApiClient(raw).get("org-units").status_code == 200
    assert do_revoke_api_tokens(ApiToken.objects.filter(pk=token.pk), actor=admin) == 1
    assert_unauthorized(ApiClient(raw).get("org-units"))
    entry = ObjectChange.objects.get(
        object_type="access.apitoken", object_id=str(token.pk), action="update"
    )
    assert "revoked_at" in entry.changes


def test_an_expired_token_is_a_401(admin, org):
    _token, raw = ApiToken.issue(admin, expires_at=timezone.now() - timedelta(seconds=1))
    assert_unauthorized(ApiClient(raw).get("org-units"))
    _token, fresh = ApiToken.issue(admin, expires_at=timezone.now() + timedelta(days=1))
    assert ApiClient(fresh).get("org-units").status_code == 200


def test_the_token_of_a_deactivated_user_is_a_401(admin, org):
    user = User.objects.create_user("am1")  # no password: hashing one is slow
    _token, raw = ApiToken.issue(user)
    assert ApiClient(raw).get("org-units").status_code == 200
    user.is_active = False
    user.save()
    assert_unauthorized(ApiClient(raw).get("org-units"))


def test_a_bearer_client_needs_no_csrf_token(admin):
    _token, raw = ApiToken.issue(admin)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/products",
        PRODUCT,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content
    assert ObjectChange.objects.get(action="create", source="api").actor == admin


# --- browser sessions ------------------------------------------------------------------------


@pytest.fixture
def browser(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    return client


def test_a_logged_in_browser_reads_with_its_session(browser, org):
    response = browser.get("/api/v1/org-units")
    assert response.status_code == 200
    assert response.json()["count"] == len(org)


def test_a_session_write_without_a_csrf_token_is_a_403_and_changes_nothing(browser):
    response = browser.post("/api/v1/products", PRODUCT, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Product.objects.exists()


def test_a_session_write_with_the_csrf_token_succeeds(browser):
    browser.get("/login/")  # any page that renders a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/products", PRODUCT, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.content
    assert Product.objects.get().code == "P-NEW"


def test_after_logout_the_session_is_a_401(browser, org):
    assert browser.get("/api/v1/org-units").status_code == 200
    browser.logout()
    assert_unauthorized(browser.get("/api/v1/org-units"))


# --- gecrm token -----------------------------------------------------------------------------


def run_token(*args) -> list[str]:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_token_create_prints_a_working_token_as_its_last_line(admin, org):
    lines = run_token("create", "admin")
    raw = lines[-1]
    assert raw.startswith("gecrm_") and " " not in raw
    response = ApiClient(raw).get("org-units")
    assert response.status_code == 200
    token = ApiToken.objects.get(user=admin)
    assert token.expires_at is None
    assert (
        ObjectChange.objects.get(
            object_type="access.apitoken", object_id=str(token.pk), action="create"
        ).source
        == "cli"
    )


def test_token_create_with_an_expiry(admin):
    raw = run_token("create", "admin", "--expires-days", "7", "--description", "ETL")[-1]
    token = ApiToken.objects.get(user=admin)
    assert token.description == "ETL"
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert ApiClient(raw).get("regions").status_code == 200


def test_token_list_and_revoke(admin):
    raw = run_token("create", "admin")[-1]
    token = ApiToken.objects.get()
    listed = run_token("list", "admin")
    assert len(listed) == 1 and listed[0].startswith(token.prefix) and "active" in listed[0]
    assert run_token("revoke", token.prefix) == ["Revoked 1 token(s)."]
    assert "revoked" in run_token("list", "admin")[0]
    assert_unauthorized(ApiClient(raw).get("regions"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "nobody"], "No user named 'nobody'"),
        (["create", "admin", "--expires-days", "0"], "--expires-days"),
        (["list", "nobody"], "No user named 'nobody'"),
        (["revoke", "gecrm_"], "at least 8"),
        (["revoke", "gecrm_zzzzzzzz"], "No token starts with"),
    ],
)
def test_token_command_errors_are_clear(admin, args, message):
    with pytest.raises(CommandError, match=message):
        run_token(*args)
    assert not ApiToken.objects.exists()


def test_token_create_for_an_unknown_user_exits_non_zero(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["gecrm", "token", "create", "nobody"])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "No user named 'nobody'" in captured.err
    assert captured.out == ""


def test_token_create_for_an_inactive_user_is_refused(admin, org):
    user = User.objects.create_user("gone")
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="inactive"):
        run_token("create", "gone")
