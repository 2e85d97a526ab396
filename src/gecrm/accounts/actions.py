"""Every write to account assignments, chief AM handovers, team notes and rollout targets:
views, API, CLI, imports and the demo call these.

Chief AM rules (首席客户经理制, DOMAIN.md §3), kept here for every caller:
- only a top-level (HQ) customer gets a chief account manager;
- only staff holding the `chief_am` post qualify;
- at any moment an HQ customer has at most one chief AM: a second assignment whose dates overlap
  another chief AM's is refused, and a change of chief AM is one handover
  (`do_handover_chief_am`) that ends the old assignment and starts the new one.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gecrm.access.creating import check_created, check_may_create
from gecrm.access.scopes import forget_grant
from gecrm.core.changes import create_logged, update_versioned
from gecrm.core.exceptions import StaleObjectError
from gecrm.core.notify import notify
from gecrm.customers.models import Customer
from gecrm.org.choices import Post
from gecrm.org.models import StaffPost

from .choices import Role
from .models import Assignment, RolloutTarget, TeamNote, active_on_q
from .signals import assignments_changed
from .teams import derive_team

ONE_DAY = datetime.timedelta(days=1)


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
    """Assign `user` to `customer` in `role` from `start` (today by default); the actor must
    be one who may edit the customer (`gecrm.access.creating`)."""
    start = start or timezone.localdate()
    check_may_create(Assignment, actor)
    with transaction.atomic():
        if not hasattr(user, "staff"):
            raise ValidationError({"user": _("Only members of staff can be assigned.")})
        if role == Role.CHIEF_AM:
            customer = _lock_hq(customer)
            _check_chief_am_post(user)
            _check_no_other_chief(customer, start, end)
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
        check_created(assignment, actor, blame="customer")
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


# ---------------------------------------------------------------------------- chief AMs


def holds_chief_am_post(user) -> bool:
    return StaffPost.objects.filter(staff__user_id=user.pk, post=Post.CHIEF_AM).exists()


def _check_chief_am_post(user) -> None:
    if not holds_chief_am_post(user):
        raise ValidationError(
            {
                "user": _(
                    "Only staff holding the chief account manager post can be chief account "
                    "manager: give them the post first."
                )
            }
        )


def _lock_hq(customer) -> Customer:
    """The customer re-read with a row lock (concurrent chief AM changes of one HQ queue up);
    refused unless it is a top-level (HQ) customer."""
    locked = Customer._base_manager.select_for_update().get(pk=customer.pk)
    if locked.parent_id is not None:
        raise ValidationError(
            {
                "customer": _(
                    "Only a headquarters customer has a chief account manager; a branch is served "
                    "by account managers. Assign the chief account manager to its headquarters."
                )
            }
        )
    return locked


def chief_am_overlap(customer_id, start, end, *, exclude_pk=None):
    """The chief AM assignment of the customer whose dates overlap [start, end], if any."""
    last = datetime.date.max
    overlapping = Assignment.objects.filter(
        customer_id=customer_id, role=Role.CHIEF_AM, start__lte=end or last
    ).exclude(end__lt=start)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    return overlapping.select_related("customer", "user__staff").order_by("start").first()


def _check_no_other_chief(customer, start, end, *, exclude_pk=None) -> None:
    other = chief_am_overlap(customer.pk, start, end, exclude_pk=exclude_pk)
    if other is not None:
        raise ValidationError({"start": overlap_message(other)})


def overlap_message(other: Assignment) -> str:
    staff = getattr(other.user, "staff", None)
    return _(
        "%(customer)s already has a chief account manager in that period: %(name)s from "
        "%(start)s. An HQ customer has one chief account manager at a time; hand over instead."
    ) % {
        "customer": other.customer.name,
        "name": staff.name if staff else other.user.username,
        "start": other.start.isoformat(),
    }


def current_chief_assignment(customer, day: datetime.date | None = None) -> Assignment | None:
    day = day or timezone.localdate()
    return (
        Assignment.objects.filter(active_on_q(day), customer_id=customer.pk, role=Role.CHIEF_AM)
        .select_related("user__staff")
        .order_by("start")
        .first()
    )


def do_handover_chief_am(
    customer,
    new_manager,
    *,
    on: datetime.date | None = None,
    expected: tuple[int | None, int | None] | None = None,
    actor,
    source: str = "web",
) -> Assignment:
    """Hand the HQ customer over to `new_manager` as chief AM from `on` (today by default): the
    current chief AM's assignment ends the day before, the new one starts on `on`; one
    transaction, with the HQ row locked.

    `expected` is the (id, version) of the chief AM assignment the caller saw ((None, None): none);
    if it changed since, nothing is written and StaleObjectError is raised (HTTP 409).
    """
    on = on or timezone.localdate()
    check_may_create(Assignment, actor)
    with transaction.atomic():
        hq = _lock_hq(customer)
        if not hasattr(new_manager, "staff") or not new_manager.is_active:
            raise ValidationError({"user": _("Only active members of staff can be assigned.")})
        _check_chief_am_post(new_manager)
        current = (
            Assignment.objects.select_for_update()
            .filter(active_on_q(on), customer_id=hq.pk, role=Role.CHIEF_AM)
            .order_by("start")
            .first()
        )
        if expected is not None:
            seen = (current.pk, current.version) if current else (None, None)
            if tuple(expected) != seen:
                raise StaleObjectError(current or hq)
        if current is not None and current.user_id == new_manager.pk:
            raise ValidationError(
                {"user": _("This person is already the chief account manager of this customer.")}
            )
        planned = (
            Assignment.objects.filter(customer_id=hq.pk, role=Role.CHIEF_AM, start__gt=on)
            .order_by("start")
            .first()
        )
        if planned is not None:
            raise ValidationError(
                {
                    "on": _(
                        "A chief account manager is already planned from %(start)s: end or change "
                        "that assignment first."
                    )
                    % {"start": planned.start.isoformat()}
                }
            )
        if current is not None:
            if current.start >= on:
                raise ValidationError(
                    {
                        "on": _(
                            "The handover date must be after the current chief account manager's "
                            "start (%(start)s)."
                        )
                        % {"start": current.start.isoformat()}
                    }
                )
            update_versioned(
                current,
                {"end": on - ONE_DAY},
                expected_version=current.version,
                actor=actor,
                source=source,
            )
        assignment = create_logged(
            Assignment(customer=hq, user=new_manager, role=Role.CHIEF_AM, start=on),
            actor=actor,
            source=source,
        )
        check_created(assignment, actor, blame="customer")
        announce_change(on - ONE_DAY if current is not None else on)
        url = reverse("accounts:team", args=[hq.pk])
        notify(
            [new_manager],
            _("You are the chief account manager of %(customer)s from %(day)s.")
            % {"customer": hq.name, "day": on.isoformat()},
            url,
            actor=actor,
        )
        handed_over = _("%(customer)s was handed over to %(name)s from %(day)s.") % {
            "customer": hq.name,
            "name": _staff_name(new_manager),
            "day": on.isoformat(),
        }
        if current is not None:
            notify([current.user_id], handed_over, url, actor=actor)
        # The rest of the vertical team learns who leads it now.
        others = set(derive_team(hq).member_ids) - {
            new_manager.pk,
            getattr(current, "user_id", None),
        }
        notify(sorted(others), handed_over, url, actor=actor)
    forget_grant(new_manager)
    if current is not None:
        forget_grant(current.user)
    return assignment


def _staff_name(user) -> str:
    staff = getattr(user, "staff", None)
    return staff.name if staff else user.username


# ---------------------------------------------------------------------------- team notes


def do_post_team_note(
    customer, *, kind: str, title: str, body: str, actor, source: str = "web"
) -> TeamNote:
    """The chief AM shares a note or marketing plan with the vertical team of their HQ customer;
    every other member of the team is notified (in the app, and by e-mail where configured)."""
    with transaction.atomic():
        current = current_chief_assignment(customer)
        if customer.parent_id is not None or current is None or current.user_id != actor.pk:
            raise PermissionDenied(
                _("Only the chief account manager of the customer posts to its team.")
            )
        note = create_logged(
            TeamNote(
                customer=customer,
                author=actor,
                kind=kind,
                title=(title or "").strip(),
                body=(body or "").strip(),
            ),
            actor=actor,
            source=source,
        )
        team = derive_team(customer)
        notify(
            team.member_ids,
            _("%(author)s shared with the team of %(customer)s: %(title)s")
            % {"author": _staff_name(actor), "customer": customer.name, "title": note.title},
            reverse("accounts:team", args=[customer.pk]) + f"#note-{note.pk}",
            actor=actor,
        )
    return note


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

    check_may_create(PilotCustomer, actor)
    with transaction.atomic():
        if PilotCustomer.objects.filter(program=program, customer=customer).exists():
            raise ValidationError(
                {"customer": _("This customer is already a pilot customer of the programme.")}
            )
        pilot = PilotCustomer(program=program, customer=customer, org_unit=org_unit, phase=phase)
        pilot = create_logged(pilot, actor=actor, source=source)
        check_created(pilot, actor, blame="customer")
        return pilot


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
