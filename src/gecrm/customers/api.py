"""Customers over HTTP: list with the web list's filters, detail, branches, create, update."""

from datetime import datetime
from typing import Annotated

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from gecrm.access.creating import check_may_create
from gecrm.audit.actions import do_reveal_personal_data
from gecrm.audit.masking import can_view_personal_data, mask_value, personal_fields
from gecrm.core.api import (
    CODE_PATTERN,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    READ_ERRORS,
    UPDATE_ERRORS,
    Code,
    ErrorOut,
    InputSchema,
    Latitude,
    Longitude,
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
from gecrm.org.models import OrgUnit, Region

from .actions import do_create_customer, do_update_customer
from .choices import CustomerStatus, Industry, Segment
from .filtersets import CustomerFilterSet
from .models import Contact, Customer
from .uscc import normalize_uscc, uscc_error

router = Router(tags=["customers"])

# Model field → API field, for errors raised by `clean()` and the actions.
FIELD_NAMES = {"parent": "parent_code", "path": "parent_code", "depth": "parent_code"}


def _check_uscc(value: str) -> str:
    if value:
        error = uscc_error(value)
        if error:
            raise PydanticCustomError(
                "uscc",
                _("Invalid unified social credit code: {reason}"),
                {"reason": error},
            )
    return value


Uscc = Annotated[
    Text,
    BeforeValidator(lambda v: normalize_uscc(v) if isinstance(v, str) else v),
    Field(max_length=18, description="Unified social credit code (GB 32100); empty for none"),
    AfterValidator(_check_uscc),
]
SegmentCode = choice_input(Segment)
IndustryCode = choice_input(Industry)
StatusCode = choice_input(CustomerStatus)


# --- output ----------------------------------------------------------------------------------


class ContactOut(Schema):
    name: str
    title: str
    phone: str = Field(description="Masked (`138****1234`) unless revealed with `unmask=true`")
    email: str = Field(description="Masked (`z***@example.cn`) unless revealed with `unmask=true`")
    is_primary: bool

    @staticmethod
    def resolve_phone(obj, context):
        return personal_value(obj, "phone", context["request"])

    @staticmethod
    def resolve_email(obj, context):
        return personal_value(obj, "email", context["request"])


class CustomerOut(Schema):
    code: str
    name: str
    uscc: str
    segment: str
    segment_label: str
    industry: str
    industry_label: str
    region: str | None
    region_name: str
    org_unit: str
    org_unit_name: str
    parent_code: str | None
    is_headquarters: bool = Field(description="Top-level: no parent customer")
    is_group: bool = Field(
        description="A customer group (集团客户, 总部): top-level with branches, or of the "
        "segments gov, fin or ent"
    )
    depth: int
    address: str
    lat: float | None
    lon: float | None
    status: str
    status_label: str
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_segment_label(obj):
        return label_of(Segment, obj.segment)

    @staticmethod
    def resolve_industry_label(obj):
        return label_of(Industry, obj.industry)

    @staticmethod
    def resolve_status_label(obj):
        return label_of(CustomerStatus, obj.status)

    @staticmethod
    def resolve_region(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name if obj.region_id else ""

    @staticmethod
    def resolve_org_unit(obj):
        return obj.org_unit.code

    @staticmethod
    def resolve_org_unit_name(obj):
        return obj.org_unit.name

    @staticmethod
    def resolve_parent_code(obj):
        # The materialised path names the parent: no join needed.
        ancestors = obj.ancestor_codes
        return ancestors[-1] if ancestors else None


class CustomerRef(Schema):
    code: str
    name: str


class CustomerDetailOut(CustomerOut):
    ancestor_codes: list[str]
    ancestors: list[CustomerRef] = Field(
        description="The parents from the headquarters down (those you may see)"
    )
    branch_count: int = Field(description="Direct branches (you may see); list them at /children")
    created_at: datetime
    contacts: list[ContactOut]

    @staticmethod
    def resolve_ancestors(obj):
        return obj.visible_ancestors

    @staticmethod
    def resolve_contacts(obj):
        return list(obj.contacts.all())


def personal_value(obj, field: str, request) -> str:
    """Clear only for the objects this request revealed (a logged action), masked otherwise."""
    if obj.pk in getattr(request, "revealed_personal_data", ()):
        return getattr(obj, field)
    return mask_value(personal_fields(obj)[field], getattr(obj, field))


# --- input -----------------------------------------------------------------------------------


class CustomerIn(InputSchema):
    code: Code
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    uscc: Uscc | None = None
    segment: SegmentCode
    industry: IndustryCode | None = None
    parent_code: Code | None = Field(None, description="Code of the parent (HQ) customer")
    region: RegionCode | None = None
    org_unit: Code = Field(description="Code of the owning org unit")
    address: Annotated[Text, Field(max_length=300)] = ""
    lat: Latitude | None = None
    lon: Longitude | None = None
    status: StatusCode = CustomerStatus.ACTIVE.value


class CustomerPatch(InputSchema):
    """Only the fields sent change; `parent_code: null` makes the customer a headquarters."""

    version: Version
    name: Annotated[Text, Field(min_length=1, max_length=200)] = None
    uscc: Uscc | None = None
    segment: SegmentCode = None
    industry: IndustryCode | None = None
    parent_code: Code | None = None
    region: RegionCode | None = None
    org_unit: Code = None
    address: Annotated[Text, Field(max_length=300)] | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    status: StatusCode = None


CustomerFilters = filter_schema(CustomerFilterSet, "CustomerFilters")


# --- helpers ---------------------------------------------------------------------------------


def _customers(user, action: str = "view"):
    return (
        Customer.objects.restrict(user, action)
        .select_related("region", "org_unit")
        .with_branch_flag()
    )


def _detail_queryset(user, action: str = "view"):
    return _customers(user, action).prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name", "pk"))
    )


def _detail(user, **lookup) -> Customer:
    """One customer for the detail answer: contacts, visible ancestors and branch count."""
    customer = get_scoped(_detail_queryset(user), **lookup)
    visible = Customer.objects.restrict(user, "view")
    codes = customer.ancestor_codes
    customer.visible_ancestors = (
        list(visible.filter(code__in=codes).order_by("depth").only("code", "name")) if codes else []
    )
    customer.branch_count = visible.filter(parent=customer).count()
    return customer


def _fields_from_payload(user, data: dict, *, customer: Customer | None = None) -> dict:
    """Model field values for `data` (API names), resolving codes; 422 naming each bad one."""
    errors: dict[str, str] = {}
    fields: dict = {}
    for name in ("code", "name", "segment", "status", "lat", "lon"):
        if name in data:
            fields[name] = data[name]
    for name in ("uscc", "industry", "address"):
        if name in data:
            fields[name] = data[name] or ""
    if "parent_code" in data:
        # A branch goes under a customer the caller may edit (or stays where it is). A new one
        # names any customer the caller sees: the create action answers one they may not edit
        # with 404 (`gecrm.access.creating`); an unknown or invisible code is invalid input.
        parents = Customer.objects.restrict(user, "view" if customer is None else "change")
        if customer is not None and customer.parent_id:
            parents = parents | Customer.objects.filter(pk=customer.parent_id)
        fields["parent"] = resolve(
            parents,
            data["parent_code"],
            "parent_code",
            _("Unknown customer code %(code)s."),
            errors,
            code=data["parent_code"],
        )
    if "org_unit" in data:
        fields["org_unit"] = resolve(
            OrgUnit.objects.restrict(user, "view"),
            data["org_unit"],
            "org_unit",
            _("Unknown org unit code %(code)s."),
            errors,
            code=data["org_unit"],
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
    uscc = fields.get("uscc")
    if uscc:
        # Unique across all customers (a database constraint), not only those the caller sees.
        taken = Customer._base_manager.filter(uscc=uscc)
        if customer is not None:
            taken = taken.exclude(pk=customer.pk)
        if taken.exists():
            errors["uscc"] = _("Another customer already has this unified social credit code.")
    if errors:
        raise invalid(errors)
    return fields


# --- endpoints -------------------------------------------------------------------------------

CodeParam = Annotated[str, Path(pattern=CODE_PATTERN, max_length=64)]


@router.get("", response={200: list[CustomerOut], **READ_ERRORS}, operation_id="list_customers")
@paginate(Pagination)
def list_customers(request, filters: Query[CustomerFilters]):
    """Customers you may see, filtered like the web list (org unit and region include subtrees)."""
    return apply_filters(CustomerFilterSet, filters, _customers(acting_user(request)))


@router.post("", response={201: CustomerDetailOut, **CREATE_ERRORS}, operation_id="create_customer")
def create_customer(request, payload: CustomerIn):
    """A new headquarters, or a branch with `parent_code`; codes of enumerations or Chinese labels."""
    user = acting_user(request)
    check_may_create(Customer, user)  # 403 before any code is looked up
    data = payload.model_dump()
    fields = _fields_from_payload(user, data)
    customer = run_action(
        do_create_customer, fields, actor=user, source="api", field_names=FIELD_NAMES
    )
    return Status(201, _detail(user, pk=customer.pk))


@router.get(
    "/{code}",
    response={200: CustomerDetailOut, 403: ErrorOut, **DETAIL_ERRORS},
    operation_id="get_customer",
)
def get_customer(
    request,
    code: CodeParam,
    unmask: Annotated[
        bool,
        Query(
            description="Reveal the contacts' phone numbers and e-mail addresses (needs the "
            "view_personal_data permission, else 403; every reveal is logged)"
        ),
    ] = False,
):
    """One customer with its contacts; unknown and out-of-scope codes both answer 404.

    Contact phone numbers and e-mail addresses are masked unless `unmask=true`."""
    user = acting_user(request)
    if unmask and not can_view_personal_data(user):
        raise HttpError(403, _("You are not allowed to view personal data."))
    customer = _detail(user, code=code)
    if unmask:
        contacts = list(customer.contacts.all())
        for contact in contacts:
            do_reveal_personal_data(contact, actor=user, source="api")
        request.revealed_personal_data = {contact.pk for contact in contacts}
    return customer


@router.patch(
    "/{code}", response={200: CustomerDetailOut, **UPDATE_ERRORS}, operation_id="update_customer"
)
def update_customer(request, code: CodeParam, payload: CustomerPatch):
    """Change the fields sent. `version` must be the one you read, else 409 and nothing changes."""
    user = acting_user(request)
    customer = get_scoped(_customers(user, "change"), code=code)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    fields = _fields_from_payload(user, data, customer=customer)
    run_action(
        do_update_customer,
        customer,
        fields,
        expected_version=version,
        actor=user,
        source="api",
        field_names=FIELD_NAMES,
    )
    return _detail(user, pk=customer.pk)


@router.get(
    "/{code}/children",
    response={200: list[CustomerOut], **DETAIL_ERRORS},
    operation_id="list_customer_children",
)
@paginate(Pagination)
def list_customer_children(request, code: CodeParam, subtree: bool = False):
    """A customer's branches: direct ones, or with `subtree=true` every branch below it."""
    user = acting_user(request)
    customer = get_scoped(Customer.objects.restrict(user, "view").only("pk", "path"), code=code)
    qs = _customers(user)
    if subtree:
        qs = qs.filter(path__startswith=customer.path).exclude(pk=customer.pk)
    else:
        qs = qs.filter(parent=customer)
    return qs.order_by("path", "pk")
