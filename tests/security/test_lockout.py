"""Lockout after repeated failed sign-ins, counted per username *and* client address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.test import Client, RequestFactory, override_settings

from gecrm.access.actions import do_issue_api_token
from gecrm.core.http import client_ip
from gecrm.core.testing import DEFAULT_PASSWORD

pytestmark = pytest.mark.usefixtures("lockout")

OFFICE = "10.20.30.40"
HOME = "10.99.0.7"
LOCKED = 429


def sign_in(client, username, password, ip=OFFICE, **extra):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def fail(client, username, times, ip=OFFICE, **extra):
    return [sign_in(client, username, "wrong-password", ip, **extra) for _ in range(times)]


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def age_attempts(minutes):
    """Move the recorded failures into the past, as if `minutes` had gone by."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_it_locks_the_username_at_that_address_after_the_limit(client, am):
    responses = fail(client, am.username, 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, LOCKED]

    response = sign_in(client, am.username, DEFAULT_PASSWORD)  # even the right password
    assert response.status_code == LOCKED
    assert not signed_in(client)


def test_the_lockout_is_a_security_event(client, am):
    from gecrm.audit.models import AuditEvent

    fail(client, am.username, 5)
    events = AuditEvent.objects.filter(kind="locked_out")
    assert [(e.username, e.ip) for e in events] == [(am.username, OFFICE)]
    assert AuditEvent.objects.filter(kind="login_failed", username=am.username).count() == 5


def test_it_says_why_and_for_how_long(english, am):
    fail(english, am.username, 5)
    response = sign_in(english, am.username, DEFAULT_PASSWORD)
    assert response.status_code == LOCKED
    text = response.content.decode()
    assert 'id="lockout-message"' in text
    assert "Too many failed sign-in attempts" in text
    assert "Try again in 15 minutes" in text
    # The form is shown again, with the username kept.
    assert f'value="{am.username}"' in text


def test_the_message_counts_the_remaining_minutes(english, am):
    fail(english, am.username, 5)
    age_attempts(14)
    response = sign_in(english, am.username, DEFAULT_PASSWORD)
    assert response.status_code == LOCKED
    assert "Try again in 1 minute," in response.content.decode()


def test_the_message_is_translatable(client, am):
    fail(client, am.username, 5)
    response = sign_in(client, am.username, DEFAULT_PASSWORD)
    assert response.status_code == LOCKED
    assert response.headers["Content-Language"] == "zh-hans"


def test_the_same_user_can_still_sign_in_from_another_address(client, am):
    fail(client, am.username, 5, ip=OFFICE)
    other = Client()
    response = sign_in(other, am.username, DEFAULT_PASSWORD, ip=HOME)
    assert response.status_code == 302
    assert signed_in(other)


def test_a_colleague_behind_the_same_address_can_still_sign_in(client, am, am2):
    fail(client, am.username, 5, ip=OFFICE)
    colleague = Client()
    response = sign_in(colleague, am2.username, DEFAULT_PASSWORD, ip=OFFICE)
    assert response.status_code == 302
    assert signed_in(colleague)


def test_failures_with_many_usernames_lock_none_of_the_others(client, am):
    """A guesser trying names from the office address does not lock out the office."""
    for i in range(10):
        fail(client, f"guess{i}", 1)
    response = sign_in(Client(), am.username, DEFAULT_PASSWORD)
    assert response.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, am):
    fail(client, am.username, 5)
    age_attempts(14)
    assert sign_in(client, am.username, DEFAULT_PASSWORD).status_code == LOCKED
    age_attempts(2)  # 16 minutes after the last failure
    response = sign_in(client, am.username, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_failures_during_the_lockout_do_not_extend_it(client, am):
    fail(client, am.username, 5)
    age_attempts(10)
    fail(client, am.username, 3)  # still locked: not counted, the clock keeps running
    age_attempts(6)
    assert sign_in(client, am.username, DEFAULT_PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, am):
    fail(client, am.username, 4)
    assert sign_in(client, am.username, DEFAULT_PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=am.username).exists()
    client.post("/logout/")
    responses = fail(client, am.username, 4)
    assert all(r.status_code == 200 for r in responses)
    assert fail(client, am.username, 1)[0].status_code == LOCKED


def test_limit_and_cool_off_come_from_settings(client, am, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    assert [r.status_code for r in fail(client, am.username, 2)] == [200, LOCKED]
    age_attempts(4)
    assert sign_in(client, am.username, DEFAULT_PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_count(client, am):
    """Without trusted proxies X-Forwarded-For is the client's own claim and is ignored."""
    for i in range(5):
        sign_in(client, am.username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    response = sign_in(client, am.username, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == LOCKED


@override_settings(GECRM_TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, am):
    proxy = "10.0.0.1"
    fail(client, am.username, 5, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    # Another client behind the same proxy is not locked out...
    response = sign_in(
        Client(), am.username, DEFAULT_PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert response.status_code == 302
    # ...but the first one is, whatever it writes in front of the proxy's entry.
    response = sign_in(
        client,
        am.username,
        DEFAULT_PASSWORD,
        ip=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1",
    )
    assert response.status_code == LOCKED


def test_the_admin_sign_in_is_locked_too(client, admin):
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR=OFFICE)
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=OFFICE,
    )
    assert response.status_code == LOCKED
    assert not signed_in(client)


def test_api_tokens_are_not_affected(client, am):
    fail(client, am.username, 5)
    _token, raw = do_issue_api_token(am)
    response = Client().get(
        "/api/v1/products", headers={"Authorization": f"Bearer {raw}"}, REMOTE_ADDR=OFFICE
    )
    assert response.status_code == 200


def test_wrong_tokens_do_not_count_as_failed_sign_ins(client, am):
    for _ in range(10):
        Client().get(
            "/api/v1/products", headers={"Authorization": "Bearer nope"}, REMOTE_ADDR=OFFICE
        )
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, am.username, DEFAULT_PASSWORD).status_code == 302


# ---------------------------------------------------------------- the client address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.1.1.1"),
        (0, "192.0.2.1", "10.1.1.1"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "203.0.113.9, 192.0.2.1", "192.0.2.1"),
        (2, "203.0.113.9, 192.0.2.1, 10.0.0.2", "192.0.2.1"),
        (2, "192.0.2.1", "10.1.1.1"),  # fewer entries than proxies: not trustworthy
        (1, "not-an-address", "10.1.1.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.GECRM_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
