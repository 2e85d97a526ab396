"""The OpenAPI document and the docs page: every operation described in English, bearer auth
declared, and Swagger UI served from our own static files (deployments have no internet)."""

import re

import pytest

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")

OPERATIONS = {
    ("get", "/api/v1/assignments"),
    ("get", "/api/v1/customers"),
    ("post", "/api/v1/customers"),
    ("get", "/api/v1/customers/{code}"),
    ("patch", "/api/v1/customers/{code}"),
    ("get", "/api/v1/customers/{code}/children"),
    ("get", "/api/v1/org-units"),
    ("post", "/api/v1/org-units"),
    ("get", "/api/v1/org-units/{code}"),
    ("patch", "/api/v1/org-units/{code}"),
    ("get", "/api/v1/staff"),
    ("post", "/api/v1/staff"),
    ("get", "/api/v1/staff/{username}"),
    ("patch", "/api/v1/staff/{username}"),
    ("get", "/api/v1/products"),
    ("post", "/api/v1/products"),
    ("get", "/api/v1/products/{code}"),
    ("patch", "/api/v1/products/{code}"),
    ("get", "/api/v1/regions"),
    ("get", "/api/v1/regions/{code}"),
}


@pytest.fixture(scope="module")
def spec(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 200
    return response.json()


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_document_lists_every_operation(spec):
    assert {(method, path) for method, path, _op in operations(spec)} == OPERATIONS


def test_bearer_auth_is_declared_and_required_everywhere(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["BearerTokenAuth"]["type"] == "http"
    assert schemes["BearerTokenAuth"]["scheme"] == "bearer"
    assert "gecrm token create" in schemes["BearerTokenAuth"]["description"]
    assert schemes["SessionAuth"]["in"] == "cookie"
    for method, path, operation in operations(spec):
        assert {"BearerTokenAuth": []} in operation["security"], (method, path)
        assert "401" in operation["responses"], (method, path)


def test_every_operation_has_an_english_summary_and_description(spec):
    assert not CJK.search(spec["info"]["description"])
    for method, path, operation in operations(spec):
        summary, description = operation.get("summary", ""), operation.get("description", "")
        assert summary and description, (method, path)
        # Even a Chinese client gets English documentation (labels in examples aside).
        assert not CJK.search(summary + description), (method, path)
        assert operation["operationId"] and operation["tags"], (method, path)


def test_writes_document_their_conflict_and_validation_answers(spec):
    for method, path, operation in operations(spec):
        if method in ("post", "patch"):
            assert {"409", "422"} <= set(operation["responses"]), (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


@pytest.mark.django_db
def test_the_docs_page_uses_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    assert "//cdn" not in html and "https://" not in html
