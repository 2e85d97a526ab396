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


# ------------------------------------------------------------------------ pilot programmes
# Every write of programmes, phases, targets and pilot customers (web, `gecrm import pilots`,
# demo): one transaction each, change-logged, versions checked.

PROGRAM_FIELDS = ("code", "name", "description", "start", "end")
PHASE_FIELDS = ("number", "name", "start", "end")
PROGRAM_TARGET_FIELDS = (
    "phase",
    "org_unit",
    "customers",
    "revenue_growth",
    "ict_penetration",
    "beat_industry",
)


def _only(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _check_pilot_units(units) -> None:
    if any(unit.kind not in ("group", "province", "prefecture", "district") for unit in units):
        raise ValidationError(
            {"units": _("Pilot units are org units of the group, a province or a prefecture.")}
        )


def _log_units(program, before: list[str], after: list[str], *, actor, source: str) -> None:
    from gecrm.core.changes import log_change
    from gecrm.core.models import ObjectChange

    if sorted(before) != sorted(after):
        log_change(
            program,
            ObjectChange.Action.UPDATE,
            {"units": [sorted(before), sorted(after)]},
            actor=actor,
            source=source,
        )


def do_create_program(fields: dict, *, units=(), actor, source: str = "web"):
    """Create a pilot programme (code, name, description, dates) with its pilot units."""
    from .models import Program

    _only(fields, PROGRAM_FIELDS)
    units = list(units)
    _check_pilot_units(units)
    with transaction.atomic():
        program = create_logged(Program(**fields), actor=actor, source=source)
        if units:
            program.units.set(units)
            _log_units(program, [], [u.code for u in units], actor=actor, source=source)
    return program


def do_update_program(
    program, changes: dict, *, units=None, expected_version: int, actor, source: str = "web"
) -> dict:
    """Edit a programme and (when `units` is given) its pilot units; stale → StaleObjectError."""
    _only(changes, PROGRAM_FIELDS)
    with transaction.atomic():
        changed = update_versioned(
            program, changes, expected_version=expected_version, actor=actor, source=source
        )
        if units is not None:
            units = list(units)
            _check_pilot_units(units)
            before = list(program.units.values_list("code", flat=True))
            after = [u.code for u in units]
            if sorted(before) != sorted(after):
                program.units.set(units)
                _log_units(program, before, after, actor=actor, source=source)
                changed["units"] = [sorted(before), sorted(after)]
    return changed


def do_add_phase(program, fields: dict, *, actor, source: str = "web"):
    """Add a phase (batch) to a programme; its number must be new in the programme."""
    from .models import Phase

    _only(fields, PHASE_FIELDS)
    with transaction.atomic():
        if program.phases.filter(number=fields.get("number")).exists():
            raise ValidationError(
                {"number": _("This programme already has a phase with this number.")}
            )
        return create_logged(Phase(program=program, **fields), actor=actor, source=source)


def do_update_phase(phase, changes: dict, *, expected_version: int, actor, source: str = "web"):
    _only(changes, PHASE_FIELDS)
    with transaction.atomic():
        number = changes.get("number", phase.number)
        if (
            number != phase.number
            and phase.program.phases.filter(number=number).exclude(pk=phase.pk).exists()
        ):
            raise ValidationError(
                {"number": _("This programme already has a phase with this number.")}
            )
        return update_versioned(
            phase, changes, expected_version=expected_version, actor=actor, source=source
        )


def do_set_program_target(program, fields: dict, *, actor, source: str = "web"):
    """Add a target for the programme, one of its phases and/or one of its pilot units."""
    from .models import ProgramTarget

    _only(fields, PROGRAM_TARGET_FIELDS)
    with transaction.atomic():
        target = ProgramTarget(program=program, **fields)
        _check_target_subject(program, target)
        return create_logged(target, actor=actor, source=source)


def do_update_program_target(
    target, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    _only(changes, PROGRAM_TARGET_FIELDS)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(target, name, value)
        _check_target_subject(target.program, target)
        return update_versioned(
            target, changes, expected_version=expected_version, actor=actor, source=source
        )


def do_delete_program_target(target, *, expected_version: int, actor, source: str = "web"):
    from gecrm.core.changes import delete_logged

    with transaction.atomic():
        delete_logged(target, expected_version=expected_version, actor=actor, source=source)


def _check_target_subject(program, target) -> None:
    """A target's unit is one of the programme's pilot units; one target per subject."""
    from .models import ProgramTarget

    if target.org_unit_id and not program.units.filter(pk=target.org_unit_id).exists():
        raise ValidationError({"org_unit": _("Choose one of the programme's pilot units.")})
    same = ProgramTarget.objects.filter(
        program=program, phase_id=target.phase_id, org_unit_id=target.org_unit_id
    ).exclude(pk=target.pk)
    if same.exists():
        raise ValidationError(
            {"phase": _("There is already a target for this phase and pilot unit: edit it.")}
        )


def do_add_pilot_customer(program, customer, org_unit, *, phase=None, actor, source: str = "web"):
    """Add an HQ customer to a programme with its responsible sales organisation (the group or
    a province) and optionally its phase."""
    from .models import PilotCustomer

    with transaction.atomic():
        if PilotCustomer.objects.filter(program=program, customer=customer).exists():
            raise ValidationError(
                {"customer": _("This customer is already a pilot customer of the programme.")}
            )
        pilot = PilotCustomer(program=program, customer=customer, org_unit=org_unit, phase=phase)
        return create_logged(pilot, actor=actor, source=source)


def do_update_pilot_customer(
    pilot, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    """Change a pilot customer's responsible org unit and/or phase."""
    _only(changes, ("org_unit", "phase"))
    with transaction.atomic():
        return update_versioned(
            pilot, changes, expected_version=expected_version, actor=actor, source=source
        )


def do_remove_pilot_customer(pilot, *, expected_version: int, actor, source: str = "web"):
    """Take a customer out of a programme (the change log keeps that it was in)."""
    from gecrm.core.changes import delete_logged

    with transaction.atomic():
        delete_logged(pilot, expected_version=expected_version, actor=actor, source=source)
