"""The product catalogue over HTTP: list, detail, create, update."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from gecrm.core.api import (
    CODE_PATTERN,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    READ_ERRORS,
    UPDATE_ERRORS,
    Code,
    InputSchema,
    Pagination,
    Text,
    Version,
    acting_user,
    apply_filters,
    choice_input,
    filter_schema,
    get_scoped,
    label_of,
    run_action,
)

from .actions import do_create_product, do_update_product
from .choices import ICT_CATEGORIES, ProductCategory
from .filtersets import ProductFilterSet
from .models import Product

router = Router(tags=["products"])
CodeParam = Annotated[str, Path(pattern=CODE_PATTERN, max_length=64)]
CategoryCode = choice_input(ProductCategory)
ProductName = Annotated[Text, Field(min_length=1, max_length=100)]


class ProductOut(Schema):
    code: str
    name: str
    category: str
    category_label: str
    is_ict: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_category_label(obj):
        return label_of(ProductCategory, obj.category)


class ProductIn(InputSchema):
    code: Code
    name: ProductName
    category: CategoryCode
    is_ict: bool | None = Field(
        None, description="ICT business; when omitted, derived from the category"
    )


class ProductPatch(InputSchema):
    version: Version
    name: ProductName = None
    category: CategoryCode = None
    is_ict: bool = None


ProductFilters = filter_schema(ProductFilterSet, "ProductFilters")


def _products(user, action: str = "view"):
    return Product.objects.restrict(user, action)


@router.get("", response={200: list[ProductOut], **READ_ERRORS}, operation_id="list_products")
@paginate(Pagination)
def list_products(request, filters: Query[ProductFilters]):
    """The product catalogue; filter by category, ICT flag or search text."""
    return apply_filters(ProductFilterSet, filters, _products(acting_user(request)))


@router.post("", response={201: ProductOut, **CREATE_ERRORS}, operation_id="create_product")
def create_product(request, payload: ProductIn):
    """A new product; without `is_ict` the flag follows the category."""
    fields = payload.model_dump()
    if fields["is_ict"] is None:
        fields["is_ict"] = fields["category"] in ICT_CATEGORIES
    product = run_action(do_create_product, fields, actor=acting_user(request), source="api")
    return Status(201, product)


@router.get("/{code}", response={200: ProductOut, **DETAIL_ERRORS}, operation_id="get_product")
def get_product(request, code: CodeParam):
    """One product by code."""
    return get_scoped(_products(acting_user(request)), code=code)


@router.patch("/{code}", response={200: ProductOut, **UPDATE_ERRORS}, operation_id="update_product")
def update_product(request, code: CodeParam, payload: ProductPatch):
    """Change the fields sent. `version` must be the one you read, else 409 and nothing changes."""
    user = acting_user(request)
    product = get_scoped(_products(user, "change"), code=code)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    run_action(
        do_update_product, product, changes, expected_version=version, actor=user, source="api"
    )
    return product
