"""The shared kernel's models: base classes for business objects and the change log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .exceptions import ImmutableRecordError
from .querysets import RestrictedQuerySet

PATH_SEPARATOR = "/"


class BaseModel(models.Model):
    """A business object: timestamps and a version counter for optimistic locking.

    Writes go through `gecrm.core.versioning.update_versioned`, which bumps `version` with a
    conditional UPDATE so that a stale edit changes nothing and raises `StaleObjectError`.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    # Fields left out of change logs and exports.
    log_exclude_fields: tuple[str, ...] = ("created_at", "updated_at", "version", "path", "depth")


class TreeModel(BaseModel):
    """A node of a tree stored with a materialised path of codes.

    `path` is `/root/child/.../self/`; a subtree is one indexed prefix scan
    (`path LIKE '/a/b/%'`), which every data-scope query relies on. Codes never contain `/`.
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=1024, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.name} ({self.code})"

    @staticmethod
    def make_path(parent_path: str | None, code: str) -> str:
        return f"{parent_path or PATH_SEPARATOR}{code}{PATH_SEPARATOR}"

    @property
    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split(PATH_SEPARATOR) if c][:-1]

    def ancestors(self):
        return type(self).objects.filter(code__in=self.ancestor_codes).order_by("depth")

    def descendants(self, include_self=True):
        qs = type(self).objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_ancestor_of(self, other) -> bool:
        return other.path.startswith(self.path)


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are inserted, never changed: bulk updates and deletes through the ORM raise.

    (Deleting a user still sets `actor` to NULL: Django's collector writes that through the
    plain base manager, and the entry keeps the actor's name.)
    """

    def update(self, **kwargs):
        raise ImmutableRecordError()

    def delete(self):
        raise ImmutableRecordError()

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableRecordError()


class AppendOnlyModel(models.Model):
    """A log entry: written once, then never edited or deleted through the application."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(self)


class ObjectChange(AppendOnlyModel):
    """One create, update or delete of a business object: who, when, from where, what changed."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict)  # {field: [before, after]}
    source = models.CharField(_("source"), max_length=40, blank=True)  # web, api, import, cli…

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-time"])]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class Notification(models.Model):
    """A message to one user, shown in the app (and e-mailed where configured): a team note, a
    handover, later a ticket. `read_at` is set when the recipient opens or dismisses it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.message
