"""Production settings pass `gecrm check --deploy`; bad security settings stop start-up."""

import os
import secrets
import subprocess
import sys

import pytest

PRODUCTION = {
    "GECRM_ENV": "production",
    "GECRM_SECRET_KEY": secrets.token_urlsafe(64),
    "GECRM_ALLOWED_HOSTS": "crm.example.cn",
    "GECRM_DEBUG": "false",
}


def gecrm(*args, env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GECRM_", "DJANGO_SETTINGS_MODULE"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "gecrm.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_values(names, env) -> dict[str, str]:
    code = "from django.conf import settings; " + "; ".join(
        f"print({name!r}, repr(settings.{name}))" for name in names
    )
    result = gecrm("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.strip().splitlines()[-len(names) :])


def test_check_deploy_is_clean_in_production():
    result = gecrm("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_check_deploy_warns_about_development_settings():
    """The check has teeth: the development defaults are not fit for deployment."""
    result = gecrm("check", "--deploy", "--fail-level", "WARNING", env={})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


def test_production_uses_https_only_settings():
    values = settings_values(
        [
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "DEBUG",
            "WHITENOISE_USE_FINDERS",
        ],
        PRODUCTION,
    )
    assert values == {
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "DEBUG": "False",
        "WHITENOISE_USE_FINDERS": "False",
    }


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "GECRM_SECRET_KEY"}
    result = gecrm("check", env=env)
    assert result.returncode != 0
    assert "GECRM_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GECRM_LOCKOUT_FAILURES", "five"),
        ("GECRM_LOCKOUT_FAILURES", "0"),
        ("GECRM_LOCKOUT_MINUTES", "15m"),
        ("GECRM_SESSION_AGE", "8h"),
        ("GECRM_SESSION_IDLE_MINUTES", "-1"),
        ("GECRM_TRUSTED_PROXIES", "yes"),
        ("GECRM_HSTS_SECONDS", "a year"),
        ("GECRM_SESSION_EXPIRE_AT_BROWSER_CLOSE", "maybe"),
        ("GECRM_ENV", "prod"),
        ("GECRM_CONN_MAX_AGE", "1m"),
        ("GECRM_MAX_UPLOAD_BYTES", "200MB"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = gecrm("check", env={**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_limits_come_from_the_environment():
    env = {"GECRM_LOCKOUT_FAILURES": "8", "GECRM_LOCKOUT_MINUTES": "30"}
    values = settings_values(["AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME"], env)
    assert values == {
        "AXES_FAILURE_LIMIT": "8",
        "AXES_COOLOFF_TIME": "datetime.timedelta(seconds=1800)",
    }
