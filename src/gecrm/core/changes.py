"""Optimistic locking and change logging for business objects.

Every action that creates, edits or deletes a business object calls one of these, so the change
log and the version check live in one place.
"""

import contextvars
import datetime
import decimal
import re
from collections import defaultdict

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from .exceptions import StaleObjectError
from .models import ObjectChange

# Set by `RequestContextMiddleware` for web and API requests; CLI and jobs leave it empty.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)
current_user_agent: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_user_agent", default=""
)


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def loggable_fields(model) -> list[models.Field]:
    exclude = set(getattr(model, "log_exclude_fields", ()))
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in exclude]


def snapshot(obj) -> dict:
    """The loggable field values of `obj`, JSON-ready (foreign keys as their raw id)."""
    return {f.name: _plain(getattr(obj, f.attname)) for f in loggable_fields(type(obj))}


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def object_type(obj_or_model) -> str:
    return obj_or_model._meta.label_lower


def log_change(obj, action: str, changes: dict, *, actor=None, source: str = "") -> ObjectChange:
    return ObjectChange.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "",
        ip=current_ip.get(),
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=changes,
        source=source,
    )


def bulk_log_changes(entries: list[ObjectChange]) -> None:
    ip = current_ip.get()
    for entry in entries:
        entry.ip = ip
    ObjectChange.objects.bulk_create(entries, batch_size=2000)


def create_logged(obj, *, actor=None, source: str = ""):
    """Validate and insert `obj`, logging every field as created."""
    obj.full_clean()
    with transaction.atomic():
        obj.save(force_insert=True)
        log_change(
            obj, ObjectChange.Action.CREATE, diff({}, snapshot(obj)), actor=actor, source=source
        )
    return obj


def update_versioned(obj, changes: dict, *, expected_version: int, actor=None, source: str = ""):
    """Apply `changes` to `obj` if nobody else changed it since `expected_version`.

    Validates with `full_clean`, then writes with one conditional UPDATE; a lost race raises
    `StaleObjectError` and writes nothing. Returns the dict of fields that actually changed.
    """
    before = snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    after = snapshot(obj)
    changed = diff(before, after)
    model = type(obj)
    with transaction.atomic():
        values = {
            f.attname: getattr(obj, f.attname)
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in ("created_at", "updated_at", "version")
        }
        now = timezone.now()
        updated = model._base_manager.filter(pk=obj.pk, version=expected_version).update(
            **values, version=F("version") + 1, updated_at=now
        )
        if not updated:
            raise StaleObjectError(obj)
        obj.version = expected_version + 1
        obj.updated_at = now
        if changed:
            log_change(obj, ObjectChange.Action.UPDATE, changed, actor=actor, source=source)
    return changed


def delete_logged(obj, *, expected_version: int | None = None, actor=None, source: str = ""):
    model = type(obj)
    with transaction.atomic():
        if (
            expected_version is not None
            and not model._base_manager.filter(pk=obj.pk, version=expected_version).exists()
        ):
            raise StaleObjectError(obj)
        entry_obj_pk = obj.pk
        gone = {k: [v, None] for k, v in snapshot(obj).items() if v not in (None, "")}
        log_change(obj, ObjectChange.Action.DELETE, gone, actor=actor, source=source)
        obj.delete()
        obj.pk = entry_obj_pk


# How some models used to name themselves in the log: their ids joined by colons (`1:None:None`).
ID_ONLY_REPR = re.compile(r"^(\d+|None)(:[^:]*)+$")


def describe_entries(entries, user=None) -> list[ObjectChange]:
    """Set `label` (the object's name today, else the name logged with the change) and
    `type_label` (its model's verbose name) on each entry, for pages listing changes.

    With `user`, today's names are read through `restrict(user, "view")` (models without a
    restricted manager keep their logged name), so a renamed object out of the user's scope
    shows no new name.

    One query per model among the entries (a model may name the relations its `__str__` reads
    in `str_related`; by default its foreign keys are joined). An entry whose object is gone and
    whose logged name is only ids says "<model> #<id>" instead.
    """
    entries = list(entries)
    wanted = defaultdict(set)
    models_by_type = {}
    for entry in entries:
        try:
            model = models_by_type.setdefault(entry.object_type, apps.get_model(entry.object_type))
        except (LookupError, ValueError):
            continue
        try:
            wanted[entry.object_type].add(model._meta.pk.to_python(entry.object_id))
        except ValidationError:
            continue
    names = {}
    for object_type, ids in wanted.items():
        model = models_by_type[object_type]
        related = getattr(model, "str_related", None)
        if related is None:
            related = [f.name for f in model._meta.concrete_fields if f.is_relation]
        if user is None or user.is_superuser:
            objects = model._base_manager.all()
        elif hasattr(model._default_manager, "restrict"):
            objects = model._default_manager.restrict(user, "view")
        else:
            continue
        for pk, obj in objects.select_related(*related).in_bulk(ids).items():
            names[(object_type, str(pk))] = str(obj)
    for entry in entries:
        model = models_by_type.get(entry.object_type)
        entry.type_label = model._meta.verbose_name if model else ""
        label = names.get((entry.object_type, entry.object_id))
        if label is None:
            label = entry.object_repr
            if model is not None and (not label or ID_ONLY_REPR.match(label)):
                label = f"{entry.type_label} #{entry.object_id}"
        entry.label = label
    return entries
