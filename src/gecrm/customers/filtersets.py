import django_filters
from django.db import connections
from django.utils.translation import gettext_lazy as _

from gecrm.core.filters import RegionFilter, SubtreeFilter
from gecrm.org.models import OrgUnit

from .choices import CustomerStatus, Industry, Segment
from .models import Customer, group_q
from .search import customer_search_q


class CodeTiebreakOrdering(django_filters.OrderingFilter):
    """Sorting by a column with ties (names, their pinyin) ends with the code: stable pages."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        order = qs.query.order_by
        if value and not {"code", "-code"} & set(order):
            # The same direction as the first key, so "-name" is exactly "name" reversed.
            qs = qs.order_by(*order, "-code" if str(order[0]).startswith("-") else "code")
        return qs


class CustomerFilterSet(django_filters.FilterSet):
    """Filters of the customer list: the web page, the API and `gecrm export customers`."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    segment = django_filters.ChoiceFilter(choices=Segment.choices, label=_("Segment"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    org_unit = SubtreeFilter(field_name="org_unit", tree_model=OrgUnit, label=_("Org unit"))
    region = RegionFilter(field_name="region__code", label=_("Region"))
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices, label=_("Status"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent code"))
    headquarters = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label=_("Headquarters only")
    )
    group = django_filters.BooleanFilter(method="filter_group", label=_("Customer groups only"))
    ordering = CodeTiebreakOrdering(
        fields=(
            ("code", "code"),
            # Chinese names sort by their pinyin (then code, for a stable order).
            ("name_pinyin", "name"),
            ("segment", "segment"),
            ("updated_at", "updated_at"),
        ),
        label=_("Sort"),
    )

    class Meta:
        model = Customer
        fields = []

    def filter_group(self, qs, name, value):
        """`true`: the customer groups (`CustomerQuerySet.groups`); `false`: every other customer."""
        if value is None:
            return qs
        return qs.filter(group_q()) if value else qs.exclude(group_q())

    def search(self, qs, name, value):
        # Every word must match: code/USCC exactly, the name anywhere, pinyin by prefix, contacts
        # by name prefix or complete phone/e-mail (see customers/search.py).
        if not value.strip():
            return qs
        return qs.filter(customer_search_q(value, connections[qs.db].vendor))
