"""A forged session cookie is no session, whatever bytes it holds (PostgreSQL rejects NUL)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["0\x00", "abcdefgh\x00ij", "ABCDEFGH-ijkl", "abcdefgh';--"])
def test_a_forged_session_key_is_no_session(client, key):
    client.cookies["sessionid"] = key
    assert client.get("/api/v1/regions/440300").status_code == 401
    response = client.get("/customers/")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.django_db
def test_a_real_session_still_works(client, admin):
    client.force_login(admin)
    assert client.get("/api/v1/regions/440300").status_code == 200
