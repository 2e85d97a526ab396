"""Benchmark: latency of the KPI pages and of the customer 360 page, 10M facts loaded.

    # the database of bench/kpi.py (load it once with bench/kpi.py; this script only reads it,
    # plus its two users and, with --large-group, one big customer group of its own)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gecrm_kpi_bench \\
        uv run --frozen python bench/pages.py --runs 40 --large-group 300

It starts `gecrm runserver` (Django's threaded development server, no autoreload) on a free
loopback port in a child process, signs in through the login form as the administrator and as a
province sales manager (`bench_sm`, 省0 = BP00, the user bench/kpi.py measures), and times N
sequential GETs of every page with a plain HTTP client (`http.client`, session cookie; after two
warm-up requests): the KPI dashboard `/kpi/`, the industry, org unit and chief AM scorecards, the
customer ranking, and the customer 360 page (`/customers/<code>/`) of the largest group in the
province (by member count, then facts) — and, with `--large-group N`, of a group of N branches
with a fact for each of the 40 products in each of the 18 months (created once, kept: its facts,
rollup rows and the month's KPI computation are written by this script). It prints p50, p95 and
max per page and user, and the number of SQL queries of each page (one request through Django's
test client in this process). Target: p95 < 150 ms. The first row, `/login/` (the login form:
middleware, session, a small template, no data), is the floor the machine's load sets for any
page.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gecrm_kpi_bench")
os.environ.setdefault("GECRM_VAR_DIR", "/tmp/gecrm_bench_kpi")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from gecrm.catalog.models import Product  # noqa: E402
from gecrm.core import months as month_utils  # noqa: E402
from gecrm.customers.models import Customer  # noqa: E402
from gecrm.finance.models import CustomerMonth, ImportBatch, Revenue  # noqa: E402
from gecrm.kpi import engine  # noqa: E402
from gecrm.org.models import OrgUnit  # noqa: E402

PASSWORD = "Bench-pass-2026!"
MONTHS = month_utils.month_range(202307, 202412)
MONTH = 202412
LARGE = "BLG0"


# ------------------------------------------------------------------------ data


def users():
    """The administrator and the province sales manager, both with the bench password."""
    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_superuser": True, "is_staff": True}
    )
    admin.is_superuser = admin.is_staff = admin.is_active = True
    admin.set_password(PASSWORD)
    admin.save()
    manager = User.objects.filter(username="bench_sm").first()
    if manager is None:
        from gecrm.org.actions import do_create_staff

        manager = do_create_staff(
            username="bench_sm", name="bench", org_unit=OrgUnit.objects.get(code="BP00"),
            posts=["sales_manager"], email="bench@example.cn", phone="", password=PASSWORD,
            actor=None, source="bench",
        ).user  # fmt: skip
    manager.set_password(PASSWORD)
    manager.save()
    return admin, manager


def large_group(branches: int) -> str:
    """A group of `branches` branches in province BP00, a fact per product and month for each
    member (idempotent: made once, then reused)."""
    if Customer.objects.filter(code=LARGE).exists():
        return LARGE
    print(f"creating the large group {LARGE} ({branches} branches) …", flush=True)
    started = time.perf_counter()
    units = list(OrgUnit.objects.filter(path__startswith="/").filter(code__startswith="BP00.")[:10])
    head = Customer.objects.create(
        code=LARGE, name="大型集团客户", segment="fin", industry="fin.bank",
        org_unit=units[0], path=f"/{LARGE}/", depth=0,
    )  # fmt: skip
    Customer.objects.bulk_create(
        Customer(
            code=f"{LARGE}.{b:04d}",
            name=f"大型集团客户分公司{b}",
            segment="fin",
            industry="fin.bank",
            parent=head,
            org_unit=units[b % len(units)],
            path=f"/{LARGE}/{LARGE}.{b:04d}/",
            depth=1,
        )  # fmt: skip
        for b in range(branches)
    )
    batch = ImportBatch.objects.order_by("pk").first()
    members = Customer.objects.filter(path__startswith=f"/{LARGE}/")
    member_ids = list(members.values_list("pk", flat=True))
    product_ids = list(Product.objects.filter(code__startswith="BP").values_list("pk", flat=True))
    rows = [
        Revenue(
            month=month,
            customer_id=c,
            product_id=p,
            batch=batch,
            amount_cents=(c * 7919 + p * 104729 + month * 31) % 900_000 + 1_000,
        )  # fmt: skip
        for c in member_ids
        for p in product_ids
        for month in MONTHS
    ]
    with transaction.atomic():
        Revenue.objects.bulk_create(rows, batch_size=10_000)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {CustomerMonth._meta.db_table} "  # noqa: S608
                "(customer_id, month, revenue_cents, ict_cents) "
                "SELECT f.customer_id, f.month, SUM(f.amount_cents), "
                "SUM(CASE WHEN p.is_ict THEN f.amount_cents ELSE 0 END) "
                f"FROM {Revenue._meta.db_table} f JOIN catalog_product p ON p.id = f.product_id "
                "WHERE f.customer_id IN (SELECT id FROM customers_customer WHERE path LIKE %s) "
                "GROUP BY f.customer_id, f.month",
                [f"/{LARGE}/%"],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer")
    engine.compute(MONTH, "bench")
    print(
        f"  {len(rows):,} facts, month recomputed, {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return LARGE


def largest_group_in(unit_code: str) -> str:
    """The top-level customer with the most members (then facts) owned in the unit's subtree."""
    unit = OrgUnit.objects.get(code=unit_code)
    heads = Customer.objects.filter(
        parent__isnull=True, org_unit__path__startswith=unit.path
    ).exclude(code=LARGE)
    best = (
        heads.annotate(branches=Count("children"))
        .order_by("-branches", "code")
        .values_list("code", flat=True)[:20]
    )
    codes = list(best)
    by_facts = {
        code: Revenue.objects.filter(customer__path__startswith=f"/{code}/").count()
        for code in codes
    }
    return max(codes, key=lambda c: (by_facts[c], c))


# ------------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    gecrm = Path(sys.executable).parent / "gecrm"
    process = subprocess.Popen(
        [str(gecrm), "runserver", f"127.0.0.1:{port}", "--noreload"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the server stopped: see {log}") from None
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the server did not start within a minute: see {log}")


class Session:
    """A browser-like client: one keep-alive-less HTTP connection per request, cookies kept."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.getheader("Location"), content

    def login(self, username: str):
        status, _, content = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or token is None:
            raise SystemExit(f"no login form ({status})")
        status, location, _ = self.request(
            "POST",
            "/login/",
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": PASSWORD,
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{username} could not sign in ({status} → {location})")


def timed(session: Session, path: str, runs: int) -> tuple[list[float], int]:
    for _ in range(2):  # warm-up: the server's first request of a page loads templates
        status, location, content = session.request("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path}: {status} {location or ''}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        status, _, content = session.request("GET", path)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, (path, status)
    return sorted(times), len(content)


def percentile(times: list[float], share: float) -> float:
    return times[max(0, int(round(len(times) * share)) - 1)]


def query_count(user, path: str) -> int:
    client = Client()
    client.force_login(user)
    client.get(path)  # warm caches as the server's warm-up did
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--large-group", type=int, default=0, help="also a group of N branches (made once)"
    )
    parser.add_argument("--only", default="", help="substring of the page paths to measure")
    args = parser.parse_args()
    if not engine.is_computed(MONTH):
        raise SystemExit("the month 2024-12 is not computed: run bench/kpi.py first")
    facts = Revenue.objects.count() if connection.vendor == "sqlite" else None
    if facts is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                [Revenue._meta.db_table],
            )
            facts = cursor.fetchone()[0]
    admin, manager = users()
    groups = [largest_group_in("BP00")]
    if args.large_group:
        groups.append(large_group(args.large_group))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE kpi_groupmonth")
    sizes = {code: Customer.objects.filter(path__startswith=f"/{code}/").count() for code in groups}
    pages = [
        "/login/",  # the floor: middleware, session and a small template, no data
        "/kpi/",
        "/kpi/reports/industry-scorecard/",
        "/kpi/reports/org-scorecard/",
        "/kpi/reports/chief-am-scorecard/",
        "/kpi/reports/customer-ranking/",
        *(f"/customers/{code}/" for code in groups),
    ]
    pages = [p for p in pages if args.only in p or p == "/login/"]
    print(
        f"{connection.vendor}: ~{facts:,} facts; groups for the customer page: "
        + ", ".join(f"{code} ({sizes[code]} members)" for code in groups)
    )
    port = free_port()
    log = Path(os.environ["GECRM_VAR_DIR"]) / "bench_pages_server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = start_server(port, log)
    try:
        print(f"server: gecrm runserver 127.0.0.1:{port} (pid {server.pid}), {args.runs} runs")
        print(f"{'user':<10} {'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
              f"{'KB':>6} {'queries':>7}")  # fmt: skip
        for label, user in (("admin", admin), ("province", manager)):
            session = Session(port)
            session.login(user.username)
            for path in pages:
                times, size = timed(session, path, args.runs)
                queries = query_count(user, path)
                p95 = percentile(times, 0.95)
                flag = "" if p95 < 150 else "  over 150 ms"
                print(
                    f"{label:<10} {path:<40} {statistics.median(times):8.1f} {p95:8.1f} "
                    f"{times[-1]:8.1f} {size / 1024:6.0f} {queries:7d}{flag}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
