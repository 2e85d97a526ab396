"""Filters of revenue facts (the billing export) and import batches (the batches page)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from gecrm.core.months import parse_month

from .models import ImportBatch, Revenue


class MonthField(forms.CharField):
    """`YYYY-MM` (or any form `parse_month` reads) → YYYYMM."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class RevenueFilterSet(django_filters.FilterSet):
    month = MonthFilter(field_name="month", label=_("Month"))
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=_("From month"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=_("To month"))
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    product = django_filters.CharFilter(field_name="product__code", label=_("Product code"))

    class Meta:
        model = Revenue
        fields = []


class ImportBatchFilterSet(django_filters.FilterSet):
    month = MonthFilter(method="touching", label=_("Month"))
    status = django_filters.ChoiceFilter(choices=ImportBatch.Status.choices, label=_("Status"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("id", "id"),
            ("file_name", "file"),
            ("first_month", "months"),
            ("rows", "rows"),
            ("facts", "facts"),
            ("replaced", "replaced"),
            ("total_cents", "total"),
            ("created_at", "time"),
            ("status", "status"),
        ),
        label=_("Sort"),
    )

    class Meta:
        model = ImportBatch
        fields = []

    def touching(self, queryset, name, value):
        """Batches that wrote the month (one indexed semi-join on BatchMonth)."""
        from .models import BatchMonth

        return queryset.filter(pk__in=BatchMonth.objects.filter(month=value).values("batch_id"))
