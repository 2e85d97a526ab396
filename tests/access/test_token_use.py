"""API token bookkeeping never turns a read into a failing write: `last_used_at` is written at
most once per `LAST_USED_RESOLUTION` per token, with one conditional UPDATE, and skipped when the
database is busy (on SQLite a long import holds the write lock; a read must not wait for it and
answer 500). The SQLite settings carry a busy timeout and IMMEDIATE transactions."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gecrm.access.models import LAST_USED_RESOLUTION, ApiToken
from gecrm.core import testing


def get(raw, path="/api/v1/products"):
    return Client().get(path, headers={"Authorization": f"Bearer {raw}"})


def updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]


@pytest.fixture
def token(db):
    return ApiToken.issue(testing.make_superuser())


def test_the_resolution_is_minutes_not_every_request():
    assert timedelta(minutes=5) <= LAST_USED_RESOLUTION


def test_two_reads_within_the_window_write_once(token):
    obj, raw = token
    with CaptureQueriesContext(connection) as first:
        assert get(raw).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert get(raw).status_code == 200
    assert len(updates(first.captured_queries)) == 1
    assert updates(second.captured_queries) == []
    obj.refresh_from_db()
    assert obj.last_used_at is not None


def test_after_the_window_the_use_is_recorded_again(token):
    obj, raw = token
    assert get(raw).status_code == 200
    old = timezone.now() - LAST_USED_RESOLUTION - timedelta(seconds=1)
    ApiToken.objects.filter(pk=obj.pk).update(last_used_at=old)
    with CaptureQueriesContext(connection) as ctx:
        assert get(raw).status_code == 200
    assert len(updates(ctx.captured_queries)) == 1
    obj.refresh_from_db()
    assert obj.last_used_at > old


def test_the_update_is_conditional_so_a_concurrent_request_does_not_write_again(token):
    """Two requests that both read the old value: the second UPDATE matches no row."""
    obj, _raw = token
    stale = ApiToken.objects.get(pk=obj.pk)  # read before the other request wrote
    now = timezone.now()
    assert ApiToken.objects.get(pk=obj.pk).record_use(now) is True
    assert stale.record_use(now + timedelta(seconds=1)) is False
    obj.refresh_from_db()
    assert obj.last_used_at == now


def test_a_busy_database_does_not_fail_the_read(token, monkeypatch):
    """ "database is locked" while recording the use: the request still answers 200."""
    obj, raw = token
    real_update = QuerySet.update

    def locked(self, **kwargs):
        if self.model is ApiToken and "last_used_at" in kwargs:
            raise OperationalError("database is locked")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", locked)
    response = get(raw)
    assert response.status_code == 200, response.content
    obj.refresh_from_db()
    assert obj.last_used_at is None
    # And the connection is still usable (the failed write left no broken transaction).
    assert get(raw, "/api/v1/org-units").status_code == 200


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_sqlite_waits_for_locks_instead_of_failing():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["timeout"] >= 20
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite busy timeout")
def test_the_busy_timeout_is_restored_after_recording_a_use(token):
    _obj, raw = token
    assert get(raw).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (timeout_ms,) = cursor.fetchone()
    assert timeout_ms == settings.DATABASES["default"]["OPTIONS"]["timeout"] * 1000
