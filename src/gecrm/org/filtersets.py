import django_filters
from django.utils.translation import gettext_lazy as _

from gecrm.core.filters import SubtreeFilter, search_q
from gecrm.customers.choices import Segment

from .choices import OrgUnitKind, Post
from .models import OrgUnit, Staff


class OrgUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=OrgUnitKind.choices, label=_("Kind"))
    segment = django_filters.ChoiceFilter(choices=Segment.choices, label=_("Segment"))
    within = SubtreeFilter(field_name="", tree_model=OrgUnit, label=_("Within"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent code"))
    ordering = django_filters.OrderingFilter(
        fields=(("path", "path"), ("code", "code"), ("name", "name")), label=_("Sort")
    )

    class Meta:
        model = OrgUnit
        fields = []

    def search(self, qs, name, value):
        return qs.filter(search_q(value, ["code"], ["name"])) if value.strip() else qs


class StaffFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    org_unit = SubtreeFilter(field_name="org_unit", tree_model=OrgUnit, label=_("Org unit"))
    post = django_filters.ChoiceFilter(
        field_name="posts__post", choices=Post.choices, distinct=True, label=_("Post")
    )
    ordering = django_filters.OrderingFilter(
        fields=(("user__username", "username"), ("name", "name"), ("org_unit__path", "org_unit")),
        label=_("Sort"),
    )

    class Meta:
        model = Staff
        fields = []

    def search(self, qs, name, value):
        return qs.filter(search_q(value, ["user__username"], ["name"])) if value.strip() else qs
