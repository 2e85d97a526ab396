"""Every write to the security log, and the one way to reveal masked personal data.

Views, the API, the command line and signal receivers call these. The client address and browser
come from the request when one is given, else from the request context that
`RequestContextMiddleware` sets (none at the command line).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gecrm.core.changes import current_ip, current_user_agent
from gecrm.core.http import client_ip
from gecrm.core.middleware import user_agent

from .masking import can_view_personal_data, personal_fields
from .models import AuditEvent

Kind = AuditEvent.Kind


def record_event(
    kind: str,
    *,
    actor=None,
    username: str = "",
    request=None,
    obj=None,
    details: dict | None = None,
    source: str = "",
) -> AuditEvent:
    """Append one event. `username` defaults to the actor's; pass it for a failed login."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # AnonymousUser
    if request is not None:
        ip, agent = client_ip(request), user_agent(request)
    else:
        ip, agent = current_ip.get(), current_user_agent.get()
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        username=(username or getattr(actor, "username", "") or "")[:150],
        ip=ip,
        user_agent=agent,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        details=details or {},
        source=source,
    )


def record_export(
    kind: str,
    *,
    actor=None,
    fmt: str,
    filters=None,
    rows: int,
    personal_data: str = "none",
    source: str = "",
    shape: str = "",
) -> AuditEvent:
    """An export: what (kind, format, shape — `import` or `report` — when the kind has both,
    filters), how many rows, and whether personal data in it was `clear`, `masked` or absent
    (`none`)."""
    if filters is not None and hasattr(filters, "lists"):
        filters = dict(filters.lists())
    details = {
        "kind": kind,
        "format": fmt,
        "filters": dict(filters or {}),
        "rows": rows,
        "personal_data": personal_data,
    }
    if shape:
        details["shape"] = shape
    return record_event(
        Kind.EXPORT,
        actor=actor,
        details=details,
        source=source,
    )


def do_reveal_personal_data(obj, *, actor, source: str = "web", reason: str = "") -> dict:
    """The clear personal values of `obj` ({field: value}) for a user allowed to see them.

    The caller has already checked that `obj` is in the actor's scope. Every call is logged as an
    `unmask` event naming the object and the fields revealed.
    """
    if not can_view_personal_data(actor):
        raise PermissionDenied(_("You are not allowed to view personal data."))
    fields = personal_fields(obj)
    values = {name: getattr(obj, name) for name in fields}
    details = {"fields": sorted(name for name, value in values.items() if value)}
    if reason:
        details["reason"] = reason
    record_event(Kind.UNMASK, actor=actor, obj=obj, details=details, source=source)
    return values
