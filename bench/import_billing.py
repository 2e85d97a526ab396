"""Benchmark: `gecrm import billing` against a bare load of the same CSV, with peak memory.

    DATABASE_URL=... uv run --frozen python bench/import_billing.py [--rows N] [--months M]

Creates the reference data directly (100,000 customers, 50 products), generates N billing rows
(default 1,000,000) as CSV, then in one run measures

(a) `gecrm import billing FILE` in a child process: rows/s, and the child's peak RSS
    (`resource.getrusage(RUSAGE_CHILDREN)`), which stays flat whatever N is because rows are
    never held in Python (PostgreSQL: the file is COPYed into a staging table; SQLite: rows are
    parsed and staged in chunks);
(b) the lower bound: the same CSV loaded into a plain table of four text columns — a bare
    `COPY … FROM STDIN (FORMAT csv)` of the file's bytes on PostgreSQL, or on SQLite the rows
    parsed with `csv` and inserted with one `executemany`;

and prints the ratio (a)/(b) (target ≤ 3 on PostgreSQL), then times a re-import of the same file
(idempotent: nothing written). Not run by `make test`.
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/gecrm_bench_billing.sqlite3")
os.environ.setdefault("GECRM_VAR_DIR", "/tmp/gecrm_bench_billing")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from gecrm.catalog.models import Product  # noqa: E402
from gecrm.customers.models import Customer  # noqa: E402
from gecrm.finance.models import (  # noqa: E402
    BatchMonth,
    CustomerMonth,
    ImportBatch,
    ReplacedRevenue,
    Revenue,
)
from gecrm.org.actions import do_create_org_unit  # noqa: E402
from gecrm.org.models import OrgUnit  # noqa: E402

BARE = "bench_bare_billing"
CUSTOMERS = 100_000
PRODUCTS = 50


def setup_database() -> None:
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
        connection.close()
    call_command("migrate", verbosity=0)
    tables = [m._meta.db_table for m in (ReplacedRevenue, Revenue, CustomerMonth, BatchMonth,
                                         ImportBatch)]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE}")
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    if not OrgUnit.objects.filter(code="HQ").exists():
        do_create_org_unit(
            {"code": "HQ", "name": "集团公司政企客户事业部", "kind": "group"},
            actor=None,
            source="bench",
        )
    unit = OrgUnit.objects.get(code="HQ")
    if Customer.objects.count() != CUSTOMERS:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"TRUNCATE {Customer._meta.db_table} CASCADE")
            Customer.objects.bulk_create(
                (
                    Customer(
                        code=f"K{i:06d}",
                        name=f"客户{i}",
                        segment="ent",
                        org_unit=unit,
                        path=f"/K{i:06d}/",
                        depth=0,
                    )  # fmt: skip
                    for i in range(CUSTOMERS)
                ),
                batch_size=5000,
            )
    if Product.objects.count() != PRODUCTS:
        Product.objects.all().delete()
        Product.objects.bulk_create(
            Product(code=f"P{i:02d}", name=f"产品{i}", category="cloud", is_ict=i % 5 == 0)
            for i in range(PRODUCTS)
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def generate(path: Path, n: int, months: int, seed: int = 2026) -> None:
    """N rows over `months` months from 2024-01; about 3 % negative adjustments."""
    rng = random.Random(seed)
    month_texts = [f"2024-{m:02d}" if m <= 12 else f"2025-{m - 12:02d}" for m in
                   range(1, months + 1)]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["month", "customer_code", "product_code", "amount"])
        batch = []
        for i in range(n):
            cents = rng.randint(100, 5_000_000)
            if i % 33 == 0:
                cents = -cents // 10
            batch.append(
                (
                    month_texts[i * months // n],
                    f"K{rng.randrange(CUSTOMERS):06d}",
                    f"P{rng.randrange(PRODUCTS):02d}",
                    f"{cents / 100:.2f}",
                )
            )
            if len(batch) == 100_000:
                writer.writerows(batch)
                batch = []
        writer.writerows(batch)


# The child: `gecrm import billing FILE`, optionally without the `revenue_changed` receivers
# (the KPI recompute runs on commit in the same process in the embedded set-up; it is measured
# by bench/kpi.py, not here).
CHILD = """
import sys
from gecrm import cli
if sys.argv[1] == "quiet":
    import django
    django.setup()
    from gecrm.finance.signals import revenue_changed
    revenue_changed.receivers.clear()
    revenue_changed.sender_receivers_cache.clear()
sys.argv = ["gecrm", "import", "billing", sys.argv[2]]
cli.main()
"""


def run_cli_import(path: Path, with_kpi: bool = False) -> tuple[float, str, int]:
    """`gecrm import billing FILE` in a child process: seconds, its output, peak RSS in MB."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "kpi" if with_kpi else "quiet", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        print(done.stdout, done.stderr[-3000:], file=sys.stderr)
        sys.exit(1)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, done.stdout.strip(), peak_kb // 1024


def bare_load(path: Path) -> float:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE}")
        cursor.execute(
            f"CREATE TABLE {BARE} (month text, customer_code text, product_code text, amount text)"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                cursor.cursor.copy(f"COPY {BARE} FROM STDIN (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as f,
            ):
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        else:
            with path.open(encoding="utf-8", newline="") as f:
                reader = csv.reader(f)
                next(reader)
                rows = iter(reader)
                while batch := [tuple(r) for _, r in zip(range(100_000), rows, strict=False)]:
                    cursor.cursor.executemany(f"INSERT INTO {BARE} VALUES (?, ?, ?, ?)", batch)  # noqa: S608
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=1, help="months the rows spread over")
    parser.add_argument(
        "--with-kpi", action="store_true", help="keep the KPI recompute on commit in (a)"
    )
    args = parser.parse_args()
    n = args.rows
    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']}), N = {n:,}")
    started = time.perf_counter()
    setup_database()
    print(f"reference data ({CUSTOMERS:,} customers, {PRODUCTS} products) in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    path = Path(os.environ["GECRM_VAR_DIR"]) / f"billing_{n}_{args.months}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        started = time.perf_counter()
        generate(path, n, args.months)
        print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    connection.close()  # the child process gets the database to itself
    print("load average before (a): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))

    import_seconds, summary, peak_mb = run_cli_import(path, args.with_kpi)
    kpi = "with" if args.with_kpi else "without"
    print(f"(a) gecrm import billing ({kpi} the KPI recompute on commit): {summary}")
    print(f"    {import_seconds:.2f} s, {n / import_seconds:,.0f} rows/s, "
          f"peak RSS of the import process {peak_mb} MB")  # fmt: skip
    facts = Revenue.objects.count()
    print(f"    {facts:,} facts, rollup {CustomerMonth.objects.count():,} customer-months")

    bare_seconds = bare_load(path)
    bound = "COPY (FORMAT csv)" if vendor == "postgresql" else "csv + executemany"
    print(f"(b) bare {bound} into a plain table: {bare_seconds:.2f} s, "
          f"{n / bare_seconds:,.0f} rows/s")  # fmt: skip
    print(f"ratio (a)/(b): {import_seconds / bare_seconds:.2f}")
    print("load average after (b): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {BARE}")
    connection.close()

    again_seconds, again, _peak = run_cli_import(path)
    print(f"re-import of the same file: {again} in {again_seconds:.2f} s")


if __name__ == "__main__":
    main()
