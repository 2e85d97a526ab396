"""Security events: logins, logouts, failed logins, API tokens, exports and reveals of personal
data. Changes of business objects are in the change log (`gecrm.core.models.ObjectChange`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gecrm.core.models import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    """One security-relevant event: who, when, from where, what it concerned. Never edited."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("login")
        LOGOUT = "logout", _("logout")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOCKED_OUT = "locked_out", _("sign-in locked")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        EXPORT = "export", _("export")
        UNMASK = "unmask", _("personal data revealed")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The actor's username, or for a failed login the name as typed (it may name nobody).
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True)  # web, api, cli…

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["kind", "-time"], name="auditevent_kind_time"),
            models.Index(fields=["username", "-time"], name="auditevent_user_time"),
            models.Index(fields=["object_type", "object_id"], name="auditevent_object"),
        ]
        # No add/change/delete permissions: events are written by the application only.
        default_permissions = ()
        permissions = [
            ("view_auditlog", _("Can view the audit log")),
            ("view_personal_data", _("Can view personal data (phone, e-mail, ID numbers)")),
        ]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.kind}"
