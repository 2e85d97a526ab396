"""`gecrm import assignments`: who serves which customer (DESIGN.md "Exchange formats").

A row is keyed by (customer_code, username, role, start). Importing a row whose key exists only
updates its end date; a new key adds an assignment. Nothing is ever deleted: an end date closes
an assignment and the history stays. A row without a start date means the assignment active
today (or a new one starting today).
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gecrm.core.exceptions import StaleObjectError
from gecrm.core.exporting import Exporter, ReportColumn, extend_report, register_exporter
from gecrm.core.importing import (
    CHUNK,
    Importer,
    ascii_number,
    choices_hint,
    code_error,
    label_lookup,
    register,
    write_change_log,
)
from gecrm.core.models import ObjectChange
from gecrm.customers.importers import customer_columns
from gecrm.customers.models import Customer
from gecrm.org.choices import Post
from gecrm.org.importers import org_unit_columns

from .actions import announce_change
from .choices import ACCOUNT_ROLES, Role
from .filtersets import AssignmentFilterSet
from .models import Assignment, active_on_q

# The project's date input formats (zh_Hans and en): ISO, 2024年9月5日, 2024/9/5, 20240905.
DATE_FORMATS = ("%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y%m%d")


def parse_date(raw: str) -> datetime.date:
    text = raw.strip()
    if len(text) > 10 and text[10:].strip() in ("00:00:00", "0:00:00", "00:00"):
        text = text[:10]  # a spreadsheet date cell read as a timestamp
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Not a date: use 2024-09-05 or 2024年9月5日."))


@register
class AssignmentImporter(Importer):
    kind = "assignments"
    columns = ("customer_code", "username", "role", "start", "end")
    chinese_headers = {
        "customer_code": "客户编码", "username": "用户名", "role": "角色", "start": "开始日期",
        "end": "结束日期",
    }  # fmt: skip
    required = ("customer_code", "username", "role")
    text_columns = ("customer_code", "username")

    def prepare(self) -> None:
        self.roles = label_lookup(Role)
        self.role_hint = choices_hint(Role)
        self.today = timezone.localdate()
        self.customer_codes: set[str] = set()
        self.usernames: set[str] = set()

    def parse(self, row, v):
        customer_code, username, role, start, end = v
        issue = self.issue
        ok = True
        if not customer_code:
            self.required_issue(row, "customer_code")
            ok = False
        if not username:
            self.required_issue(row, "username")
            ok = False
        role_code = None
        if not role:
            self.required_issue(row, "role")
            ok = False
        else:
            role_code = self.roles.get(role.lower())
            if role_code is None:
                issue(
                    row,
                    "role",
                    role,
                    _("Unknown value. Use one of: %(choices)s.") % {"choices": self.role_hint},
                )
                ok = False
        start_date = end_date = None
        if start:
            try:
                start_date = parse_date(start)
            except ValueError as exc:
                issue(row, "start", start, exc)
                ok = False
        if end:
            try:
                end_date = parse_date(end)
            except ValueError as exc:
                issue(row, "end", end, exc)
                ok = False
        if end_date and end_date < (start_date or self.today):
            issue(row, "end", end, _("The end date cannot be before the start date."))
            ok = False
        if not ok:
            return None
        self.customer_codes.add(customer_code)
        self.usernames.add(username)
        return (row, customer_code, username, role_code, start_date, end_date)

    def check(self) -> None:
        customers = self.scoped(Customer, "change").filter(code__in=self.customer_codes)
        self.customer_ids = {}
        branch_codes = set()
        for code, pk, parent_id in customers.values_list("code", "id", "parent_id"):
            self.customer_ids[code] = pk
            if parent_id is not None:
                branch_codes.add(code)
        users = get_user_model().objects.filter(
            username__in=self.usernames, staff__isnull=False, is_active=True
        )
        self.user_ids = dict(users.values_list("username", "id"))
        chief_posts = set(
            users.filter(staff__posts__post=Post.CHIEF_AM).values_list("username", flat=True)
        )
        keys: dict[tuple, int] = {}
        resolved = []
        for record in self.records:
            row, customer_code, username, role, start, _end = record
            ok = True
            if customer_code not in self.customer_ids:
                self.issue(row, "customer_code", customer_code, _("Unknown customer code."))
                ok = False
            if username not in self.user_ids:
                self.issue(row, "username", username, _("Unknown username (or not staff)."))
                ok = False
            if role == Role.CHIEF_AM and customer_code in branch_codes:
                self.issue(
                    row,
                    "customer_code",
                    customer_code,
                    _(
                        "A branch has no chief account manager: assign the chief account "
                        "manager to its headquarters customer."
                    ),
                )
                ok = False
            if role == Role.CHIEF_AM and username in self.user_ids and username not in chief_posts:
                self.issue(
                    row,
                    "username",
                    username,
                    _(
                        "Does not hold the chief account manager post: give them the post first "
                        "(staff import)."
                    ),
                )
                ok = False
            key = (customer_code, username, role, start)
            if key in keys:
                self.issue(
                    row,
                    "role",
                    role,
                    _("Duplicate assignment: row %(row)d has it too.") % {"row": keys[key]},
                )
                ok = False
            else:
                keys[key] = row
            if ok:
                resolved.append(record)
        # Overlaps are checked on the rows that name a known customer and person, so that one
        # pass reports everything; any problem at all still means nothing is written.
        self.records = resolved
        existing = Assignment.objects.filter(
            customer_id__in=self.customer_ids.values(), user_id__in=self.user_ids.values()
        )
        self.existing: dict[tuple, list[Assignment]] = {}
        for a in existing:
            self.existing.setdefault((a.customer_id, a.user_id, a.role), []).append(a)
        # Every chief AM assignment (anyone's) of the HQ customers the file names a chief AM for:
        # an HQ customer has one chief AM at a time.
        chief_customers = {self.customer_ids[r[1]] for r in self.records if r[3] == Role.CHIEF_AM}
        self.chiefs: dict[int, list[Assignment]] = {}
        for a in Assignment.objects.filter(
            customer_id__in=chief_customers, role=Role.CHIEF_AM
        ).select_related("user"):
            self.chiefs.setdefault(a.customer_id, []).append(a)
        self.planned_ends: dict[int, datetime.date | None] = {}
        for _row, customer_code, username, role, start, end in self.records:
            if role != Role.CHIEF_AM:
                continue
            key = (self.customer_ids[customer_code], self.user_ids[username], role)
            for a in self.existing.get(key, []):
                if (start is not None and a.start == start) or (
                    start is None and a.is_active(self.today)
                ):
                    self.planned_ends[a.pk] = end
        self.classify()

    def chief_overlap(self, customer_id, user_id, start, end, *, exclude=None):
        """Another person's chief AM assignment of the customer overlapping [start, end]."""
        last = datetime.date.max
        for other in self.chiefs.get(customer_id, []):
            if other is exclude or other.user_id == user_id:
                continue
            # An end date the same file sets counts (a handover: one row ends, one starts).
            other_end = self.planned_ends.get(other.pk, other.end) if other.pk else other.end
            if other.start <= (end or last) and (other_end or last) >= start:
                return other
        return None

    def username_of(self, assignment) -> str:
        for username, pk in self.user_ids.items():
            if pk == assignment.user_id:
                return username
        return assignment.user.username

    def chief_issue(self, row, start, other) -> None:
        self.issue(
            row,
            "start",
            start.isoformat() if start else "",
            _(
                "Overlaps the chief account manager assignment of %(username)s from %(start)s: an "
                "HQ customer has one chief account manager at a time (end that one first)."
            )
            % {"username": self.username_of(other), "start": other.start.isoformat()},
        )

    def classify(self) -> None:
        """New assignments, end dates to change and unchanged rows; overlaps are problems."""
        self.to_create: list[Assignment] = []
        self.to_end: list[tuple[Assignment, datetime.date | None]] = []
        self.unchanged = 0
        for row, customer_code, username, role, start, end in self.records:
            held = self.existing.setdefault(
                (self.customer_ids[customer_code], self.user_ids[username], role), []
            )
            if start is not None:
                match = next((a for a in held if a.start == start), None)
            else:
                match = next((a for a in held if a.pk and a.is_active(self.today)), None)
            if match is not None:
                if match.end == end:
                    self.unchanged += 1
                    continue
                if role == Role.CHIEF_AM:
                    other = self.chief_overlap(
                        match.customer_id, match.user_id, match.start, end, exclude=match
                    )
                    if other is not None:
                        self.chief_issue(row, match.start, other)
                        continue
                self.to_end.append((match, end))
                continue
            new = Assignment(
                customer_id=self.customer_ids[customer_code],
                user_id=self.user_ids[username],
                role=role,
                start=start or self.today,
                end=end,
            )
            last = datetime.date.max
            overlap = next(
                (a for a in held if a.start <= (end or last) and (a.end or last) >= new.start),
                None,
            )
            if overlap is not None:
                self.issue(
                    row,
                    "start",
                    start.isoformat() if start else "",
                    _("Overlaps the assignment from %(start)s of the same person and role.")
                    % {"start": overlap.start.isoformat()},
                )
                continue
            if role == Role.CHIEF_AM:
                other = self.chief_overlap(new.customer_id, new.user_id, new.start, end)
                if other is not None:
                    self.chief_issue(row, start, other)
                    continue
                self.chiefs.setdefault(new.customer_id, []).append(new)
            held.append(new)
            self.to_create.append(new)

    def plan(self) -> tuple[int, int, int]:
        return len(self.to_create), len(self.to_end), self.unchanged

    def write(self, progress) -> None:
        created = Assignment.objects.bulk_create(self.to_create, batch_size=CHUNK)
        # Named by codes and usernames (known here) rather than a query per row for names.
        codes = {pk: code for code, pk in self.customer_ids.items()}
        usernames = {pk: username for username, pk in self.user_ids.items()}

        def describe(a):
            return Assignment.describe(codes[a.customer_id], usernames[a.user_id], a.role)

        entries = [
            (
                a.pk,
                describe(a),
                ObjectChange.Action.CREATE,
                {
                    "customer": [None, a.customer_id],
                    "user": [None, a.user_id],
                    "role": [None, a.role],
                    "start": [None, a.start.isoformat()],
                    "end": [None, a.end.isoformat() if a.end else None],
                },
            )
            for a in created
        ]
        for assignment, end in self.to_end:
            updated = Assignment.objects.filter(
                pk=assignment.pk, version=assignment.version
            ).update(end=end, version=assignment.version + 1, updated_at=timezone.now())
            if not updated:
                raise StaleObjectError(assignment)
            before = assignment.end.isoformat() if assignment.end else None
            entries.append(
                (
                    assignment.pk,
                    describe(assignment),
                    ObjectChange.Action.UPDATE,
                    {"end": [before, end.isoformat() if end else None]},
                )
            )
        write_change_log(Assignment, entries, actor=self.actor)
        # Coverage (KPI chief AMs) changes from the earliest start or end touched.
        days = [a.start for a in created] + [end for _a, end in self.to_end if end]
        days += [a.end for a, _end in self.to_end if a.end]
        if days:
            announce_change(min(days))


def _row(values: tuple) -> tuple:
    code, username, role, start, end = values
    return (code, username, role, start.isoformat(), end.isoformat() if end else "")


register_exporter(
    Exporter(
        kind="assignments",
        model=Assignment,
        columns=AssignmentImporter.columns,
        filterset_class=AssignmentFilterSet,
        fields=("customer__code", "user__username", "role", "start", "end"),
        order_by=("customer__code", "user__username", "role", "start"),
        text_columns=AssignmentImporter.text_columns,
        row=_row,
        report=(
            *customer_columns(),
            ReportColumn(gettext_lazy("Username"), "user__username", "code"),
            ReportColumn(gettext_lazy("Full name"), "user__staff__name", "text", width=14),
            ReportColumn(gettext_lazy("Role"), "role", "label", choices=Role),
            ReportColumn(gettext_lazy("Start date"), "start", "date"),
            ReportColumn(gettext_lazy("End date"), "end", "date"),
        ),
    )
)


def account_manager_names(customer_ids: list) -> dict:
    """Customer ids → the names of their account managers today, chief AM first (a report
    column of the customers' export)."""
    rows = (
        Assignment.objects.filter(customer_id__in=customer_ids, role__in=ACCOUNT_ROLES)
        .filter(active_on_q(timezone.localdate()))
        .order_by("customer_id", "-role", "user__staff__name", "user__username")
        .values_list("customer_id", "user__staff__name", "user__username")
    )
    names: dict[int, list[str]] = {}
    for customer_id, name, username in rows:
        shown = name or username
        if shown not in names.setdefault(customer_id, []):
            names[customer_id].append(shown)
    return {pk: "、".join(found) for pk, found in names.items()}


extend_report(
    "customers",
    ReportColumn(gettext_lazy("Account manager"), "id", "name", lookup=account_manager_names),
)


# ------------------------------------------------------------------------ pilots

PHASE_NUMERALS = "一二三四五六七八九十"


def phase_name(number: int) -> str:
    """The name a phase created by an import gets: 第一批, 第二批 … (the seed's "batch")."""
    if 1 <= number <= len(PHASE_NUMERALS):
        return f"第{PHASE_NUMERALS[number - 1]}批"
    return f"第{number}批"


@register
class PilotImporter(Importer):
    """`gecrm import pilots`: pilot customers of programmes (DESIGN.md "Exchange formats").

    A row is keyed by (program, customer_code). `org_unit` is the responsible sales
    organisation: the group or a province (any other kind is refused). `phase` is the number
    of the phase the customer joins in (blank: none). An unknown programme code creates the
    programme, named after its code (the result says so); an unknown phase number creates the
    phase (第N批). Rows already in the database with the same org unit and phase are unchanged;
    a different org unit or phase updates the pilot customer. Nothing is deleted: customers
    leave a programme on its page. Only programme managers (`can_manage_programs`) import.
    """

    kind = "pilots"
    columns = ("program", "customer_code", "org_unit", "phase")
    chinese_headers = {
        "program": "试点项目", "customer_code": "客户编码", "org_unit": "所属组织", "phase": "批次",
    }  # fmt: skip
    required = ("program", "customer_code", "org_unit")
    text_columns = ("program", "customer_code", "org_unit")

    def prepare(self) -> None:
        from .pilots import can_manage_programs

        if not self.unrestricted and not can_manage_programs(self.actor):
            self.issue(
                0,
                "",
                "",
                _(
                    "Only administrators and the group's sales managers and controllers may "
                    "import pilot programmes."
                ),
            )
        self.customer_codes: set[str] = set()
        self.unit_codes: set[str] = set()
        self.program_codes: set[str] = set()
        self.new_programs: list[str] = []

    def parse(self, row, v):
        program, customer_code, org_unit, phase = v
        ok = True
        for column, value in (
            ("program", program),
            ("customer_code", customer_code),
            ("org_unit", org_unit),
        ):
            if not value:
                self.required_issue(row, column)
                ok = False
        if program and (error := code_error(program, 32)):
            self.issue(row, "program", program, error)
            ok = False
        number = None
        if phase:
            try:
                number = int(ascii_number(phase))
            except ValueError:
                number = 0
            if not 1 <= number <= 999:
                self.issue(row, "phase", phase, _("A phase is a number from 1 to 999."))
                ok = False
        if not ok:
            return None
        self.customer_codes.add(customer_code)
        self.unit_codes.add(org_unit)
        self.program_codes.add(program)
        return (row, program, customer_code, org_unit, number)

    def check(self) -> None:
        from gecrm.org.models import OrgUnit

        from .models import Phase, PilotCustomer, Program

        customers = {
            c.code: c
            for c in self.scoped(Customer, "view")
            .filter(code__in=self.customer_codes)
            .only("id", "code", "name", "parent_id", "path", "segment")
        }
        units = {
            u.code: u
            for u in OrgUnit._base_manager.filter(code__in=self.unit_codes).only(
                "id", "code", "name", "kind", "path"
            )
        }
        self.programs = {p.code: p for p in Program.objects.filter(code__in=self.program_codes)}
        self.phases = {
            (p.program.code, p.number): p
            for p in Phase.objects.filter(program__code__in=self.program_codes).select_related(
                "program"
            )
        }
        keys: dict[tuple[str, str], int] = {}
        resolved = []
        for record in self.records:
            row, program, customer_code, unit_code, number = record
            ok = True
            customer = customers.get(customer_code)
            if customer is None:
                self.issue(row, "customer_code", customer_code, _("Unknown customer code."))
                ok = False
            elif customer.parent_id is not None:
                self.issue(
                    row,
                    "customer_code",
                    customer_code,
                    _(
                        "Only HQ customers (without a parent) can be pilot customers; this is "
                        "a branch."
                    ),
                )
                ok = False
            unit = units.get(unit_code)
            if unit is None:
                self.issue(row, "org_unit", unit_code, _("Unknown org unit code."))
                ok = False
            elif unit.kind not in ("group", "province"):
                self.issue(
                    row,
                    "org_unit",
                    unit_code,
                    _("The responsible sales organisation must be the group or a province."),
                )
                ok = False
            key = (program, customer_code)
            if key in keys:
                self.issue(
                    row,
                    "customer_code",
                    customer_code,
                    _("Duplicate pilot customer: row %(row)d has it too.") % {"row": keys[key]},
                )
                ok = False
            else:
                keys[key] = row
            if ok:
                resolved.append((row, program, customer, unit, number))
        self.records = resolved
        self.new_programs = sorted(self.program_codes - set(self.programs))
        self.new_phases = sorted(
            {(r[1], r[4]) for r in resolved if r[4] and (r[1], r[4]) not in self.phases}
        )
        existing = PilotCustomer.objects.filter(
            program__code__in=self.program_codes,
            customer_id__in=[c.pk for c in customers.values()],
        ).select_related("program", "phase")
        self.existing = {(p.program.code, p.customer_id): p for p in existing}

    def plan(self) -> tuple[int, int, int]:
        self.to_create: list[tuple] = []
        self.to_update: list[tuple] = []
        unchanged = 0
        for _row, program, customer, unit, number in self.records:
            pilot = self.existing.get((program, customer.pk))
            if pilot is None:
                self.to_create.append((program, customer, unit, number))
            elif pilot.org_unit_id != unit.pk or (pilot.phase.number if pilot.phase else None) != (
                number
            ):
                self.to_update.append((pilot, unit, number))
            else:
                unchanged += 1
        return len(self.to_create), len(self.to_update), unchanged

    def write(self, progress) -> None:
        from .actions import (
            do_add_phase,
            do_add_pilot_customer,
            do_create_program,
            do_update_pilot_customer,
        )

        for code in self.new_programs:
            self.programs[code] = do_create_program(
                {"code": code, "name": code}, actor=self.actor, source="import"
            )
        for code, number in self.new_phases:
            self.phases[(code, number)] = do_add_phase(
                self.programs[code],
                {"number": number, "name": phase_name(number)},
                actor=self.actor,
                source="import",
            )
        for program, customer, unit, number in self.to_create:
            do_add_pilot_customer(
                self.programs[program],
                customer,
                unit,
                phase=self.phases[(program, number)] if number else None,
                actor=self.actor,
                source="import",
            )
        for pilot, unit, number in self.to_update:
            do_update_pilot_customer(
                pilot,
                {
                    "org_unit": unit,
                    "phase": self.phases[(pilot.program.code, number)] if number else None,
                },
                expected_version=pilot.version,
                actor=self.actor,
                source="import",
            )

    def finish(self, result) -> None:
        if self.new_programs:
            template = (
                _("Would create the programmes %(codes)s, named after their codes.")
                if result.dry_run
                else _(
                    "Created the programmes %(codes)s, named after their codes: give them their "
                    "names on the programme page."
                )
            )
            result.note = template % {"codes": ", ".join(self.new_programs)}
            result.extra["programs"] = self.new_programs


def _pilot_row(values: tuple) -> tuple:
    program, customer, org_unit, phase = values
    return (program, customer, org_unit, "" if phase is None else phase)


def _register_pilot_exporter() -> None:
    from .filtersets import PilotCustomerFilterSet
    from .models import PilotCustomer

    register_exporter(
        Exporter(
            kind="pilots",
            model=PilotCustomer,
            columns=PilotImporter.columns,
            filterset_class=PilotCustomerFilterSet,
            fields=("program__code", "customer__code", "org_unit__code", "phase__number"),
            order_by=("program__code", "customer__code"),
            text_columns=PilotImporter.text_columns,
            row=_pilot_row,
            report=(
                ReportColumn(gettext_lazy("Programme code"), "program__code", "code"),
                ReportColumn(gettext_lazy("Programme name"), "program__name", "name"),
                *customer_columns(),
                *org_unit_columns(
                    "org_unit__",
                    (
                        gettext_lazy("Responsible org unit code"),
                        gettext_lazy("Responsible org unit"),
                    ),
                ),
                ReportColumn(gettext_lazy("Phase"), "phase__name", "text", width=12),
            ),
        )
    )


_register_pilot_exporter()
