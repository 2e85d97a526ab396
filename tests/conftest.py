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
def org(db, admin):
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A `serialized_rollback` test (the browser tests) ends by flushing the database, which
    takes the data the migrations loaded (regions, permissions) with it; Django restores them only
    when the next such test starts. Restore them as soon as the run goes on with any other test,
    so that no test depends on the order pytest-xdist happens to give the files."""
    yield

    def serialized(test):
        marker = test.get_closest_marker("django_db") if test else None
        return bool(marker and marker.kwargs.get("serialized_rollback"))

    # Without a next test the session's fixtures are gone too, the test database with them.
    if nextitem is None or not serialized(item) or serialized(nextitem):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
