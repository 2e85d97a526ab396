"""The sales organisation over HTTP: org units (read and write), staff and regions (read)."""

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from gecrm.access.creating import check_may_create
from gecrm.core.api import (
    CODE_PATTERN,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    MAX_QUERY_TEXT,
    READ_ERRORS,
    REGION_PATTERN,
    UPDATE_ERRORS,
    USERNAME_PATTERN,
    Code,
    InputSchema,
    Pagination,
    RegionCode,
    Text,
    Version,
    acting_user,
    apply_filters,
    choice_input,
    filter_schema,
    get_scoped,
    invalid,
    label_of,
    resolve,
    run_action,
)
from gecrm.core.filters import search_q
from gecrm.customers.choices import Industry, Segment

from .actions import do_create_org_unit, do_create_staff, do_update_org_unit, do_update_staff
from .choices import OrgUnitKind, Post, RegionLevel
from .filtersets import OrgUnitFilterSet, StaffFilterSet
from .models import OrgUnit, Region, Staff

org_units_router = Router(tags=["org units"])
staff_router = Router(tags=["staff"])
regions_router = Router(tags=["regions"])

FIELD_NAMES = {"parent": "parent_code", "path": "parent_code", "depth": "parent_code"}
CodeParam = Annotated[str, Path(pattern=CODE_PATTERN, max_length=64)]


# --- org units -------------------------------------------------------------------------------


class OrgUnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    parent_code: str | None
    depth: int
    region: str | None
    region_name: str
    segment: str
    segment_label: str
    industry: str
    industry_label: str
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_kind_label(obj):
        return label_of(OrgUnitKind, obj.kind)

    @staticmethod
    def resolve_parent_code(obj):
        ancestors = obj.ancestor_codes
        return ancestors[-1] if ancestors else None

    @staticmethod
    def resolve_region(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name if obj.region_id else ""

    @staticmethod
    def resolve_segment_label(obj):
        return label_of(Segment, obj.segment)

    @staticmethod
    def resolve_industry_label(obj):
        return label_of(Industry, obj.industry)


KindCode = choice_input(OrgUnitKind)
SegmentCode = choice_input(Segment)
IndustryCode = choice_input(Industry)
UnitName = Annotated[Text, Field(min_length=1, max_length=100)]


class OrgUnitIn(InputSchema):
    code: Code
    name: UnitName
    kind: KindCode
    parent_code: Code | None = Field(None, description="Code of the parent org unit")
    region: RegionCode | None = None
    segment: SegmentCode | None = None
    industry: IndustryCode | None = None


class OrgUnitPatch(InputSchema):
    """Only the fields sent change; a new `parent_code` moves the unit with its sub-units."""

    version: Version
    name: UnitName = None
    kind: KindCode = None
    parent_code: Code | None = None
    region: RegionCode | None = None
    segment: SegmentCode | None = None
    industry: IndustryCode | None = None


OrgUnitFilters = filter_schema(OrgUnitFilterSet, "OrgUnitFilters")


def _org_units(user, action: str = "view"):
    return OrgUnit.objects.restrict(user, action).select_related("region")


def _org_unit_fields(user, data: dict) -> dict:
    errors: dict[str, str] = {}
    fields = {name: data[name] for name in ("code", "name", "kind") if name in data}
    for name in ("segment", "industry"):
        if name in data:
            fields[name] = data[name] or ""
    if "parent_code" in data:
        fields["parent"] = resolve(
            OrgUnit.objects.restrict(user, "view"),
            data["parent_code"],
            "parent_code",
            _("Unknown org unit code %(code)s."),
            errors,
            code=data["parent_code"],
        )
    if "region" in data:
        fields["region"] = resolve(
            Region.objects.all(),
            data["region"],
            "region",
            _("Unknown region code %(code)s."),
            errors,
            code=data["region"],
        )
    if errors:
        raise invalid(errors)
    return fields


@org_units_router.get(
    "", response={200: list[OrgUnitOut], **READ_ERRORS}, operation_id="list_org_units"
)
@paginate(Pagination)
def list_org_units(request, filters: Query[OrgUnitFilters]):
    """Org units in tree order; `within` keeps one unit's subtree."""
    return apply_filters(OrgUnitFilterSet, filters, _org_units(acting_user(request)))


@org_units_router.post(
    "", response={201: OrgUnitOut, **CREATE_ERRORS}, operation_id="create_org_unit"
)
def create_org_unit(request, payload: OrgUnitIn):
    """A new org unit under `parent_code` (only the group has none); the kind must fit there."""
    user = acting_user(request)
    check_may_create(OrgUnit, user)  # 403 before any code is looked up
    fields = _org_unit_fields(user, payload.model_dump())
    unit = run_action(do_create_org_unit, fields, actor=user, source="api", field_names=FIELD_NAMES)
    return Status(201, get_scoped(_org_units(user), pk=unit.pk))


@org_units_router.get(
    "/{code}", response={200: OrgUnitOut, **DETAIL_ERRORS}, operation_id="get_org_unit"
)
def get_org_unit(request, code: CodeParam):
    """One org unit by code; unknown and out-of-scope codes both answer 404."""
    return get_scoped(_org_units(acting_user(request)), code=code)


@org_units_router.patch(
    "/{code}", response={200: OrgUnitOut, **UPDATE_ERRORS}, operation_id="update_org_unit"
)
def update_org_unit(request, code: CodeParam, payload: OrgUnitPatch):
    """Change the fields sent. `version` must be the one you read, else 409 and nothing changes."""
    user = acting_user(request)
    unit = get_scoped(_org_units(user, "change"), code=code)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    fields = _org_unit_fields(user, data)
    run_action(
        do_update_org_unit,
        unit,
        fields,
        expected_version=version,
        actor=user,
        source="api",
        field_names=FIELD_NAMES,
    )
    return get_scoped(_org_units(user), pk=unit.pk)


# --- staff -----------------------------------------------------------------------------------


class StaffOut(Schema):
    username: str
    name: str
    org_unit: str
    org_unit_name: str
    posts: list[str]
    post_labels: list[str]
    email: str
    phone: str
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_username(obj):
        return obj.user.username

    @staticmethod
    def resolve_org_unit(obj):
        return obj.org_unit.code

    @staticmethod
    def resolve_org_unit_name(obj):
        return obj.org_unit.name

    @staticmethod
    def resolve_posts(obj):
        return sorted(p.post for p in obj.posts.all())

    @staticmethod
    def resolve_post_labels(obj):
        return [label_of(Post, p) for p in sorted(p.post for p in obj.posts.all())]


PostCode = choice_input(Post)
StaffName = Annotated[Text, Field(min_length=1, max_length=60)]
Phone = Annotated[Text, Field(max_length=20)]
Username = Annotated[Text, Field(min_length=1, max_length=150, pattern=USERNAME_PATTERN)]


def _check_email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError as exc:
            raise PydanticCustomError("email", str(exc.messages[0])) from None
    return value


Email = Annotated[Text, Field(max_length=254), AfterValidator(_check_email)]


def _unique_posts(posts: list[str] | None) -> list[str] | None:
    return None if posts is None else sorted(set(posts))


Posts = Annotated[
    list[PostCode],
    Field(max_length=len(Post.values), description="Post codes (or Chinese labels)"),
    AfterValidator(_unique_posts),
]


class StaffIn(InputSchema):
    """A new member of staff. The login has no password: it signs in once an admin sets one."""

    username: Username
    name: StaffName
    org_unit: Code = Field(description="Code of the org unit")
    posts: Posts = []
    email: Email = ""
    phone: Phone = ""


class StaffPatch(InputSchema):
    """Only the fields sent change; `posts` replaces the whole set of posts."""

    version: Version
    name: StaffName = None
    org_unit: Code = None
    posts: Posts = None
    email: Email = None
    phone: Phone = None


StaffFilters = filter_schema(StaffFilterSet, "StaffFilters")
UsernameParam = Annotated[str, Path(pattern=USERNAME_PATTERN, max_length=150)]


def _staff(user, action: str = "view"):
    return (
        Staff.objects.restrict(user, action)
        .select_related("user", "org_unit")
        .prefetch_related("posts")
    )


def _staff_fields(user, data: dict) -> dict:
    errors: dict[str, str] = {}
    fields = {name: data[name] for name in ("name", "posts", "email", "phone") if name in data}
    if "org_unit" in data:
        fields["org_unit"] = resolve(
            OrgUnit.objects.restrict(user, "view"),
            data["org_unit"],
            "org_unit",
            _("Unknown org unit code %(code)s."),
            errors,
            code=data["org_unit"],
        )
    if errors:
        raise invalid(errors)
    return fields


@staff_router.get("", response={200: list[StaffOut], **READ_ERRORS}, operation_id="list_staff")
@paginate(Pagination)
def list_staff(request, filters: Query[StaffFilters]):
    """Staff; `org_unit` includes the unit's subtree, `post` keeps holders of one post."""
    return apply_filters(StaffFilterSet, filters, _staff(acting_user(request)))


@staff_router.post("", response={201: StaffOut, **CREATE_ERRORS}, operation_id="create_staff")
def create_staff(request, payload: StaffIn):
    """A login and its staff profile; the login cannot sign in until a password is set."""
    user = acting_user(request)
    check_may_create(Staff, user)  # 403 before any code is looked up
    data = payload.model_dump()
    fields = _staff_fields(user, data)
    staff = run_action(
        do_create_staff, username=data["username"], **fields, actor=user, source="api"
    )
    return Status(201, get_scoped(_staff(user), pk=staff.pk))


@staff_router.get(
    "/{username}", response={200: StaffOut, **DETAIL_ERRORS}, operation_id="get_staff"
)
def get_staff(request, username: UsernameParam):
    """One member of staff by login name, with posts and contact data."""
    return get_scoped(_staff(acting_user(request)), user__username=username)


@staff_router.patch(
    "/{username}", response={200: StaffOut, **UPDATE_ERRORS}, operation_id="update_staff"
)
def update_staff(request, username: UsernameParam, payload: StaffPatch):
    """Change the fields sent. `version` must be the one you read, else 409 and nothing changes."""
    user = acting_user(request)
    staff = get_scoped(_staff(user, "change"), user__username=username)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    fields = _staff_fields(user, data)
    run_action(do_update_staff, staff, fields, expected_version=version, actor=user, source="api")
    return get_scoped(_staff(user), pk=staff.pk)


# --- regions ---------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None

    @staticmethod
    def resolve_level_label(obj):
        return label_of(RegionLevel, obj.level)

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent_id


class RegionFilters(Schema):
    q: Annotated[Text, Field(max_length=MAX_QUERY_TEXT)] = Field(
        None, description="Code (exact) or name (contains)"
    )
    level: Literal[tuple(RegionLevel.values)] = None
    parent: Annotated[str, Field(pattern=REGION_PATTERN)] = Field(
        None, description="Direct children of this division"
    )


@regions_router.get("", response={200: list[RegionOut], **READ_ERRORS}, operation_id="list_regions")
@paginate(Pagination)
def list_regions(request, filters: Query[RegionFilters]):
    """The GB/T 2260 divisions shipped with gecrm (reference data, the same for every user)."""
    qs = Region.objects.all()
    if filters.q and filters.q.strip():
        qs = qs.filter(search_q(filters.q, ["code"], ["name"]))
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    return qs.order_by("code")


@regions_router.get(
    "/{code}", response={200: RegionOut, **DETAIL_ERRORS}, operation_id="get_region"
)
def get_region(request, code: Annotated[str, Path(pattern=REGION_PATTERN)]):
    """One GB/T 2260 division by its six-digit code."""
    return get_scoped(Region.objects.all(), code=code)
