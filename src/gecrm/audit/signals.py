"""Receivers that turn Django's authentication signals and the exporter's signal into events."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gecrm.core.exporting import export_started

from .actions import Kind, record_event, record_export


def _source(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    return "api" if path.startswith("/api/") else "web"


@receiver(user_logged_in, dispatch_uid="audit_login")
def log_login(sender, request, user, **kwargs):
    record_event(Kind.LOGIN, actor=user, request=request, source=_source(request))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def log_logout(sender, request, user, **kwargs):
    if user is None or not getattr(user, "pk", None):
        return  # logging out without a session changes nothing worth recording
    record_event(Kind.LOGOUT, actor=user, request=request, source=_source(request))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    # Only the name as typed: Django has already replaced the password by asterisks, and it is
    # not recorded even so.
    username = str((credentials or {}).get("username") or "")
    record_event(
        Kind.LOGIN_FAILED,
        username=username,
        request=request,
        source=_source(request) if request is not None else "cli",
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def log_locked_out(sender, request, username, ip_address, **kwargs):
    # The failure that crossed the limit is a failed login too; this marks the lockout itself.
    record_event(
        Kind.LOCKED_OUT,
        username=str(username or ""),
        request=request,
        source=_source(request) if request is not None else "cli",
    )


@receiver(export_started, dispatch_uid="audit_export")
def log_export(sender, kind, user, fmt, filters, rows, personal_data, source, **kwargs):
    record_export(
        kind,
        actor=user,
        fmt=fmt,
        shape=kwargs.get("shape", ""),
        filters=filters,
        rows=rows,
        personal_data=personal_data,
        source=source,
    )
