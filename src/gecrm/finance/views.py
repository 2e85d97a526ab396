"""Billing import batches: list, detail (per-month totals) and rollback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gecrm.core.importing import can_import
from gecrm.core.months import format_month
from gecrm.core.views import ObjectListView, change_rows, object_history

from .actions import BillingError, blocking_batch, rollback_batch
from .filtersets import ImportBatchFilterSet
from .models import ImportBatch, ReplacedRevenue, Revenue
from .money import from_cents


class BatchListView(ObjectListView):
    model = ImportBatch
    filterset_class = ImportBatchFilterSet
    template_name = "finance/batch_list.html"
    table_template_name = "finance/batch_table.html"
    select_related = ("created_by", "rolled_back_by")

    def get_extra_context(self, request) -> dict:
        return {"can_import": can_import(request.user)}


batch_list = BatchListView.as_view()


def _batches(request):
    return ImportBatch.objects.restrict(request.user).select_related("created_by", "rolled_back_by")


@login_required
@require_GET
def batch_detail(request, pk):
    batch = get_object_or_404(_batches(request), pk=pk)
    # Per-month figures in two GROUP BY queries: what the batch wrote (still in the facts while
    # it is active) and what it replaced (kept for the rollback).
    written = {
        row["month"]: row
        for row in Revenue.objects.filter(batch=batch)
        .values("month")
        .annotate(facts=Count("id"), total=Sum("amount_cents"))
        .order_by()
    }
    replaced = {
        row["month"]: row
        for row in ReplacedRevenue.objects.filter(batch=batch)
        .values("month")
        .annotate(facts=Count("id"), total=Sum("amount_cents"))
        .order_by()
    }
    months = [
        {
            "month": format_month(month),
            "facts": written.get(month, {}).get("facts", 0),
            "total": from_cents(written.get(month, {}).get("total") or 0),
            "replaced": replaced.get(month, {}).get("facts", 0),
            "replaced_total": from_cents(replaced.get(month, {}).get("total") or 0),
        }
        for month in batch.month_rows.order_by("month").values_list("month", flat=True)
    ]
    active = batch.status == ImportBatch.Status.ACTIVE
    blocker = blocking_batch(batch) if active else None
    return render(
        request,
        "finance/batch_detail.html",
        {
            "batch": batch,
            "months": months,
            "blocker": blocker,
            "can_rollback": active and blocker is None and can_import(request.user),
            "can_import": can_import(request.user),
            "history": change_rows(object_history(batch), ImportBatch),
        },
    )


@login_required
@require_POST
def batch_rollback(request, pk):
    if not can_import(request.user):
        raise PermissionDenied(
            _("Only administrators and sales controllers may roll back imports.")
        )
    batch = get_object_or_404(_batches(request), pk=pk)
    try:
        rollback_batch(batch, request.user)
    except BillingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Import batch #%(id)d was rolled back: the previous facts of its months are back.")
            % {"id": batch.pk},
        )
    return redirect("finance:batch_detail", pk=batch.pk)
