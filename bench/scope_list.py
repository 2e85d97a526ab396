"""Benchmark: the customer list under data scope, against the administrator's.

    GECRM_VAR_DIR=/path/with/gecrm.sqlite3 uv run python bench/scope_list.py [--runs N]
    DATABASE_URL=postgres://... uv run python bench/scope_list.py

Needs a demo database at scale 100 (`gecrm demo --scale 100 --no-serve`: about a million
customers with account assignments). For the administrator, a province sales controller, a chief
account manager, an industry manager and an account manager of the demo it measures

(a) query: what the list view asks the database: the count, then the first page (25 rows by
    code: their ids, then the rows with org unit, region and parent joined);
(b) page: `GET /customers/` through Django's test client (login, scope, filters, count, page,
    template);

and prints the median of N runs in ms and the ratio to the administrator. Target: ≤ 3× for the
province sales controller and the chief AM. Not run by `make test`.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from gecrm.access.scopes import forget_grant  # noqa: E402
from gecrm.core.paging import IdsFirstPaginator  # noqa: E402
from gecrm.customers.models import Customer  # noqa: E402

PERSONAS = [
    ("admin", "administrator"),
    ("gd_sc01", "province sales controller (广东)"),
    ("grp_c_fin_bank_cam03", "chief AM (bank, 7 provinces)"),
    ("gd_c_fin_bank_im01", "industry manager (广东 banks)"),
    ("gd_sz_am01", "account manager (深圳)"),
]
PAGE = 25


def query_once(user) -> tuple[float, int]:
    forget_grant(user)
    started = time.perf_counter()
    qs = (
        Customer.objects.restrict(user, "view")
        .select_related("region__parent__parent", "org_unit", "parent")
        .order_by("code")
    )
    # As the list view pages: the count, then the first page's ids, then its rows.
    page = IdsFirstPaginator(qs, PAGE).page(1)
    count = page.paginator.count
    assert len(page.object_list) == min(count, PAGE)
    return (time.perf_counter() - started) * 1000, count


def page_once(client) -> float:
    started = time.perf_counter()
    response = client.get(reverse("web:customer_list"))
    assert response.status_code == 200, response.status_code
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    User = get_user_model()
    total = Customer.objects.count()
    print(f"{connection.vendor}, {total:,} customers, median of {args.runs} runs")
    results = []
    for username, label in PERSONAS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        query_once(user)  # warm the caches
        page_once(client)
        queries, pages = [], []
        count = 0
        for _run in range(args.runs):
            ms, count = query_once(user)
            queries.append(ms)
            pages.append(page_once(client))
        results.append(
            (username, label, count, statistics.median(queries), statistics.median(pages))
        )
    base_query, base_page = results[0][3], results[0][4]
    print(
        f"{'user':<22} {'role':<34} {'rows':>10} {'query ms':>9} {'×':>5} {'page ms':>8} {'×':>5}"
    )
    for username, label, count, query_ms, page_ms in results:
        print(
            f"{username:<22} {label:<34} {count:>10,} {query_ms:>9.1f} "
            f"{query_ms / base_query:>5.2f} {page_ms:>8.1f} {page_ms / base_page:>5.2f}"
        )


if __name__ == "__main__":
    main()
