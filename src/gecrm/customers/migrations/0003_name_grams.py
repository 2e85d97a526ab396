"""The name bigram index and the triggers that keep it (see gecrm/customers/grams.py)."""

from django.db import migrations

MAX_NAME = 255

SQLITE = [
    "CREATE TABLE customers_name_gram (gram TEXT NOT NULL, customer_id INTEGER NOT NULL, "
    "PRIMARY KEY (gram, customer_id)) WITHOUT ROWID",
    "CREATE TABLE customers_name_gram_position (n INTEGER PRIMARY KEY)",
    f"WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < {MAX_NAME}) "
    "INSERT INTO customers_name_gram_position (n) SELECT n FROM p",
    """CREATE TRIGGER customers_name_gram_insert AFTER INSERT ON customers_customer BEGIN
        INSERT OR IGNORE INTO customers_name_gram (gram, customer_id)
        SELECT substr(lower(NEW.name), n, 2), NEW.id FROM customers_name_gram_position
        WHERE n < length(NEW.name);
    END""",
    """CREATE TRIGGER customers_name_gram_update AFTER UPDATE OF name ON customers_customer
    WHEN OLD.name IS NOT NEW.name BEGIN
        DELETE FROM customers_name_gram WHERE customer_id = OLD.id AND gram IN (
            SELECT substr(lower(OLD.name), n, 2) FROM customers_name_gram_position
            WHERE n < length(OLD.name));
        INSERT OR IGNORE INTO customers_name_gram (gram, customer_id)
        SELECT substr(lower(NEW.name), n, 2), NEW.id FROM customers_name_gram_position
        WHERE n < length(NEW.name);
    END""",
    "INSERT OR IGNORE INTO customers_name_gram (gram, customer_id) "
    "SELECT substr(lower(c.name), p.n, 2), c.id FROM customers_customer c "
    "JOIN customers_name_gram_position p ON p.n < length(c.name)",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS customers_name_gram_update",
    "DROP TRIGGER IF EXISTS customers_name_gram_insert",
    "DROP TABLE IF EXISTS customers_name_gram_position",
    "DROP TABLE IF EXISTS customers_name_gram",
]

POSTGRESQL = [
    "CREATE TABLE customers_name_gram (gram varchar(2) NOT NULL, customer_id bigint NOT NULL, "
    "PRIMARY KEY (gram, customer_id))",
    """CREATE FUNCTION customers_name_grams() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            DELETE FROM customers_name_gram WHERE customer_id = OLD.id AND gram IN (
                SELECT substr(lower(OLD.name), n, 2)
                FROM generate_series(1, char_length(OLD.name) - 1) AS n);
        END IF;
        INSERT INTO customers_name_gram (gram, customer_id)
        SELECT substr(lower(NEW.name), n, 2), NEW.id
        FROM generate_series(1, char_length(NEW.name) - 1) AS n
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER customers_name_gram_insert AFTER INSERT ON customers_customer "
    "FOR EACH ROW EXECUTE FUNCTION customers_name_grams()",
    "CREATE TRIGGER customers_name_gram_update AFTER UPDATE OF name ON customers_customer "
    "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) "
    "EXECUTE FUNCTION customers_name_grams()",
    "INSERT INTO customers_name_gram (gram, customer_id) "
    "SELECT DISTINCT substr(lower(c.name), n, 2), c.id FROM customers_customer c, "
    "generate_series(1, char_length(c.name) - 1) AS n ON CONFLICT DO NOTHING",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS customers_name_gram_update ON customers_customer",
    "DROP TRIGGER IF EXISTS customers_name_gram_insert ON customers_customer",
    "DROP FUNCTION IF EXISTS customers_name_grams()",
    "DROP TABLE IF EXISTS customers_name_gram",
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        with schema_editor.connection.cursor() as cursor:
            for sql in statements[vendor]:
                cursor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_search_keys")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
