"""Pagination for large, scoped lists."""

from django.core.paginator import Paginator


class IdsFirstPaginator(Paginator):
    """Fetch a page's primary keys first, then its rows with their joins.

    Sorting a scoped million-row table by code costs little when only (code, id) pairs are
    sorted from an index; sorting whole joined rows costs seconds. The second query looks the
    page's rows up by primary key and keeps the queryset's select_related and annotations.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        by_pk = {obj.pk: obj for obj in queryset.filter(pk__in=ids)} if ids else {}
        return self._get_page([by_pk[pk] for pk in ids if pk in by_pk], number, self)
