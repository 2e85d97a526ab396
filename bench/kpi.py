"""Benchmark: `gecrm kpi compute` against DuckDB (the lower bound) and pandas, same rows.

    uv run --frozen --group bench python bench/kpi.py --rows 1000000            # SQLite
    createdb -h 127.0.0.1 -U postgres gecrm_kpi_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gecrm_kpi_bench \\
        uv run --frozen --group bench python bench/kpi.py --rows 10000000        # PostgreSQL

On the database of DATABASE_URL (default: a SQLite file under /tmp; the script migrates it and
EMPTIES its customer, finance and KPI tables — never point it at a database you care about) it

1. generates 100k customer groups (a head and 0–3 branches each, in 31 provinces × 10
   prefectures, 12 industries and some without one), 40 products (a quarter ICT), 1,000 chief
   AMs covering ~60 % of the groups, and N billing facts over 18 months (2023-07..2024-12, 2 % of
   them negative adjustments), loaded straight into `Revenue` with COPY (PostgreSQL) or
   executemany (SQLite); then times
2. the customer-month rollup (`finance.actions.rebuild_rollup()`, reported on its own);
3. `kpi compute --month 2024-12` (`engine.compute`);
4. the same industry scorecard computed by DuckDB from the same rows exported to Parquet (facts,
   customers, products, assignments; export time not counted): the practical lower bound;
5. the same by pandas the way an analyst would (read the Parquet files, merge, groupby);

asserts that the three agree on every integer sum and count of every industry, prints the ratios
(target ≤ 3× DuckDB on PostgreSQL), and then measures the p95 latency of the industry scorecard
through the reports API (`REPORTS["industry-scorecard"].rows`) for an administrator (stored
snapshots) and for a province sales manager (aggregated from their groups' `GroupMonth` rows).
Not run by `make test`.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/gecrm_bench_kpi.sqlite3")
os.environ.setdefault("GECRM_VAR_DIR", "/tmp/gecrm_bench_kpi")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from gecrm.accounts.models import Assignment  # noqa: E402
from gecrm.catalog.models import Product  # noqa: E402
from gecrm.core import months as month_utils  # noqa: E402
from gecrm.customers.choices import Industry  # noqa: E402
from gecrm.customers.models import Customer  # noqa: E402
from gecrm.finance.actions import rebuild_rollup  # noqa: E402
from gecrm.finance.models import ImportBatch, Revenue  # noqa: E402
from gecrm.kpi import engine  # noqa: E402
from gecrm.kpi.reports import REPORTS  # noqa: E402
from gecrm.org.models import OrgUnit  # noqa: E402

MONTHS = month_utils.month_range(202307, 202412)
MONTH = 202412
PRODUCTS = 40
CHIEF_AMS = 1000
SUM_COLUMNS = [
    "all_groups", "groups", "ict_groups", "revenue_ytd_cents", "revenue_pytd_cents",
    "ict_ytd_cents", "covered_groups", "covered_revenue_ytd_cents",
    "covered_revenue_pytd_cents", "covered_ict_groups", "covered_ict_ytd_cents",
]  # fmt: skip


def timed(label, func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    elapsed = time.perf_counter() - started
    print(f"  {label:<44} {elapsed:9.2f} s", flush=True)
    return result, elapsed


# ------------------------------------------------------------------------ data


def empty_tables():
    tables = [
        "kpi_snapshot", "kpi_groupmonth", "kpi_computation", "kpi_target",
        "finance_customermonth", "finance_replacedrevenue", "finance_revenue",
        "finance_batchmonth", "finance_importbatch", "accounts_assignment",
        "customers_contact", "customers_customer",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    Product.objects.filter(code__startswith="BP").delete()
    get_user_model().objects.filter(username__startswith="bench_").delete()
    OrgUnit.objects.filter(code__startswith="BP").delete()


def org_units():
    """HQ (the demo's or a new one), 31 provinces with 10 prefectures each."""
    hq = OrgUnit.objects.filter(parent__isnull=True).first()
    if hq is None:
        hq = OrgUnit.objects.create(code="HQ", name="集团", kind="group", path="/HQ/", depth=0)
    provinces = OrgUnit.objects.bulk_create(
        OrgUnit(
            code=f"BP{p:02d}",
            name=f"省{p}",
            kind="province",
            parent=hq,
            path=f"{hq.path}BP{p:02d}/",
            depth=hq.depth + 1,
        )  # fmt: skip
        for p in range(31)
    )
    prefectures = OrgUnit.objects.bulk_create(
        OrgUnit(code=f"{prov.code}.{i}", name=f"{prov.name}市{i}", kind="prefecture",
                parent=prov, path=f"{prov.path}{prov.code}.{i}/", depth=prov.depth + 1)
        for prov in provinces
        for i in range(10)
    )  # fmt: skip
    return provinces, prefectures


def customers(rng, groups: int, prefectures):
    industries = list(Industry.values)
    unit_ids = [u.pk for u in prefectures]
    heads = []
    for g in range(groups):
        industry = industries[g % len(industries)] if g % 20 else ""
        heads.append(
            Customer(
                code=f"G{g:06d}", name=f"集团客户{g}", segment=industry.split(".")[0] or "sme",
                industry=industry, org_unit_id=unit_ids[int(rng.integers(len(unit_ids)))],
                path=f"/G{g:06d}/", depth=0,
            )
        )  # fmt: skip
    Customer.objects.bulk_create(heads, batch_size=5000)
    head_ids = dict(Customer.objects.values_list("code", "id"))
    branches = []
    counts = rng.integers(0, 4, groups)
    for g, count in enumerate(counts):
        head = heads[g]
        for b in range(int(count)):
            code = f"{head.code}.{b}"
            branches.append(
                Customer(
                    code=code, name=f"{head.name}分公司{b}", segment=head.segment,
                    industry=head.industry, parent_id=head_ids[head.code],
                    org_unit_id=unit_ids[int(rng.integers(len(unit_ids)))],
                    path=f"{head.path}{code}/", depth=1,
                )
            )  # fmt: skip
    Customer.objects.bulk_create(branches, batch_size=5000)
    ids = np.array(Customer.objects.order_by("id").values_list("id", flat=True), dtype=np.int64)
    heads_ids = np.array(list(head_ids.values()), dtype=np.int64)
    return ids, heads_ids


def chief_ams(rng, head_ids):
    User = get_user_model()
    User.objects.bulk_create(
        User(username=f"bench_cam{i:04d}", password="!") for i in range(CHIEF_AMS)
    )
    users = list(User.objects.filter(username__startswith="bench_cam").values_list("id", flat=True))
    import datetime

    rows = []
    for head in head_ids:
        roll = rng.random()
        if roll < 0.6:  # active over the whole period
            start, end = datetime.date(2022, 1, 1), None
        elif roll < 0.7:  # ended in 2024
            start, end = datetime.date(2022, 1, 1), datetime.date(2024, 6, 30)
        elif roll < 0.75:  # starts in the future
            start, end = datetime.date(2025, 3, 1), None
        else:
            continue
        rows.append(
            Assignment(
                customer_id=int(head),
                user_id=users[int(rng.integers(len(users)))],
                role="chief_am",
                start=start,
                end=end,
            )  # fmt: skip
        )
    Assignment.objects.bulk_create(rows, batch_size=5000)


def products():
    made = Product.objects.bulk_create(
        Product(
            code=f"BP{i:02d}",
            name=f"产品{i}",
            category="cloud" if i % 4 == 0 else "mobile",
            is_ict=i % 4 == 0,
        )  # fmt: skip
        for i in range(PRODUCTS)
    )
    return np.array([p.pk for p in made], dtype=np.int64)


def facts(rng, n: int, customer_ids, product_ids):
    """N unique (month, customer, product) facts as numpy columns."""
    per_month = n // len(MONTHS)
    combos = len(customer_ids) * len(product_ids)
    if per_month > combos:
        raise SystemExit(f"{n} rows need more customers or products")
    columns = {"month": [], "customer_id": [], "product_id": [], "amount_cents": []}
    for i, month in enumerate(MONTHS):
        count = per_month + (n - per_month * len(MONTHS) if i == len(MONTHS) - 1 else 0)
        picks = np.unique(rng.integers(0, combos, int(count * 1.05)))
        picks = rng.permutation(picks)[:count]
        while len(picks) < count:  # rare: top up without duplicates
            extra = np.setdiff1d(rng.integers(0, combos, count), picks)
            picks = np.concatenate([picks, extra])[:count]
        amounts = rng.lognormal(11, 1.5, count).astype(np.int64)
        amounts[rng.random(count) < 0.02] *= -1
        columns["month"].append(np.full(count, month, dtype=np.int64))
        columns["customer_id"].append(customer_ids[picks // len(product_ids)])
        columns["product_id"].append(product_ids[picks % len(product_ids)])
        columns["amount_cents"].append(amounts)
    return pd.DataFrame({k: np.concatenate(v) for k, v in columns.items()})


def read_facts() -> pd.DataFrame:
    """The facts already in the database (--reuse), as numpy columns."""
    cols = ["month", "customer_id", "product_id", "amount_cents"]
    table = Revenue._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            sql = f"COPY (SELECT {', '.join(cols)} FROM {table}) TO STDOUT"  # noqa: S608
            with cursor.cursor.copy(sql) as copy:
                for data in copy:
                    buffer.write(data)
            buffer.seek(0)
            return pd.read_csv(buffer, sep="\t", names=cols, dtype="int64")
        cursor.execute(f"SELECT {', '.join(cols)} FROM {table}")  # noqa: S608
        return pd.DataFrame(cursor.fetchall(), columns=cols)


def load_facts(frame: pd.DataFrame, batch_id: int):
    frame = frame.assign(batch_id=batch_id)
    cols = ["month", "customer_id", "product_id", "amount_cents", "batch_id"]
    table = Revenue._meta.db_table
    chunk = 500_000
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for start in range(0, len(frame), chunk):
                    buffer = io.StringIO()
                    frame.iloc[start : start + chunk][cols].to_csv(
                        buffer, sep="\t", header=False, index=False
                    )
                    copy.write(buffer.getvalue())
        else:
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES (?, ?, ?, ?, ?)"  # noqa: S608
            raw = cursor.cursor
            for start in range(0, len(frame), chunk):
                part = frame.iloc[start : start + chunk][cols]
                raw.executemany(sql, part.itertuples(index=False, name=None))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


# ------------------------------------------------------------------------ DuckDB and pandas


def export_parquet(directory: Path, frame: pd.DataFrame):
    frame.to_parquet(directory / "facts.parquet", index=False)
    pd.DataFrame(Customer.objects.values("id", "code", "path", "parent_id", "industry")).to_parquet(
        directory / "customers.parquet", index=False
    )
    pd.DataFrame(Product.objects.values("id", "is_ict")).to_parquet(
        directory / "products.parquet", index=False
    )
    pd.DataFrame(
        Assignment.objects.filter(role="chief_am").values("customer_id", "user_id", "start", "end")
    ).to_parquet(directory / "assignments.parquet", index=False)


def duckdb_scorecard(directory: Path) -> pd.DataFrame:
    ytd, pytd = month_utils.ytd(MONTH), month_utils.pytd(MONTH)
    last = month_utils.last_day(MONTH).isoformat()
    d = str(directory)
    sql = f"""
    WITH members AS (
        SELECT id, split_part(path, '/', 2) AS group_code FROM '{d}/customers.parquet'
    ), groups AS (
        SELECT id, code, industry FROM '{d}/customers.parquet' WHERE parent_id IS NULL
    ), covered AS (
        SELECT DISTINCT customer_id FROM '{d}/assignments.parquet'
        WHERE start <= DATE '{last}' AND ("end" IS NULL OR "end" >= DATE '{last}')
    ), sums AS (
        SELECT m.group_code,
            SUM(CASE WHEN f.month BETWEEN {ytd[0]} AND {ytd[1]} THEN f.amount_cents END) AS ytd,
            SUM(CASE WHEN f.month BETWEEN {pytd[0]} AND {pytd[1]} THEN f.amount_cents END) AS pytd,
            SUM(CASE WHEN p.is_ict AND f.month BETWEEN {ytd[0]} AND {ytd[1]}
                THEN f.amount_cents END) AS ict
        FROM '{d}/facts.parquet' f
        JOIN members m ON m.id = f.customer_id
        JOIN '{d}/products.parquet' p ON p.id = f.product_id
        WHERE f.month BETWEEN {pytd[0]} AND {pytd[1]} OR f.month BETWEEN {ytd[0]} AND {ytd[1]}
        GROUP BY m.group_code
    ), g AS (
        SELECT groups.industry, COALESCE(ytd, 0) AS ytd, COALESCE(pytd, 0) AS pytd,
               COALESCE(ict, 0) AS ict, covered.customer_id IS NOT NULL AS covered
        FROM groups LEFT JOIN sums ON sums.group_code = groups.code
        LEFT JOIN covered ON covered.customer_id = groups.id
        WHERE groups.industry <> ''
    )
    SELECT industry,
        COUNT(*) AS all_groups,
        COUNT(*) FILTER (WHERE ytd > 0) AS groups,
        COUNT(*) FILTER (WHERE ict > 0) AS ict_groups,
        SUM(ytd) AS revenue_ytd_cents, SUM(pytd) AS revenue_pytd_cents,
        SUM(ict) AS ict_ytd_cents,
        COUNT(*) FILTER (WHERE covered AND ytd > 0) AS covered_groups,
        COALESCE(SUM(ytd) FILTER (WHERE covered), 0) AS covered_revenue_ytd_cents,
        COALESCE(SUM(pytd) FILTER (WHERE covered), 0) AS covered_revenue_pytd_cents,
        COUNT(*) FILTER (WHERE covered AND ict > 0) AS covered_ict_groups,
        COALESCE(SUM(ict) FILTER (WHERE covered), 0) AS covered_ict_ytd_cents
    FROM g GROUP BY industry ORDER BY industry
    """  # noqa: S608
    return duckdb.sql(sql).df()


def pandas_scorecard(directory: Path) -> pd.DataFrame:
    """As an analyst would: read the files, merge, group."""
    ytd, pytd = month_utils.ytd(MONTH), month_utils.pytd(MONTH)
    last = pd.Timestamp(month_utils.last_day(MONTH))
    facts = pd.read_parquet(directory / "facts.parquet")
    cust = pd.read_parquet(directory / "customers.parquet")
    prod = pd.read_parquet(directory / "products.parquet")
    assign = pd.read_parquet(directory / "assignments.parquet")
    cust["group_code"] = cust["path"].str.split("/").str[1]
    facts = facts[facts["month"].between(*ytd) | facts["month"].between(*pytd)]
    facts = facts.merge(cust[["id", "group_code"]], left_on="customer_id", right_on="id")
    facts = facts.merge(prod.rename(columns={"id": "pid"}), left_on="product_id", right_on="pid")
    in_ytd = facts["month"].between(*ytd)
    facts["ytd"] = facts["amount_cents"].where(in_ytd, 0)
    facts["pytd"] = facts["amount_cents"].where(facts["month"].between(*pytd), 0)
    facts["ict"] = facts["amount_cents"].where(in_ytd & facts["is_ict"], 0)
    sums = facts.groupby("group_code")[["ytd", "pytd", "ict"]].sum()
    groups = cust[cust["parent_id"].isna() & (cust["industry"] != "")]
    groups = groups.merge(sums, left_on="code", right_index=True, how="left").fillna(
        {"ytd": 0, "pytd": 0, "ict": 0}
    )
    start = pd.to_datetime(assign["start"])
    end = pd.to_datetime(assign["end"])
    active = assign[(start <= last) & (end.isna() | (end >= last))]
    groups["covered"] = groups["id"].isin(active["customer_id"])
    groups["pos"] = groups["ytd"] > 0
    groups["has_ict"] = groups["ict"] > 0
    cov = groups[groups["covered"]]
    out = groups.groupby("industry").agg(
        all_groups=("id", "size"), groups=("pos", "sum"), ict_groups=("has_ict", "sum"),
        revenue_ytd_cents=("ytd", "sum"), revenue_pytd_cents=("pytd", "sum"),
        ict_ytd_cents=("ict", "sum"),
    )  # fmt: skip
    covered = cov.groupby("industry").agg(
        covered_groups=("pos", "sum"), covered_revenue_ytd_cents=("ytd", "sum"),
        covered_revenue_pytd_cents=("pytd", "sum"), covered_ict_groups=("has_ict", "sum"),
        covered_ict_ytd_cents=("ict", "sum"),
    )  # fmt: skip
    return out.join(covered).fillna(0).reset_index()


def engine_scorecard() -> pd.DataFrame:
    from gecrm.kpi.models import Snapshot

    rows = Snapshot.objects.filter(month=MONTH, dimension="industry").order_by("key")
    return pd.DataFrame(
        [{"industry": s.key, **{c: getattr(s, c) for c in SUM_COLUMNS}} for s in rows]
    )


def same(a: pd.DataFrame, b: pd.DataFrame, name: str):
    a = a.set_index("industry")[SUM_COLUMNS].astype("int64").sort_index()
    b = b.set_index("industry")[SUM_COLUMNS].astype("int64").sort_index()
    if not a.equals(b):
        print(a.compare(b))
        raise SystemExit(f"the engine and {name} disagree")


# ------------------------------------------------------------------------ latency


def p95(func, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def province_manager():
    from gecrm.org.actions import do_create_staff

    unit = OrgUnit.objects.get(code="BP00")
    staff = do_create_staff(
        username="bench_sm", name="bench", org_unit=unit, posts=["sales_manager"],
        email="bench@example.cn", phone="", password="Bench-pass-2026!", actor=None,
        source="bench",
    )  # fmt: skip
    return staff.user


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40, help="latency runs")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded data")
    parser.add_argument(
        "--keep-rollup", action="store_true", help="with --reuse: do not rebuild the rollup"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    if connection.vendor == "sqlite":
        Path(os.environ["GECRM_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}: {args.rows:,} facts, {args.groups:,} groups, {len(MONTHS)} months")
    directory = Path(tempfile.mkdtemp(prefix="gecrm_kpi_bench_"))
    if not args.reuse:
        print("load (not the benchmark)")
        timed("empty tables", empty_tables)
        (_, prefectures), _ = timed("org units", org_units)
        (ids, heads), _ = timed("customers", customers, rng, args.groups, prefectures)
        print(f"  {len(ids):,} customers")
        timed("chief AM assignments", chief_ams, rng, heads)
        product_ids, _ = timed("products", products)
        frame, _ = timed("generate facts", facts, rng, args.rows, ids, product_ids)
        batch = ImportBatch.objects.create(
            file_name="bench", checksum="0" * 64, first_month=MONTHS[0], last_month=MONTHS[-1],
            rows=len(frame),
        )  # fmt: skip
        timed("load facts (COPY / executemany)", load_facts, frame, batch.pk)
    else:
        frame, _ = timed("read the loaded facts", read_facts)
    timed("export Parquet", export_parquet, directory, frame)
    del frame
    print("measured")
    if args.keep_rollup:
        rollup_s = float("nan")
        print("  rollup kept as loaded (--keep-rollup)")
    else:
        _, rollup_s = timed("rollup (rebuild_rollup, all months)", rebuild_rollup)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE finance_customermonth")
            cursor.execute("ANALYZE customers_customer")
    _, compute_s = timed(f"kpi compute --month {month_utils.format_month(MONTH)}",
                         engine.compute, MONTH, "bench")  # fmt: skip
    _, compute2_s = timed("kpi compute again (warm)", engine.compute, MONTH, "bench")
    duck, duck_s = timed("DuckDB over Parquet (from the facts)", duckdb_scorecard, directory)
    _, duck2_s = timed("DuckDB again (warm)", duckdb_scorecard, directory)
    panda, pandas_s = timed("pandas over Parquet (from the facts)", pandas_scorecard, directory)
    ours = engine_scorecard()
    same(ours, duck, "DuckDB")
    same(ours, panda, "pandas")
    print(f"  the three agree on {len(ours)} industries × {len(SUM_COLUMNS)} sums and counts")
    best_compute, best_duck = min(compute_s, compute2_s), min(duck_s, duck2_s)
    print("ratios")
    print(f"  compute / DuckDB                   {best_compute / best_duck:6.2f}×")
    print(f"  (rollup + compute) / DuckDB        {(rollup_s + best_compute) / best_duck:6.2f}×")
    print(f"  pandas / DuckDB                    {pandas_s / best_duck:6.2f}×")
    print(f"  compute / pandas                   {best_compute / pandas_s:6.2f}×")

    print(f"industry scorecard through the reports API ({args.runs} runs)")
    report = REPORTS["industry-scorecard"]
    admin = get_user_model().objects.filter(is_superuser=True).first() or (
        get_user_model().objects.create_superuser("bench_admin", "", "Bench-pass-2026!")
    )
    median, high = p95(lambda: report.rows(admin, MONTH), args.runs)
    print(f"  administrator (snapshots)          median {median:7.1f} ms   p95 {high:7.1f} ms")
    get_user_model().objects.filter(username="bench_sm").delete()
    manager = province_manager()

    def scoped():
        from gecrm.access.scopes import forget_grant

        forget_grant(manager)
        return report.rows(manager, MONTH)

    median, high = p95(scoped, args.runs)
    groups = sum(r["groups"] for r in scoped())
    print(
        f"  province sales manager ({groups:,} groups) median {median:7.1f} ms   p95 {high:7.1f} ms"
    )


if __name__ == "__main__":
    main()
