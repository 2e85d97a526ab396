"""Filters shared by every app's filtersets."""

import django_filters
from django.db.models import Q


class SubtreeFilter(django_filters.CharFilter):
    """Filter by a tree node's code, including everything below it.

    `field_name` is the foreign key to the tree model (e.g. `org_unit`); the lookup is one indexed
    prefix scan on the node's path, joined, never a recursive query.
    """

    def __init__(self, *args, tree_model=None, **kwargs):
        self.tree_model = tree_model
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        node = self.tree_model._base_manager.filter(code=value).only("path").first()
        if node is None:
            return qs.none()
        prefix = f"{self.field_name}__path__startswith" if self.field_name else "path__startswith"
        return qs.filter(**{prefix: node.path})


class RegionFilter(django_filters.CharFilter):
    """Filter by a GB/T 2260 code, including the divisions inside it (440000 covers 4403xx)."""

    def filter(self, qs, value):
        if not value:
            return qs
        value = value.strip()
        if len(value) != 6 or not value.isdigit():
            return qs.none()
        prefix = value.rstrip("0")
        # A province (44) or prefecture (4403) code matches by prefix; keep at least 2 digits.
        prefix = value[: max(2, len(prefix) + (len(prefix) % 2))]
        return qs.filter(**{f"{self.field_name}__startswith": prefix})


def search_q(value: str, exact_fields: list[str], contains_fields: list[str]) -> Q:
    value = value.strip()
    q = Q()
    for name in exact_fields:
        q |= Q(**{name: value}) | Q(**{name: value.upper()})
    for name in contains_fields:
        q |= Q(**{f"{name}__icontains": value})
    return q


def prefix_q(field_name: str, prefix: str, vendor: str) -> Q:
    """`field_name` starts with `prefix`, as an index range scan on both databases.

    PostgreSQL's `LIKE 'x%'` uses the pattern index Django creates for indexed text columns;
    SQLite's LIKE uses no index (it is case-insensitive), so there it is the range
    `[prefix, prefix + U+10FFFF)`, which holds exactly the strings starting with `prefix` under
    SQLite's byte-wise (BINARY) order.
    """
    if vendor == "postgresql":
        return Q(**{f"{field_name}__startswith": prefix})
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix + "\U0010ffff"})
