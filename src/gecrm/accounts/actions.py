"""Every write to account assignments: views, API, CLI and imports call these."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gecrm.access.scopes import forget_grant
from gecrm.core.changes import create_logged, update_versioned

from .models import Assignment, RolloutTarget, active_on_q
from .signals import assignments_changed


def announce_change(since: datetime.date) -> None:
    """Send `assignments_changed(since)` once the current transaction commits (KPI recompute)."""
    transaction.on_commit(lambda: assignments_changed.send(sender=Assignment, since=since))


def do_assign(
    customer,
    user,
    role: str,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    actor,
    source: str = "web",
) -> Assignment:
    """Assign `user` to `customer` in `role` from `start` (today by default)."""
    start = start or timezone.localdate()
    with transaction.atomic():
        if not hasattr(user, "staff"):
            raise ValidationError({"user": _("Only members of staff can be assigned.")})
        duplicate = Assignment.objects.filter(customer=customer, user=user, role=role)
        if duplicate.filter(active_on_q(start)).exists():
            raise ValidationError(
                {"role": _("This person already holds this role for this customer.")}
            )
        assignment = create_logged(
            Assignment(customer=customer, user=user, role=role, start=start, end=end),
            actor=actor,
            source=source,
        )
        announce_change(start)
    forget_grant(user)
    return assignment


def do_end_assignment(
    assignment: Assignment,
    *,
    end: datetime.date | None = None,
    expected_version: int | None = None,
    actor,
    source: str = "web",
) -> dict:
    """Close an assignment on `end` (today by default); the row stays as history."""
    end = end or timezone.localdate()
    previous_end = assignment.end
    changed = update_versioned(
        assignment,
        {"end": end},
        expected_version=assignment.version if expected_version is None else expected_version,
        actor=actor,
        source=source,
    )
    if changed:
        announce_change(min(end, previous_end) if previous_end else end)
    forget_grant(assignment.user)
    return changed


# ---------------------------------------------------------------- rollout targets

ROLLOUT_TARGET_FIELDS = (
    "covered_customers",
    "provinces",
    "prefectures",
    "aligned_provinces",
    "aligned_prefectures",
)


def do_create_rollout_target(year: int, fields: dict, *, actor, source: str = "web"):
    """Store a year's rollout targets (until then the seed's defaults apply)."""
    unknown = set(fields) - set(ROLLOUT_TARGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown rollout target fields: {sorted(unknown)}")
    with transaction.atomic():
        return create_logged(RolloutTarget(year=year, **fields), actor=actor, source=source)


def do_update_rollout_target(
    target, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    """Edit a year's rollout targets; a stale `expected_version` raises StaleObjectError."""
    unknown = set(changes) - set(ROLLOUT_TARGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown rollout target fields: {sorted(unknown)}")
    with transaction.atomic():
        return update_versioned(
            target, changes, expected_version=expected_version, actor=actor, source=source
        )
