import django_filters
from django.utils.translation import gettext_lazy as _

from gecrm.core.filters import search_q

from .choices import ProductCategory
from .models import Product


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ChoiceFilter(choices=ProductCategory.choices, label=_("Category"))
    is_ict = django_filters.BooleanFilter(label=_("ICT"))
    ordering = django_filters.OrderingFilter(
        fields=(("code", "code"), ("name", "name"), ("category", "category")), label=_("Sort")
    )

    class Meta:
        model = Product
        fields = []

    def search(self, qs, name, value):
        return qs.filter(search_q(value, ["code"], ["name"])) if value.strip() else qs
