"""The name bigram index: "anywhere in the name" without reading every name.

`customers_name_gram (gram, customer_id)` holds every two-character substring of each customer's
lower-cased name (大地银行 → 大地, 地银, 银行), keyed by (gram, customer_id). Database triggers
(migration `customers/0003`, SQLite and PostgreSQL) fill it on every insert of a customer and on
every change of a name, whatever writes it: the actions, the bulk import, the demo generator, the
admin, raw SQL. A word of two or more characters finds its candidates through the index (its
rarest-looking bigram drives, up to three more must be present), then checks `name LIKE
'%word%'` on those rows only; a one-character word reads the name index through.

Deleted customers leave their bigrams behind (no delete trigger, so wiping a million customers
stays fast; `wipe_grams` empties the table): a stale bigram only proposes a candidate that the
LIKE check drops, so results are always exact.
"""

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

TABLE = "customers_name_gram"
POSITIONS = "customers_name_gram_position"
MAX_PROBES = 3  # bigrams checked besides the driving one
# Characters in a great many organisation names: a bigram made of them is a poor driver.
COMMON = set("公司有限分行银中国集团省市区县局科技股份责任业务部厅委会院校学医社合作")


def bigrams(word: str) -> list[str]:
    text = word.lower()
    seen = []
    for i in range(len(text) - 1):
        gram = text[i : i + 2]
        if gram not in seen:
            seen.append(gram)
    return seen


def name_contains(customers: QuerySet, word: str) -> QuerySet:
    """The customers of `customers` whose name contains `word` (case-insensitive)."""
    grams = bigrams(word)
    matching = customers.filter(name__icontains=word)
    if not grams:
        return matching
    ranked = sorted(grams, key=lambda g: sum(ch in COMMON for ch in g))
    drive, probes = ranked[0], ranked[1 : 1 + MAX_PROBES]
    sql = f"SELECT g0.customer_id FROM {TABLE} g0 WHERE g0.gram = %s"  # noqa: S608 - fixed names
    for i, _gram in enumerate(probes, start=1):
        sql += (
            f" AND EXISTS (SELECT 1 FROM {TABLE} g{i} WHERE g{i}.gram = %s"  # noqa: S608
            f" AND g{i}.customer_id = g0.customer_id)"
        )
    return matching.filter(pk__in=RawSQL(sql, [drive, *probes]))  # noqa: S611 - bound values


def wipe_grams(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"TRUNCATE {TABLE}")
    else:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
