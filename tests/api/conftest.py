import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gecrm.access.models import ApiToken


class ApiClient:
    """A JSON client for /api/v1/ that sends a bearer token."""

    def __init__(self, raw_token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}

    def _url(self, path):
        return f"/api/v1/{path.lstrip('/')}"

    def get(self, path, params=None, **headers):
        return self.client.get(self._url(path), params or {}, headers={**self.headers, **headers})

    def post(self, path, data, **headers):
        return self.client.post(
            self._url(path),
            data,
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def patch(self, path, data, **headers):
        return self.client.patch(
            self._url(path),
            data,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def admin(db):
    """The superuser, without a password: API tests authenticate by token or `force_login`, and
    hashing a password (PBKDF2) would cost more than most tests here."""
    return get_user_model().objects.create_superuser("admin", "admin@example.cn", None)


@pytest.fixture
def admin_token(admin):
    _token, raw = ApiToken.issue(admin)
    return raw


@pytest.fixture
def api(admin_token):
    return ApiClient(admin_token)


@pytest.fixture
def anon_api(db):
    return ApiClient(None)


def error_fields(response) -> set[str]:
    """The field names a 422 answer names (last element of each `loc`)."""
    assert response.status_code == 422, response.content
    return {str(item["loc"][-1]) for item in response.json()["detail"]}
