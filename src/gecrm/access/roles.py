"""Actions for roles: a staff member's posts and the Django permissions of a login.

Posts decide data scope (`scopes.py`); permissions decide rights such as seeing personal data.
Both are granted by administrators only, in one transaction, and written to the change log.
"""

from django.contrib.auth.models import Permission
from django.db import transaction

from gecrm.core.changes import log_change
from gecrm.core.models import ObjectChange
from gecrm.org.actions import do_update_staff

from .scopes import forget_grant

# Permissions of these apps are offered in the role administration (Django's own are not).
GECRM_APP_PREFIX = "gecrm."


def gecrm_permissions():
    """Every permission of a gecrm app, whichever apps are installed (one query)."""
    from django.apps import apps

    labels = [app.label for app in apps.get_app_configs() if app.name.startswith(GECRM_APP_PREFIX)]
    return (
        Permission.objects.filter(content_type__app_label__in=labels)
        .select_related("content_type")
        .order_by("content_type__app_label", "content_type__model", "codename")
    )


def permission_key(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def do_set_roles(
    staff,
    *,
    posts: list[str],
    permissions: list[Permission],
    expected_version: int,
    actor,
    source: str = "web",
) -> dict:
    """Set a staff member's posts (versioned: a stale edit raises StaleObjectError) and the
    gecrm permissions held directly by their login. Returns what changed."""
    user = staff.user
    with transaction.atomic():
        changed = do_update_staff(
            staff,
            {"posts": list(posts)},
            expected_version=expected_version,
            actor=actor,
            source=source,
        )
        offered = set(gecrm_permissions())
        held = {p for p in user.user_permissions.all() if p in offered}
        wanted = set(permissions) & offered
        if held != wanted:
            user.user_permissions.remove(*(held - wanted))
            user.user_permissions.add(*(wanted - held))
            before = sorted(permission_key(p) for p in held)
            after = sorted(permission_key(p) for p in wanted)
            log_change(
                staff,
                ObjectChange.Action.UPDATE,
                {"permissions": [before, after]},
                actor=actor,
                source=source,
            )
            changed["permissions"] = [before, after]
    # Django caches permissions on the user object; our scope cache too.
    for attr in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(attr, None)
    forget_grant(user)
    return changed
