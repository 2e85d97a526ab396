"""Account assignments over HTTP: the list of those you may see."""

import datetime

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gecrm.core.api import (
    READ_ERRORS,
    Pagination,
    acting_user,
    apply_filters,
    filter_schema,
    label_of,
)

from .choices import Role
from .filtersets import AssignmentFilterSet
from .models import Assignment

router = Router(tags=["assignments"])


class AssignmentOut(Schema):
    id: int
    customer_code: str
    customer_name: str
    username: str
    staff_name: str
    role: str
    role_label: str
    start: datetime.date
    end: datetime.date | None
    active: bool
    version: int

    @staticmethod
    def resolve_customer_code(obj):
        return obj.customer.code

    @staticmethod
    def resolve_customer_name(obj):
        return obj.customer.name

    @staticmethod
    def resolve_username(obj):
        return obj.user.username

    @staticmethod
    def resolve_staff_name(obj):
        staff = getattr(obj.user, "staff", None)
        return staff.name if staff else ""

    @staticmethod
    def resolve_role_label(obj):
        return label_of(Role, obj.role)

    @staticmethod
    def resolve_active(obj):
        return obj.is_active()


AssignmentFilters = filter_schema(AssignmentFilterSet, "AssignmentFilters")


@router.get("", response={200: list[AssignmentOut], **READ_ERRORS}, operation_id="list_assignments")
@paginate(Pagination)
def list_assignments(request, filters: Query[AssignmentFilters]):
    """Account assignments you may see (those of customers in your scope, and your own)."""
    queryset = Assignment.objects.restrict(acting_user(request), "view").select_related(
        "customer", "user__staff"
    )
    return apply_filters(AssignmentFilterSet, filters, queryset)
