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

from gecrm.core.exceptions import StaleObjectError
from gecrm.core.exporting import Exporter, register_exporter
from gecrm.core.importing import (
    CHUNK,
    Importer,
    choices_hint,
    label_lookup,
    register,
    write_change_log,
)
from gecrm.core.models import ObjectChange
from gecrm.customers.models import Customer

from .actions import announce_change
from .choices import Role
from .filtersets import AssignmentFilterSet
from .models import Assignment

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
        self.customer_ids = dict(customers.values_list("code", "id"))
        users = get_user_model().objects.filter(
            username__in=self.usernames, staff__isnull=False, is_active=True
        )
        self.user_ids = dict(users.values_list("username", "id"))
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
        self.classify()

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
                else:
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
            held.append(new)
            self.to_create.append(new)

    def plan(self) -> tuple[int, int, int]:
        return len(self.to_create), len(self.to_end), self.unchanged

    def write(self, progress) -> None:
        created = Assignment.objects.bulk_create(self.to_create, batch_size=CHUNK)
        entries = [
            (
                a.pk,
                str(a),
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
                    str(assignment),
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
    )
)
