"""State of the revenue tables as plain Python, to compare before/after."""

from collections import defaultdict

from gecrm.finance.models import CustomerMonth, ImportBatch, ReplacedRevenue, Revenue


def facts() -> dict[tuple[int, str, str], int]:
    return {
        (m, c, p): a
        for m, c, p, a in Revenue.objects.values_list(
            "month", "customer__code", "product__code", "amount_cents"
        )
    }


def facts_with_batch() -> set[tuple]:
    return set(
        Revenue.objects.values_list(
            "month", "customer__code", "product__code", "amount_cents", "batch_id"
        )
    )


def rollup() -> dict[tuple[str, int], tuple[int, int]]:
    return {
        (c, m): (r, i)
        for c, m, r, i in CustomerMonth.objects.values_list(
            "customer__code", "month", "revenue_cents", "ict_cents"
        )
    }


def expected_rollup() -> dict[tuple[str, int], tuple[int, int]]:
    """The rollup computed the straightforward way from the facts."""
    totals = defaultdict(lambda: [0, 0])
    for m, c, a, ict in Revenue.objects.values_list(
        "month", "customer__code", "amount_cents", "product__is_ict"
    ):
        totals[(c, m)][0] += a
        if ict:
            totals[(c, m)][1] += a
    return {k: tuple(v) for k, v in totals.items()}


def state() -> tuple:
    return (
        facts_with_batch(),
        rollup(),
        list(ImportBatch.objects.order_by("pk").values()),
        set(
            ReplacedRevenue.objects.values_list("batch_id", "month", "customer_id", "amount_cents")
        ),
    )
