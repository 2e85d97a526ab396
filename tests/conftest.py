import pytest

from gecrm.core import testing


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created with a password; PBKDF2 would make each one cost ~0.3 s."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_login_lockout(settings):
    """Django's test client logs in without a request, which django-axes refuses; and tests that
    sign in many times must not lock themselves out. tests/security turns lockout back on."""
    settings.AXES_ENABLED = False


@pytest.fixture
def admin(db):
    return testing.make_superuser()


@pytest.fixture
def regions(db):
    """The GB/T 2260 regions, loaded by a migration. A transactional test (the browser tests)
    flushes the database when it ends, and pytest-django runs tests without a `django_db` mark
    (using `db` through fixtures) after those: load them again when they are gone."""
    from gecrm.org.models import Region
    from gecrm.org.regions import load_regions

    if not Region.objects.exists():
        load_regions(Region)


@pytest.fixture
def org(regions, admin):
    return testing.build_org(actor=admin)


@pytest.fixture
def hq_tree(org, admin):
    """An HQ bank with branches in 深圳 (with a sub-branch) and 北京."""
    hq = testing.make_customer("C001", org["HQ"], name="中国示范银行", actor=admin, region="110000")
    sz = testing.make_customer(
        "C001.SZ", org["GD.SZ"], parent=hq, name="中国示范银行深圳分行", actor=admin
    )
    sub = testing.make_customer(
        "C001.SZ.1", org["GD.SZ"], parent=sz, name="中国示范银行深圳南山支行", actor=admin
    )
    bj = testing.make_customer(
        "C001.BJ", org["BJ"], parent=hq, name="中国示范银行北京分行", actor=admin, region="110000"
    )
    return {"hq": hq, "sz": sz, "sub": sub, "bj": bj}
