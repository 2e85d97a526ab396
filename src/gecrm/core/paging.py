"""Pagination for large, scoped lists."""

from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import F
from django.db.models.functions import Collate

# Below this many rows, sorting the page's keys beats walking the whole table in index order.
SORT_BELOW = 300_000


class IdsFirstPaginator(Paginator):
    """Fetch a page's primary keys first, then its rows with their joins.

    Sorting a scoped million-row table by code costs little when only (code, id) pairs are
    sorted from an index; sorting whole joined rows costs seconds. The second query looks the
    page's rows up by primary key and keeps the queryset's select_related and annotations.

    PostgreSQL's planner assumes a scope's rows are spread evenly over the code index and walks
    it to find the first page, which takes seconds when they are not (a province's customer
    codes start with its region code). For a scope of fewer than SORT_BELOW rows the keys are
    sorted byte-wise (`COLLATE "C"`, the same order for codes), which no index provides, so the
    planner finds the scope's rows through its own filters and sorts them.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        keys = queryset
        if connections[queryset.db].vendor == "postgresql" and self.count < SORT_BELOW:
            keys = queryset.order_by(*self._bytewise(queryset))
        ids = list(keys.values_list("pk", flat=True)[bottom:top])
        by_pk = {obj.pk: obj for obj in queryset.filter(pk__in=ids)} if ids else {}
        return self._get_page([by_pk[pk] for pk in ids if pk in by_pk], number, self)

    @staticmethod
    def _bytewise(queryset):
        query = queryset.query
        order = list(query.order_by) or list(queryset.model._meta.ordering)
        result = []
        for item in order:
            if not isinstance(item, str):
                result.append(item)
                continue
            name = item.lstrip("-")
            try:
                field = queryset.model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - a related lookup or annotation: keep it as is
                field = None
            if isinstance(field, models.CharField | models.TextField):
                expression = Collate(F(name), "C")
                result.append(expression.desc() if item.startswith("-") else expression.asc())
            else:
                result.append(item)
        return result
