"""Session lifetime and cookie flags."""

import time

from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from gecrm.access.actions import do_issue_api_token
from gecrm.core.security import LAST_SEEN_KEY
from gecrm.core.testing import DEFAULT_PASSWORD


def test_the_session_lasts_a_working_day_at_most():
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert django_settings.GECRM_SESSION_IDLE_SECONDS == 30 * 60


def test_the_session_cookie_is_httponly_lax_and_ends_with_the_browser(client, admin):
    response = client.post("/login/", {"username": "admin", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert not cookie["secure"]  # plain HTTP outside production; production: test_deploy
    # On the server the session ends after SESSION_COOKIE_AGE whatever the browser does.
    assert client.session.get_expiry_age() == 8 * 3600


def test_the_csrf_cookie_is_lax(client):
    response = client.get("/login/")
    assert response.cookies["csrftoken"]["samesite"] == "Lax"


def idle_for(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_signed_out(client, admin):
    client.force_login(admin)
    idle_for(client, 31 * 60)
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    assert SESSION_KEY not in client.session


def test_an_active_session_stays_and_is_renewed(client, admin):
    client.force_login(admin)
    idle_for(client, 29 * 60)
    assert client.get("/customers/").status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5


def test_the_idle_limit_comes_from_settings(client, admin, settings):
    settings.GECRM_SESSION_IDLE_SECONDS = 0  # no idle limit
    client.force_login(admin)
    idle_for(client, 7 * 3600)
    assert client.get("/customers/").status_code == 200


def test_an_htmx_request_of_an_idle_session_reloads_the_sign_in_page(client, admin, hq_tree):
    client.force_login(admin)
    idle_for(client, 31 * 60)
    response = client.get(
        "/customers/C001/branches/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/customers/C001/?x=1"},
    )
    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Redirect"] == "/login/?next=/customers/C001/%3Fx%3D1"


def test_idle_session_api_calls_answer_401(client, admin):
    client.force_login(admin)
    idle_for(client, 31 * 60)
    assert client.get("/api/v1/products").status_code == 401


def test_bearer_tokens_have_no_idle_limit(admin):
    _token, raw = do_issue_api_token(admin)
    response = Client().get("/api/v1/products", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_the_last_seen_time_is_not_written_on_every_request(client, admin):
    client.force_login(admin)
    before = client.session[LAST_SEEN_KEY]
    for _ in range(3):
        client.get("/customers/")
    assert client.session[LAST_SEEN_KEY] == before
