import django_filters
from django.utils.translation import gettext_lazy as _

from gecrm.core.filters import RegionFilter, SubtreeFilter, search_q
from gecrm.org.models import OrgUnit

from .choices import CustomerStatus, Industry, Segment
from .models import Customer, group_q


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
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
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
        # Code and USCC match exactly (indexed); the name matches anywhere.
        return qs.filter(search_q(value, ["code", "uscc"], ["name"])) if value.strip() else qs
