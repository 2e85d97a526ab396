import pytest

from gecrm.core.testing import make_staff


@pytest.fixture
def lockout(settings):
    """django-axes on (tests/conftest.py turns it off elsewhere), with explicit limits."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    return settings


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def am(org, admin):
    return make_staff("gd_sz_am01", org["GD.SZ"], posts=("am",), actor=admin).user


@pytest.fixture
def am2(org, admin):
    return make_staff("gd_sz_am02", org["GD.SZ"], posts=("am",), actor=admin).user
