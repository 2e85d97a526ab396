"""Security headers on pages and API answers; a Content-Security-Policy without inline code."""

import pytest

from gecrm.access.actions import do_issue_api_token

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def token(admin):
    return do_issue_api_token(admin)[1]


@pytest.fixture
def responses(client, admin, token):
    anonymous = {"login": client.get("/login/"), "api 401": client.get("/api/v1/products")}
    bearer = {"Authorization": f"Bearer {token}"}
    api = {
        "api list": client.get("/api/v1/products", headers=bearer),
        "openapi": client.get("/api/v1/openapi.json"),
        "api docs": client.get("/api/v1/docs"),
    }
    client.force_login(admin)
    pages = {
        "dashboard": client.get("/"),
        "customer list": client.get("/customers/"),
        "imports": client.get("/imports/"),
        "not found": client.get("/customers/NO-SUCH/"),
        "admin": client.get("/admin/"),
    }
    return anonymous | api | pages


def test_every_answer_carries_the_security_headers(responses):
    for label, response in responses.items():
        for header, value in EXPECTED.items():
            assert response.headers.get(header) == value, (label, header)
        assert "camera=()" in response.headers["Permissions-Policy"], label
        assert "Content-Security-Policy" in response.headers, label


def test_the_csp_allows_no_inline_code_and_no_other_origin(responses):
    for label, response in responses.items():
        header = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in header, label
        assert "unsafe-eval" not in header, label
        assert "*" not in header, label
        directives = csp_directives(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["base-uri"] == ["'self'"]


def test_no_hsts_or_https_redirect_outside_production(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/login/").status_code == 301  # plain HTTP goes to HTTPS
    response = client.get("/login/", secure=True)
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
