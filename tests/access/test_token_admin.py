"""API tokens in the admin: read-only, revoked only through the logged action."""

from django.urls import reverse

from gecrm.access.actions import do_issue_api_token
from gecrm.access.models import ApiToken
from gecrm.audit.models import AuditEvent


def test_tokens_cannot_be_added_edited_or_deleted_in_the_admin(client, admin):
    token, _raw = do_issue_api_token(admin, actor=admin)
    client.force_login(admin)
    change = reverse("admin:access_apitoken_change", args=[token.pk])
    assert client.get(reverse("admin:access_apitoken_add")).status_code == 403
    assert (
        client.post(change, {"revoked_at_0": "2026-01-01", "revoked_at_1": "00:00"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:access_apitoken_delete", args=[token.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_admin_revokes_through_the_logged_action(client, admin):
    token, _raw = do_issue_api_token(admin, actor=admin)
    client.force_login(admin)
    response = client.post(
        reverse("admin:access_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(kind="token_revoked", actor=admin).count() == 1
