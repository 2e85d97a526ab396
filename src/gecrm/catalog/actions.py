"""Every write to products."""

from gecrm.core.changes import create_logged, update_versioned

from .models import Product


def do_create_product(fields: dict, *, actor, source: str = "web") -> Product:
    return create_logged(Product(**fields), actor=actor, source=source)


def do_update_product(
    product: Product, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    return update_versioned(
        product, changes, expected_version=expected_version, actor=actor, source=source
    )
