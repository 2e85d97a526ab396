"""Log entries cannot be edited or deleted through the application."""

import pytest
from django.contrib import admin as django_admin
from django.test import RequestFactory
from django.urls import get_resolver

from gecrm.audit.actions import Kind, record_event
from gecrm.audit.models import AuditEvent
from gecrm.core.exceptions import ImmutableRecordError
from gecrm.core.models import ObjectChange


@pytest.fixture
def entries(hq_tree, admin):
    event = record_event(Kind.EXPORT, actor=admin, details={"rows": 1})
    change = ObjectChange.objects.filter(object_type="customers.customer").first()
    return change, event


def test_saving_an_existing_entry_raises(entries):
    for entry in entries:
        entry.source = "forged"
        with pytest.raises(ImmutableRecordError):
            entry.save()


def test_deleting_an_entry_raises(entries):
    for entry in entries:
        with pytest.raises(ImmutableRecordError):
            entry.delete()
        model = type(entry)
        with pytest.raises(ImmutableRecordError):
            model.objects.filter(pk=entry.pk).delete()
        with pytest.raises(ImmutableRecordError):
            model.objects.filter(pk=entry.pk).update(source="forged")
        with pytest.raises(ImmutableRecordError):
            model.objects.update(source="forged")
        assert model.objects.filter(pk=entry.pk).exists()


def test_deleting_a_user_keeps_the_entries_with_the_name(entries, admin):
    change, event = entries
    admin.delete()
    change = ObjectChange.objects.get(pk=change.pk)
    event = AuditEvent.objects.get(pk=event.pk)
    assert change.actor is None and change.actor_name == "admin"
    assert event.actor is None and event.username == "admin"


@pytest.mark.parametrize("model", [ObjectChange, AuditEvent])
def test_the_admin_cannot_add_change_or_delete(model, admin):
    model_admin = django_admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = admin
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_change_page_is_read_only(client, admin, entries):
    client.force_login(admin)
    change, event = entries
    for entry in (change, event):
        label = entry._meta.label_lower.replace(".", "/")
        url = f"/admin/{label}/{entry.pk}/change/"
        assert client.get(url).status_code == 200
        response = client.post(url, {"source": "forged"})
        assert response.status_code == 403
        response = client.post(f"/admin/{label}/{entry.pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
        assert type(entry).objects.get(pk=entry.pk).source != "forged"


def test_no_url_of_the_audit_app_edits_entries():
    audit = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "audit")
    names = {p.name for p in audit.url_patterns}
    assert names == {"changes", "events", "export", "reveal"}
