"""Every write to products."""

from django.db import transaction

from gecrm.access.creating import check_may_create
from gecrm.core.changes import create_logged, update_versioned

from .models import Product


def do_create_product(fields: dict, *, actor, source: str = "web") -> Product:
    """Administrators only (`gecrm.access.creating`: the change scope of products)."""
    check_may_create(Product, actor)
    return create_logged(Product(**fields), actor=actor, source=source)


def do_update_product(
    product: Product, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    with transaction.atomic():
        changed = update_versioned(
            product, changes, expected_version=expected_version, actor=actor, source=source
        )
        if "is_ict" in changed:
            ict_flag_changed()
    return changed


def ict_flag_changed() -> None:
    """Revenue rolled up by ICT flag must follow (in the caller's transaction)."""
    from gecrm.finance.actions import product_ict_changed

    product_ict_changed()
