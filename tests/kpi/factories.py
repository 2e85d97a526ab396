"""Revenue facts for KPI tests: `Revenue` rows under one import batch, then the rollup."""

import datetime
import itertools

from gecrm.accounts.models import Assignment
from gecrm.catalog.actions import do_create_product
from gecrm.catalog.models import Product
from gecrm.finance.actions import rebuild_rollup
from gecrm.finance.models import ImportBatch, Revenue

_batch_numbers = itertools.count(1)


def product(code: str, *, ict: bool, actor=None) -> Product:
    existing = Product.objects.filter(code=code).first()
    if existing:
        return existing
    return do_create_product(
        {"code": code, "name": f"产品{code}", "category": "cloud" if ict else "fixed",
         "is_ict": ict},
        actor=actor,
        source="test",
    )  # fmt: skip


def batch() -> ImportBatch:
    return ImportBatch.objects.create(
        file_name=f"test-{next(_batch_numbers)}.csv",
        checksum="0" * 64,
        first_month=200001,
        last_month=200001,
    )


def facts(rows, *, rollup: bool = True) -> set[int]:
    """Insert facts `(month, customer, product, yuan)` (yuan may be a Decimal/str/int) and
    rebuild the rollup of their months. Rows for the same (month, customer, product) add up."""
    from gecrm.finance.money import to_cents

    the_batch = batch()
    summed: dict[tuple, int] = {}
    for month, customer, prod, amount in rows:
        key = (month, customer.pk, prod.pk)
        summed[key] = summed.get(key, 0) + to_cents(str(amount))
    months = {key[0] for key in summed}
    for (month, customer_id, product_id), cents in summed.items():
        Revenue.objects.update_or_create(
            month=month,
            customer_id=customer_id,
            product_id=product_id,
            defaults={"amount_cents": cents, "batch": the_batch},
        )
    if rollup:
        rebuild_rollup(months)
    return months


def assign_chief(customer, user, start, end=None) -> Assignment:
    """A chief AM assignment written directly (the action checks posts and sends signals)."""
    return Assignment.objects.create(
        customer=customer,
        user=user,
        role="chief_am",
        start=start if isinstance(start, datetime.date) else datetime.date.fromisoformat(start),
        end=end if end is None or isinstance(end, datetime.date)
        else datetime.date.fromisoformat(end),
    )  # fmt: skip
