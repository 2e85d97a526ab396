"""Benchmark: the customer search (`/customers/?q=…`, the top bar's search) over N customers.

    uv run --frozen python bench/search.py N [--runs R] [--reuse]
    DATABASE_URL=postgres://... uv run --frozen python bench/search.py N

Builds N customers with `gecrm import customers` (bench/import_customers.py's generator: a
quarter HQs, the rest branches, so the pinyin keys are computed by the import as in production)
and N/2 contacts with unique mobile numbers and e-mail addresses, plus one planted customer
大地银行深圳分行 (code DADI-SZ) with a known contact. `--reuse` keeps a database built by an
earlier run of the same N. Then for the administrator and a province sales controller (广东) it
measures, median of R runs after one warm-up,

(a) query: what the list view asks the database — `CustomerFilterSet` over
    `Customer.objects.restrict(user, "view")`, the count, then the first page (25 ids, then
    their rows with region, org unit, parent and account managers) and the contacts panel;
(b) page: `GET /customers/?q=…` through Django's test client;

for each kind of search, and prints them beside the **bound**: the administrator's plain code
lookup (`?q=<code>`, one unique-index probe) measured in the same run. Target: every search
query under 150 ms. Not run by `make test`.
"""

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/gecrm_bench_search.sqlite3")
os.environ.setdefault("GECRM_VAR_DIR", "/tmp/gecrm_bench_search")
sys.path.insert(0, str(Path(__file__).parent))

import import_customers  # noqa: E402 - bench/import_customers.py: setup and generator (django set up)
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from gecrm.access.scopes import forget_grant  # noqa: E402
from gecrm.core.importing import insert_rows, run_import  # noqa: E402
from gecrm.core.paging import IdsFirstPaginator  # noqa: E402
from gecrm.core.testing import make_staff, make_superuser  # noqa: E402
from gecrm.customers.filtersets import CustomerFilterSet  # noqa: E402
from gecrm.customers.models import Contact, Customer  # noqa: E402
from gecrm.customers.search import matching_contacts  # noqa: E402
from gecrm.org.models import OrgUnit  # noqa: E402
from gecrm.web.views import CustomerListView  # noqa: E402

PAGE = 25
PLANTED_PHONE = "13912345678"
PLANTED_EMAIL = "zhang.wei@dadi-bank.example.cn"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def build(n: int, path: Path) -> None:
    import_customers.setup_database()
    import_customers.generate(path, n)
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(
            [
                "DADI-SZ",
                "大地银行深圳分行",
                "",
                "fin",
                "fin.bank",
                "",
                "440300",
                "GD.SZ",
                "",
                "",
                "",
            ]
        )
    started = time.perf_counter()
    result = run_import("customers", path, actor=None)
    assert not result.errors, result.errors[:5]
    print(f"import of {n + 1:,} customers: {time.perf_counter() - started:.1f} s")
    ids = list(Customer._base_manager.order_by("pk").values_list("pk", flat=True))
    now = connection.ops.adapt_datetimefield_value(Customer._base_manager.first().created_at)

    def contacts():
        for i, pk in enumerate(ids[::2]):
            name = SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20]
            yield (pk, name, "", f"13{i:09d}", f"c{i}@example.cn", True, now, now, 1)

    columns = ["customer_id", "name", "title", "phone", "email", "is_primary", "created_at",
               "updated_at", "version"]  # fmt: skip
    with transaction.atomic():
        insert_rows(Contact._meta.db_table, columns, contacts())
        planted = Customer._base_manager.get(code="DADI-SZ")
        Contact._base_manager.create(
            customer=planted, name="张大地", phone=PLANTED_PHONE, email=PLANTED_EMAIL
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def users():
    User = get_user_model()
    admin = User.objects.filter(username="admin").first() or make_superuser()
    sc = User.objects.filter(username="bench_gd_sc").first()
    if sc is None:
        sc = make_staff(
            "bench_gd_sc", OrgUnit.objects.get(code="GD"), posts=("sales_control",)
        ).user
    return [("admin", admin), ("bench_gd_sc (广东 sales controller)", sc)]


def query_once(user, q: str) -> tuple[float, int]:
    forget_grant(user)
    view = CustomerListView()
    started = time.perf_counter()
    request = type("R", (), {"user": user, "GET": {"q": q}})()
    qs = view.get_queryset(request)
    qs = CustomerFilterSet({"q": q}, queryset=qs).qs
    page = IdsFirstPaginator(qs, PAGE).page(1)
    count = page.paginator.count
    list(page.object_list)
    matching_contacts(Customer.objects.restrict(user, "view"), q)
    return (time.perf_counter() - started) * 1000, count


def page_once(client, q: str) -> float:
    started = time.perf_counter()
    response = client.get(reverse("web:customer_list"), {"q": q})
    assert response.status_code == 200, response.status_code
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    var = Path(os.environ["GECRM_VAR_DIR"])
    var.mkdir(parents=True, exist_ok=True)
    if not (args.reuse and Customer._base_manager.filter(code="DADI-SZ").exists()):
        build(args.n, var / f"search_{args.n}.csv")
    total = Customer._base_manager.count()
    sample = Customer._base_manager.exclude(uscc="").order_by("pk")[total // 2]
    searches = [
        ("bound: plain code lookup", sample.code),
        ("code, other case", sample.code.lower()),
        ("USCC", sample.uscc),
        ("pinyin prefix", "dadi"),
        ("pinyin initials", "ddyh"),
        ("two words", "大地银行 深圳"),
        ("one Chinese word", "大地银行"),
        ("a word in 1 name in 20", "华信"),
        ("pinyin + word", "ddyh 深圳"),
        ("contact name", "张大地"),
        ("complete phone", PLANTED_PHONE),
        ("phone with spaces", "139 1234 5678"),
        ("partial phone", PLANTED_PHONE[:-1]),
        ("e-mail", PLANTED_EMAIL),
    ]
    load = os.getloadavg()[0]
    print(f"{connection.vendor}, {total:,} customers, {Contact._base_manager.count():,} contacts, "
          f"median of {args.runs} runs, load {load:.1f}")  # fmt: skip
    print(f"{'user':<36} {'search':<26} {'rows':>8} {'query ms':>9} {'page ms':>8}")
    bound = None
    for label, user in users():
        client = Client()
        client.force_login(user)
        for name, q in searches:
            query_once(user, q)
            page_once(client, q)
            times, count = [], 0
            for _ in range(args.runs):
                ms, count = query_once(user, q)
                times.append(ms)
            pages = [page_once(client, q) for _ in range(args.runs)]
            query_ms, page_ms = statistics.median(times), statistics.median(pages)
            if bound is None:
                bound = query_ms
            print(f"{label:<36} {name:<26} {count:>8,} {query_ms:>9.1f} {page_ms:>8.1f}"
                  f"  ×{query_ms / bound:.1f}{'  OVER 150 ms' if query_ms > 150 else ''}")  # fmt: skip
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
