"""Benchmark: `gecrm import customers` against the bare insert lower bound.

    DATABASE_URL=... uv run python bench/import_customers.py N [--profile]

Generates N customers (HQs with branches, parents sometimes after their children, valid USCCs,
regions, coordinates) as CSV, then on the database given by DATABASE_URL (default: a SQLite file
under /tmp) measures

(a) `run_import("customers", file)` into an empty customers table, with full validation, the
    change log and everything else a real import does;
(b) the lower bound: the very same rows inserted with one executemany (SQLite) or one COPY
    (PostgreSQL) into a bare table of the same shape — same columns, same indexes, same
    unique and foreign-key constraints — with nothing else done.

and prints rows/s for both and the ratio (a)/(b). Not run by `make test`.
"""

import argparse
import cProfile
import csv
import os
import pstats
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/gecrm_bench_imports.sqlite3")
os.environ.setdefault("GECRM_VAR_DIR", "/tmp/gecrm_bench_imports")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from gecrm.core.importing import run_import  # noqa: E402
from gecrm.core.models import ObjectChange  # noqa: E402
from gecrm.customers.models import Customer  # noqa: E402
from gecrm.customers.uscc import make_uscc  # noqa: E402
from gecrm.org.actions import do_create_org_unit  # noqa: E402
from gecrm.org.models import OrgUnit  # noqa: E402

BARE = "bench_bare_customer"
UNITS = [
    # code, name, kind, parent, region, (lat, lon) centre
    ("HQ", "集团公司政企客户事业部", "group", None, None, (39.90, 116.40)),
    ("BJ", "北京市公司政企客户部", "province", "HQ", "110000", (39.90, 116.40)),
    ("SH", "上海市公司政企客户部", "province", "HQ", "310000", (31.23, 121.47)),
    ("GD", "广东省公司政企客户部", "province", "HQ", "440000", (23.13, 113.26)),
    ("GD.GZ", "广州分公司政企客户部", "prefecture", "GD", "440100", (23.13, 113.26)),
    ("GD.SZ", "深圳分公司政企客户部", "prefecture", "GD", "440300", (22.54, 114.06)),
    ("JS", "江苏省公司政企客户部", "province", "HQ", "320000", (32.06, 118.80)),
    ("JS.NJ", "南京分公司政企客户部", "prefecture", "JS", "320100", (32.06, 118.80)),
    ("JS.SZ", "苏州分公司政企客户部", "prefecture", "JS", "320500", (31.30, 120.58)),
]
INDUSTRIES = [
    ("gov", "gov.party"), ("gov", "gov.public"), ("fin", "fin.bank"), ("fin", "fin.insurance"),
    ("fin", "fin.securities"), ("ent", "ent.manufacturing"), ("ent", "ent.trade"),
    ("ent", "ent.energy"), ("sme", ""), ("cluster", "cluster.standard"),
]  # fmt: skip
WORDS = "华信达通恒泰瑞丰盛安康宏远鑫源聚德中创新科联合金银光明天地东方南北"


def setup_database() -> None:
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
        connection.close()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE}")
    for code, name, kind, parent, region, _centre in UNITS:
        if not OrgUnit.objects.filter(code=code).exists():
            do_create_org_unit(
                {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "parent": OrgUnit.objects.filter(code=parent).first(),
                    "region_id": region,
                },
                actor=None,
                source="bench",
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"TRUNCATE {Customer._meta.db_table}, {ObjectChange._meta.db_table} CASCADE"
            )
            cursor.execute("VACUUM ANALYZE")


def generate(path: Path, n: int, seed: int = 2026) -> None:
    """N rows: ~25% HQs, the rest branches; a tenth of the branches come before their HQ."""
    rng = random.Random(seed)
    units = [u for u in UNITS if u[4]]
    rows = []
    hq_count = max(1, n // 4)
    hqs = []
    for i in range(hq_count):
        unit = units[i % len(units)]
        hqs.append((f"C{i:07d}", unit))
    serial = 0

    def row(code, parent, unit, name):
        nonlocal serial
        serial += 1
        segment, industry = INDUSTRIES[serial % len(INDUSTRIES)]
        lat, lon = unit[5]
        region = unit[4]
        return [
            code,
            name,
            make_uscc(f"91{region}{serial:09d}") if serial % 10 else "",
            segment,
            industry,
            parent,
            region,
            unit[0],
            f"{unit[1][:2]}市人民路{serial % 999 + 1}号",
            f"{lat + rng.uniform(-0.2, 0.2):.6f}",
            f"{lon + rng.uniform(-0.2, 0.2):.6f}",
        ]

    branches_per_hq = (n - hq_count) / hq_count
    made = 0
    for i, (code, unit) in enumerate(hqs):
        name = "".join(rng.choice(WORDS) for _ in range(4)) + "集团有限公司"
        count = int((i + 1) * branches_per_hq) - int(i * branches_per_hq)
        branch_rows = []
        for b in range(count):
            branch_unit = units[(i + b + 1) % len(units)]
            branch_rows.append(row(f"{code}.{b:03d}", code, branch_unit, f"{name}{b + 1}分公司"))
        hq_row = row(code, "", unit, name)
        # Parents may come after their children in a file: one HQ in ten does.
        rows.extend([*branch_rows, hq_row] if i % 10 == 0 else [hq_row, *branch_rows])
        made += count + 1
    rows = rows[:n]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["code", "name", "uscc", "segment", "industry", "parent_code", "region", "org_unit",
             "address", "lat", "lon"]
        )  # fmt: skip
        writer.writerows(rows)


def create_bare_table() -> list[str]:
    """A copy of the customers table: same columns, indexes and constraints, no data."""
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE}")
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {BARE} (LIKE {table} INCLUDING ALL)")
            for column, target in (
                ("parent_id", BARE),
                ("org_unit_id", OrgUnit._meta.db_table),
                ("region_id", "org_region"),
            ):
                key = "code" if target == "org_region" else "id"
                cursor.execute(
                    f"ALTER TABLE {BARE} ADD FOREIGN KEY ({column}) REFERENCES {target} ({key}) "
                    "DEFERRABLE INITIALLY DEFERRED"
                )
        else:
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            statements = cursor.fetchall()
            for kind, name, sql in sorted(statements, key=lambda s: s[0] != "table"):
                if kind == "trigger":
                    continue  # the name bigram triggers: part of (a)'s work, not of the bound
                sql = sql.replace(f'"{table}"', f'"{BARE}"')
                if kind == "index":
                    sql = sql.replace(f'"{name}"', f'"bare_{name}"', 1)
                cursor.execute(sql)
        cursor.execute(
            "SELECT * FROM " + table + " WHERE 1 = 0"  # noqa: S608 - fixed names
        )
        return [c[0] for c in cursor.description]


def bare_insert(columns: list[str]) -> float:
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")  # noqa: S608
        rows = cursor.fetchall()
    cols = ", ".join(columns)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {BARE} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(columns))
            cursor.cursor.executemany(f"INSERT INTO {BARE} ({cols}) VALUES ({marks})", rows)  # noqa: S608
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the import (slower)")
    args = parser.parse_args()
    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']}), N = {args.n:,}")
    setup_database()
    path = Path(os.environ["GECRM_VAR_DIR"]) / f"customers_{args.n}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(path, args.n)
    print(
        f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )

    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = run_import("customers", path)
    if profiler:
        profiler.disable()
    import_seconds = time.perf_counter() - started
    if not result.ok:
        for issue in result.errors[:20]:
            print(issue, file=sys.stderr)
        sys.exit(1)
    assert result.created == args.n, result
    print(f"(a) run_import: {result.summary()}")
    print(
        f"    {import_seconds:.2f} s, {args.n / import_seconds:,.0f} rows/s "
        f"(includes {ObjectChange.objects.count():,} change-log rows)"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    columns = create_bare_table()
    bare_seconds = bare_insert(columns)
    print(
        f"(b) bare {'COPY' if vendor == 'postgresql' else 'executemany'} into {BARE} "
        f"(same columns, indexes, unique and foreign keys): {bare_seconds:.2f} s, "
        f"{args.n / bare_seconds:,.0f} rows/s"
    )
    print(f"ratio (a)/(b): {import_seconds / bare_seconds:.2f}")

    started = time.perf_counter()
    again = run_import("customers", path)
    print(f"re-import of the same file: {again.summary()} in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
