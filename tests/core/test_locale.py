"""Chinese first: pages are zh-hans unless the user switched; API clients may ask by header."""

import pytest


@pytest.mark.django_db
def test_pages_are_chinese_even_for_an_english_browser(client):
    response = client.get("/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switcher_choice_wins(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    response = client.get("/login/", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_api_clients_choose_the_language_by_header(client):
    english = client.get("/api/v1/customers", headers={"Accept-Language": "en"})
    chinese = client.get("/api/v1/customers")
    assert english.status_code == chinese.status_code == 401
    assert english.headers["Content-Language"] == "en"
    assert chinese.headers["Content-Language"] == "zh-hans"
