"""Chinese first: pages are zh-hans unless the user switched; API clients may ask by header."""

import os
import subprocess
import sys

import pytest

from gecrm.cli import cli_language


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


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8", "GECRM_LANGUAGE": "en"}, "en"),
    ],
)
def test_the_command_line_speaks_the_language_of_the_locale(environ, language):
    assert cli_language(environ) == language


def test_the_console_script_answers_in_chinese_under_a_chinese_locale(tmp_path):
    env = {**os.environ, "LANG": "zh_CN.UTF-8", "GECRM_VAR_DIR": str(tmp_path)}
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    env.pop("GECRM_LANGUAGE", None)
    result = subprocess.run(
        [sys.executable, "-m", "gecrm.cli", "import", "customers", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "文件不存在" in result.stderr
