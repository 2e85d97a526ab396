"""core.notify: in-app notifications on commit, e-mail only when configured, never fatal."""

import pytest
from django.core import mail

from gecrm.core import notify as notify_module
from gecrm.core.models import Notification
from gecrm.core.notify import notify
from gecrm.core.testing import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, admin):
    a = make_staff("n_a", org["GD"], actor=admin).user
    b = make_staff("n_b", org["GD"], actor=admin).user
    b.email = ""
    b.save()
    b.staff.email = ""
    b.staff.save()
    return a, b


def test_rows_on_commit_for_everyone_but_the_actor(
    people, admin, django_capture_on_commit_callbacks
):
    a, b = people
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([a, b.pk, admin], "hello", "/teams/1/", actor=admin)
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    rows = Notification.objects.order_by("recipient_id")
    assert [(n.recipient, n.actor, n.message, n.url) for n in rows] == [
        (a, admin, "hello", "/teams/1/"),
        (b, admin, "hello", "/teams/1/"),
    ]


def test_email_goes_to_recipients_with_an_address_when_on(
    people, admin, settings, django_capture_on_commit_callbacks
):
    settings.GECRM_NOTIFY_EMAIL = True
    settings.GECRM_SITE_URL = "https://crm.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify(people, "团队笔记", "/teams/1/", actor=admin)
    assert [m.to for m in mail.outbox] == [["n_a@example.cn"]]
    assert "https://crm.example.cn/teams/1/" in mail.outbox[0].body


def test_a_broken_mail_server_does_not_break_the_action(
    people, admin, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.GECRM_NOTIFY_EMAIL = True

    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(notify_module, "get_connection", broken)
    with django_capture_on_commit_callbacks(execute=True):
        notify(people, "x", "", actor=admin)
    assert Notification.objects.count() == 2 and mail.outbox == []


def test_nobody_to_notify_is_fine(people, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify([admin], "x", actor=admin)
    assert callbacks == [] and not Notification.objects.exists()
