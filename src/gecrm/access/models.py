"""API tokens (stored hashed). Roles and data scope rules join this app later."""

import contextlib
import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "gecrm_"
# `last_used_at` is written at most this often, so that reads do not each write a row: an API
# read is a write only once per token in this window (README, "API tokens").
LAST_USED_RESOLUTION = timedelta(minutes=5)

logger = logging.getLogger(__name__)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=14)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, *, description: str = "", expires_at=None) -> tuple["ApiToken", str]:
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=hash_token(raw),
            prefix=raw[:14],
            description=description,
            expires_at=expires_at,
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str):
        """The active user for `raw`, or None when unknown, revoked or expired."""
        token = cls.objects.select_related("user").filter(key_hash=hash_token(raw.strip())).first()
        now = timezone.now()
        if (
            token is None
            or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at <= now)
            or not token.user.is_active
        ):
            return None
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            token.record_use(now)
        return token.user

    def record_use(self, now) -> bool:
        """Set `last_used_at` unless another request did within `LAST_USED_RESOLUTION`.

        One conditional UPDATE, so concurrent requests of the same token write once. It is
        bookkeeping, not the request's purpose: when the database is busy with a writer (a long
        import on SQLite) it is skipped at once instead of waiting for the busy timeout and
        failing the read. Returns whether the row was written.
        """
        stale = models.Q(last_used_at__isnull=True) | models.Q(
            last_used_at__lte=now - LAST_USED_RESOLUTION
        )
        try:
            with _without_busy_wait(), transaction.atomic():
                written = type(self).objects.filter(stale, pk=self.pk).update(last_used_at=now)
        except OperationalError as exc:
            logger.info("API token %s: last use not recorded (%s)", self.prefix, exc)
            return False
        if written:
            self.last_used_at = now
        return bool(written)


@contextlib.contextmanager
def _without_busy_wait():
    """On SQLite, fail at once instead of waiting `OPTIONS["timeout"]` for a lock."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    timeout_ms = int(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
