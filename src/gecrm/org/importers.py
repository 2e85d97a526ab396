"""`gecrm import orgunits` and `gecrm import staff` (DESIGN.md "Exchange formats")."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gecrm.core.exporting import Exporter, ReportColumn, register_exporter
from gecrm.core.importing import (
    CHUNK,
    Importer,
    TableImporter,
    choices_hint,
    code_error,
    email_error,
    label_lookup,
    register,
    update_rows,
    write_change_log,
)
from gecrm.customers.choices import Industry, Segment, industry_segment

from .choices import ALLOWED_PARENT_KINDS, OrgUnitKind, Post
from .filtersets import OrgUnitFilterSet, StaffFilterSet
from .models import OrgUnit, Region, Staff, StaffPost


@register
class OrgUnitImporter(TableImporter):
    scope_model = OrgUnit
    kind = "orgunits"
    model = OrgUnit
    columns = ("code", "name", "parent_code", "kind", "region", "segment")
    chinese_headers = {
        "code": "组织编码", "name": "组织名称", "parent_code": "上级组织编码", "kind": "组织类型",
        "region": "行政区划", "segment": "细分市场",
    }  # fmt: skip
    required = ("code", "name", "kind")
    text_columns = ("code", "parent_code", "region")
    fields = ("name", "parent", "kind", "region", "segment", "industry")
    parent_extra = ("kind",)

    def prepare(self) -> None:
        self.kinds = label_lookup(OrgUnitKind)
        self.segments = label_lookup(Segment)
        self.industries = label_lookup(Industry)
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.max_name = OrgUnit._meta.get_field("name").max_length

    def parse(self, row, v):
        code, name, parent, kind, region, segment = v
        if not code:
            self.required_issue(row, "code")
        elif error := code_error(code):
            self.issue(row, "code", code, error)
        if not name:
            self.required_issue(row, "name")
        elif len(name) > self.max_name:
            self.issue(row, "name", name, _("At most %(n)d characters.") % {"n": self.max_name})
        if parent and (error := code_error(parent)):
            self.issue(row, "parent_code", parent, error)
        kind_code = None
        if not kind:
            self.required_issue(row, "kind")
        else:
            kind_code = self.kinds.get(kind.lower())
            if kind_code is None:
                self.issue(
                    row,
                    "kind",
                    kind,
                    _("Unknown value. Use one of: %(choices)s.")
                    % {"choices": choices_hint(OrgUnitKind)},
                )
        if region and region not in self.regions:
            self.issue(
                row, "region", region, _("Unknown region: use a 6-digit GB/T 2260 division code.")
            )
        seg = ind = ""
        if segment:
            # A service centre names its segment, an industry group its industry (which
            # implies the segment): both fit in the one column.
            key = segment.lower()
            if key in self.segments:
                seg = self.segments[key]
            elif key in self.industries:
                ind = self.industries[key]
                seg = industry_segment(ind)
            else:
                self.issue(
                    row,
                    "segment",
                    segment,
                    _("Unknown value. Use one of: %(choices)s.")
                    % {"choices": f"{choices_hint(Segment)}, {choices_hint(Industry)}"},
                )
        if not code or code_error(code):
            return None  # other problems still go through the whole-file checks
        return (row, code, name, parent, kind_code, region or None, seg, ind)

    def check_tree(self) -> None:
        super().check_tree()
        pi = 2 + self.fields.index("parent")
        ki = 2 + self.fields.index("kind")
        for record in self.by_code.values():
            parent = record[pi]
            if record[ki] is None:
                continue  # unknown kind, already reported
            if parent in self.by_code:
                parent_kind = self.by_code[parent][ki]
                if parent_kind is None:
                    continue
            elif parent in self.db_parents:
                parent_kind = self.db_parents[parent][2]
            elif parent:
                continue  # unknown parent, already reported
            else:
                parent_kind = None
            if parent_kind not in ALLOWED_PARENT_KINDS.get(record[ki], set()):
                self.issue(
                    record[0],
                    "parent_code",
                    parent,
                    _("A %(kind)s cannot sit under %(parent)s.")
                    % {
                        "kind": OrgUnitKind(record[ki]).label,
                        "parent": OrgUnitKind(parent_kind).label if parent_kind else _("nothing"),
                    },
                )


User = get_user_model()
_username_validator = UnicodeUsernameValidator()
POST_SEPARATORS = str.maketrans({"；": ";", ",": ";", "，": ";"})


@register
class StaffImporter(Importer):
    """Staff with their logins and posts. Staff lists are small (thousands), so the ORM's bulk
    operations are fast enough here; only the comparison logic matters."""

    scope_model = Staff
    scope_lookup = "user__username"
    kind = "staff"
    columns = ("username", "name", "org_unit", "posts", "email", "phone")
    chinese_headers = {
        "username": "用户名", "name": "姓名", "org_unit": "所属组织", "posts": "岗位", "email": "邮箱",
        "phone": "电话",
    }  # fmt: skip
    required = ("username", "name", "org_unit")
    text_columns = ("username", "org_unit", "phone")

    def prepare(self) -> None:
        self.org_units = dict(self.scoped(OrgUnit).values_list("code", "id"))
        self.posts = label_lookup(Post)
        self.max_name = Staff._meta.get_field("name").max_length
        self.max_phone = Staff._meta.get_field("phone").max_length

    def parse(self, row, v):
        username, name, org_unit, posts, email, phone = v
        if not username:
            self.required_issue(row, "username")
        else:
            try:
                _username_validator(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                self.issue(
                    row,
                    "username",
                    username,
                    _("A username has at most 150 letters, digits and @ . + - _."),
                )
        if not name:
            self.required_issue(row, "name")
        elif len(name) > self.max_name:
            self.issue(row, "name", name, _("At most %(n)d characters.") % {"n": self.max_name})
        org_id = None
        if not org_unit:
            self.required_issue(row, "org_unit")
        else:
            org_id = self.org_units.get(org_unit)
            if org_id is None:
                self.issue(row, "org_unit", org_unit, _("Unknown org unit code."))
        post_codes = set()
        for part in posts.translate(POST_SEPARATORS).split(";"):
            part = part.strip()
            if not part:
                continue
            code = self.posts.get(part.lower())
            if code is None:
                self.issue(
                    row,
                    "posts",
                    part,
                    _("Unknown value. Use one of: %(choices)s.") % {"choices": choices_hint(Post)},
                )
            else:
                post_codes.add(code)
        if email and (error := email_error(email)):
            self.issue(row, "email", email, error)
        if len(phone) > self.max_phone:
            self.issue(row, "phone", phone, _("At most %(n)d characters.") % {"n": self.max_phone})
        if not username:
            return None  # other problems still go through the whole-file checks
        return (row, username, name, org_id, tuple(sorted(post_codes)), email, phone)

    def check(self) -> None:
        by_username: dict[str, tuple] = {}
        for record in self.records:
            first = by_username.setdefault(record[1], record)
            if first is not record:
                self.issue(
                    record[0],
                    "username",
                    record[1],
                    _("Duplicate username: row %(row)d has it too.") % {"row": first[0]},
                )
        self.by_username = by_username
        names = list(by_username)
        self.user_ids: dict[str, int] = {}
        self.existing: dict[str, tuple] = {}  # username → (staff id, version, values)
        for start in range(0, len(names), CHUNK):
            chunk = names[start : start + CHUNK]
            self.user_ids.update(
                User._default_manager.filter(username__in=chunk).values_list("username", "id")
            )
            for row in Staff._base_manager.filter(user__username__in=chunk).values_list(
                "user__username", "id", "version", "name", "org_unit_id", "email", "phone"
            ):
                self.existing[row[0]] = (row[1], row[2], [row[3], row[4], (), row[5], row[6]])
        staff_ids = {v[0]: k for k, v in self.existing.items()}
        ids = list(staff_ids)
        posts: dict[int, list[str]] = {}
        for start in range(0, len(ids), CHUNK):
            for staff_id, post in StaffPost.objects.filter(
                staff_id__in=ids[start : start + CHUNK]
            ).values_list("staff_id", "post"):
                posts.setdefault(staff_id, []).append(post)
        for staff_id, codes in posts.items():
            self.existing[staff_ids[staff_id]][2][2] = tuple(sorted(codes))
        if not self.unrestricted and self.existing:
            allowed = set(
                Staff.objects.restrict(self.actor, "change")
                .filter(pk__in=ids)
                .values_list("user__username", flat=True)
            )
            for username in self.existing.keys() - allowed:
                self.issue(
                    self.by_username[username][0],
                    "username",
                    username,
                    _("You may not change this record (outside your data scope)."),
                )

    def plan(self):
        self.new, self.changed = [], []
        unchanged = 0
        for username, record in self.by_username.items():
            old = self.existing.get(username)
            if old is None:
                self.new.append(record)
            elif tuple(old[2]) != record[2:]:
                self.changed.append(record)
            else:
                unchanged += 1
        return len(self.new), len(self.changed), unchanged

    def write(self, progress) -> None:
        now = timezone.now()
        missing_users = [r for r in self.new if r[1] not in self.user_ids]
        # Imported staff cannot sign in until they set a password (unusable hash, like
        # `do_create_staff` without a password).
        User._default_manager.bulk_create(
            [User(username=r[1], email=r[5], password=make_password(None)) for r in missing_users],
            batch_size=1000,
        )
        names = [r[1] for r in missing_users]
        for start in range(0, len(names), CHUNK):
            self.user_ids.update(
                User._default_manager.filter(username__in=names[start : start + CHUNK]).values_list(
                    "username", "id"
                )
            )
        staff = Staff._base_manager.bulk_create(
            [
                Staff(
                    user_id=self.user_ids[r[1]],
                    name=r[2],
                    org_unit_id=r[3],
                    email=r[5],
                    phone=r[6],
                    created_at=now,
                    updated_at=now,
                )
                for r in self.new
            ],
            batch_size=1000,
        )
        if connection.features.can_return_rows_from_bulk_insert and all(s.pk for s in staff):
            staff_id = {r[1]: s.pk for r, s in zip(self.new, staff, strict=True)}
        else:
            staff_id = dict(
                Staff._base_manager.filter(
                    user_id__in=[self.user_ids[r[1]] for r in self.new]
                ).values_list("user__username", "id")
            )
        StaffPost.objects.bulk_create(
            [StaffPost(staff_id=staff_id[r[1]], post=p) for r in self.new for p in r[4]],
            batch_size=1000,
        )
        write_change_log(
            Staff,
            (
                (
                    staff_id[r[1]],
                    f"{r[2]} ({r[1]})",
                    "create",
                    {
                        "user": [None, self.user_ids[r[1]]],
                        "name": [None, r[2]],
                        "org_unit": [None, r[3]],
                        "email": [None, r[5]],
                        "phone": [None, r[6]],
                        "posts": [[], list(r[4])],
                    },
                )
                for r in self.new
            ),
            actor=self.actor,
        )

        updates, entries, drop, add = [], [], [], []
        names = ("name", "org_unit", "posts", "email", "phone")
        for record in self.changed:
            pk, version, old = self.existing[record[1]]
            updates.append((record[2], record[3], record[5], record[6], pk, version))
            changes = {
                n: [list(a) if n == "posts" else a, list(b) if n == "posts" else b]
                for n, a, b in zip(names, old, record[2:], strict=True)
                if a != b
            }
            entries.append((pk, f"{record[2]} ({record[1]})", "update", changes))
            drop.extend((pk, p) for p in set(old[2]) - set(record[4]))
            add.extend(StaffPost(staff_id=pk, post=p) for p in set(record[4]) - set(old[2]))
        update_rows(
            Staff._meta.db_table, ["name", "org_unit_id", "email", "phone"], updates, updated_at=now
        )
        by_post: dict[str, list[int]] = {}
        for pk, post in drop:
            by_post.setdefault(post, []).append(pk)
        for post, pks in by_post.items():  # one statement per post code, not per person
            StaffPost.objects.filter(post=post, staff_id__in=pks).delete()
        StaffPost.objects.bulk_create(add, batch_size=1000)
        write_change_log(Staff, entries, actor=self.actor)


def region_names(codes: list) -> dict:
    """Region codes → full names (广东省深圳市), for the report shape: one query per chunk."""
    regions = Region.objects.filter(code__in=[c for c in codes if c]).select_related(
        "parent__parent"
    )
    return {region.code: region.full_name for region in regions}


def post_labels(staff_ids: list) -> dict:
    """Staff ids → their posts' labels (客户经理、行业经理), for the report shape."""
    labels = dict(Post.choices)
    posts: dict[int, list[str]] = {}
    for staff_id, post in StaffPost.objects.filter(staff_id__in=staff_ids).values_list(
        "staff_id", "post"
    ):
        posts.setdefault(staff_id, []).append(post)
    return {
        pk: "、".join(str(labels.get(p, p)) for p in sorted(codes)) for pk, codes in posts.items()
    }


OWNING_UNIT = (gettext_lazy("Owning org unit code"), gettext_lazy("Owning org unit name"))


def org_unit_columns(prefix: str = "org_unit__", labels=OWNING_UNIT) -> tuple[ReportColumn, ...]:
    """An org unit's code and name side by side (customers, staff, pilots …)."""
    code_label, name_label = labels
    return (
        ReportColumn(code_label, f"{prefix}code", "code"),
        ReportColumn(name_label, f"{prefix}name", "name"),
    )


def region_columns(field: str = "region_id") -> tuple[ReportColumn, ...]:
    return (
        ReportColumn(gettext_lazy("Region code"), field, "code", width=12),
        ReportColumn(gettext_lazy("Region"), field, "name", lookup=region_names, width=24),
    )


register_exporter(
    Exporter(
        kind="orgunits",
        model=OrgUnit,
        columns=OrgUnitImporter.columns,
        filterset_class=OrgUnitFilterSet,
        fields=("code", "name", "parent__code", "kind", "region_id", "segment", "industry"),
        order_by=("path",),
        text_columns=OrgUnitImporter.text_columns,
        # The one segment column carries the industry when there is one (see the importer).
        row=lambda r: (r[0], r[1], r[2], r[3], r[4], r[6] or r[5]),
        report=(
            *org_unit_columns("", (gettext_lazy("Org unit code"), gettext_lazy("Org unit name"))),
            *org_unit_columns(
                "parent__", (gettext_lazy("Parent org unit code"), gettext_lazy("Parent org unit"))
            ),
            ReportColumn(gettext_lazy("Kind"), "kind", "label", choices=OrgUnitKind),
            *region_columns(),
            ReportColumn(gettext_lazy("Segment"), "segment", "label", choices=Segment),
            ReportColumn(gettext_lazy("Industry"), "industry", "label", choices=Industry),
        ),
    )
)


def _with_posts(rows: list[tuple]) -> list[tuple]:
    posts: dict[int, list[str]] = {}
    for staff_id, post in StaffPost.objects.filter(staff_id__in=[r[0] for r in rows]).values_list(
        "staff_id", "post"
    ):
        posts.setdefault(staff_id, []).append(post)
    return [(r[1], r[2], r[3], ";".join(sorted(posts.get(r[0], ()))), r[4], r[5]) for r in rows]


register_exporter(
    Exporter(
        kind="staff",
        model=Staff,
        columns=StaffImporter.columns,
        filterset_class=StaffFilterSet,
        fields=("id", "user__username", "name", "org_unit__code", "email", "phone"),
        order_by=("user__username",),
        text_columns=StaffImporter.text_columns,
        decorate=_with_posts,
        report=(
            ReportColumn(gettext_lazy("Username"), "user__username", "code"),
            ReportColumn(gettext_lazy("Full name"), "name", "text", width=14),
            *org_unit_columns(),
            ReportColumn(gettext_lazy("Posts"), "id", "name", lookup=post_labels),
            ReportColumn(gettext_lazy("E-mail"), "email", "text", width=28),
            ReportColumn(gettext_lazy("Work phone"), "phone", "code", width=16),
        ),
    )
)
