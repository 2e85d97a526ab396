"""Every write to API tokens: issue and revoke, both recorded in the change log."""

from django.db import transaction
from django.utils import timezone

from gecrm.audit.actions import Kind, record_event
from gecrm.core.changes import log_change
from gecrm.core.models import ObjectChange

from .models import ApiToken


def do_issue_api_token(
    user, *, description: str = "", expires_at=None, actor=None, source: str = "cli"
) -> tuple[ApiToken, str]:
    """A new token for `user`; the raw token is returned once and never stored."""
    with transaction.atomic():
        token, raw = ApiToken.issue(user, description=description, expires_at=expires_at)
        expiry = expires_at.isoformat() if expires_at else None
        log_change(
            token,
            ObjectChange.Action.CREATE,
            {
                "user": [None, user.username],
                "prefix": [None, token.prefix],
                "expires_at": [None, expiry],
            },
            actor=actor,
            source=source,
        )
        record_event(
            Kind.TOKEN_CREATED,
            actor=actor,
            obj=token,
            details={"user": user.username, "prefix": token.prefix, "expires_at": expiry},
            source=source,
        )
    return token, raw


def do_revoke_api_tokens(tokens, *, actor=None, source: str = "cli") -> int:
    """Revoke every still-active token in `tokens` (a queryset); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        active = list(
            tokens.filter(revoked_at__isnull=True).select_related("user").select_for_update()
        )
        for token in active:
            log_change(
                token,
                ObjectChange.Action.UPDATE,
                {"revoked_at": [None, now.isoformat()]},
                actor=actor,
                source=source,
            )
            record_event(
                Kind.TOKEN_REVOKED,
                actor=actor,
                obj=token,
                details={"user": token.user.username, "prefix": token.prefix},
                source=source,
            )
        ApiToken.objects.filter(pk__in=[t.pk for t in active]).update(revoked_at=now)
    return len(active)
