import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gecrm.customers.choices import Segment

from .choices import Role
from .models import Assignment, PilotCustomer, active_on_q


class AssignmentFilterSet(django_filters.FilterSet):
    """Filters of assignments: the API list and `gecrm export assignments`."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    username = django_filters.CharFilter(field_name="user__username", label=_("Username"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("Active today"))
    ordering = django_filters.OrderingFilter(
        fields=(("customer__code", "customer"), ("start", "start"), ("role", "role")),
        label=_("Sort"),
    )

    class Meta:
        model = Assignment
        fields = []

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(customer__code=value)
            | Q(customer__code=value.upper())
            | Q(user__username=value)
            | Q(customer__name__icontains=value)
        )

    def filter_active(self, qs, name, value):
        if value is None:
            return qs
        today = active_on_q(timezone.localdate())
        return qs.filter(today) if value else qs.exclude(today)


class PilotCustomerFilterSet(django_filters.FilterSet):
    """Filters of pilot customers: the programme page's list and `gecrm export pilots`."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    program = django_filters.CharFilter(field_name="program__code", label=_("Programme code"))
    segment = django_filters.ChoiceFilter(
        field_name="customer__segment", choices=Segment.choices, label=_("Segment")
    )
    org_unit = django_filters.CharFilter(
        field_name="org_unit__code", label=_("Responsible org unit")
    )
    phase = django_filters.NumberFilter(field_name="phase__number", label=_("Phase"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("customer__code", "customer"),
            ("customer__name_pinyin", "name"),  # names sort by pinyin
            ("customer__segment", "segment"),
            ("org_unit__code", "org_unit"),
            ("phase__number", "phase"),
        ),
        label=_("Sort"),
    )

    class Meta:
        model = PilotCustomer
        fields = []

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(customer__code=value)
            | Q(customer__code=value.upper())
            | Q(customer__name__icontains=value)
        )
