"""The name bigram index: "anywhere in the name" without reading every name.

`customers_name_gram (gram, customer_id)` holds every two-character substring of each customer's
lower-cased name (大地银行 → 大地, 地银, 银行), keyed by (gram, customer_id). Database triggers
(migration `customers/0003`, SQLite and PostgreSQL) fill it on every insert of a customer and on
every change of a name, whatever writes it: the actions, the bulk import, the demo generator, the
admin, raw SQL (on SQLite the bulk inserts of the import and the demo fill it in one statement
instead: `deferred_grams`). A word of two or more characters finds its candidates through the index (its
rarest-looking bigram drives, up to three more must be present), then checks `name LIKE
'%word%'` on those rows only; a one-character word reads the name index through.

Deleted customers leave their bigrams behind (no delete trigger, so wiping a million customers
stays fast; `wipe_grams` empties the table): a stale bigram only proposes a candidate that the
LIKE check drops, so results are always exact.
"""

import contextlib

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


# The SQLite insert trigger of migration customers/0003 (re-created by `deferred_grams`).
SQLITE_INSERT_TRIGGER = """CREATE TRIGGER customers_name_gram_insert AFTER INSERT ON customers_customer
BEGIN
    INSERT OR IGNORE INTO customers_name_gram (gram, customer_id)
    SELECT substr(lower(NEW.name), n, 2), NEW.id FROM customers_name_gram_position
    WHERE n < length(NEW.name);
END"""
SQLITE_FILL = (
    f"INSERT OR IGNORE INTO {TABLE} (gram, customer_id) "  # noqa: S608 - fixed names
    f"SELECT substr(lower(c.name), p.n, 2), c.id FROM customers_customer c "
    f"JOIN {POSITIONS} p ON p.n < length(c.name) WHERE c.id > %s ORDER BY 1, 2"
)


@contextlib.contextmanager
def deferred_grams():
    """Bulk inserts of customers (the import, the demo) on SQLite: the row-by-row insert trigger
    is dropped inside, and on success one sorted `INSERT … SELECT` gives every new customer (ids
    above the largest before) its bigrams, then the trigger is back — 3–5× cheaper than a
    trigger per row. Inside a transaction: a failure rolls the DROP back with everything else.
    PostgreSQL keeps its trigger (dropping one would lock the table against readers)."""
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM customers_customer")
        start = cursor.fetchone()[0]
        cursor.execute("DROP TRIGGER customers_name_gram_insert")
    yield
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_FILL, [start])
        cursor.execute(SQLITE_INSERT_TRIGGER)


def wipe_grams(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"TRUNCATE {TABLE}")
    else:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
