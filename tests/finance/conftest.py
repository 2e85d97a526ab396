"""The billing world: the test org (广东 with 深圳/广州, 北京), customers in both provinces,
ICT and non-ICT products, and the personas who import: the administrator, the group's sales
controller (everything) and 广东's sales controller (广东 only). Built with the production actions.
"""

import csv

import pytest
from django.utils import translation

from gecrm.catalog.actions import do_create_product
from gecrm.core.testing import make_customer, make_staff


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted as their English msgids.
    with translation.override("en"):
        yield


@pytest.fixture
def csv_file(tmp_path):
    """Writes a billing CSV from text or bytes; each call a new file."""
    counter = iter(range(1000))

    def write(text: str | bytes):
        path = tmp_path / f"billing{next(counter)}.csv"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path

    return write


@pytest.fixture
def world(org, admin):
    customers = {}

    def customer(code, unit, parent=None):
        customers[code] = make_customer(code, org[unit], parent=customers.get(parent), actor=admin)

    customer("C1", "GD")
    customer("C1.SZ", "GD.SZ", "C1")
    customer("C2", "GD.GZ")
    customer("B1", "BJ")
    customer("B1.X", "BJ", "B1")
    products = {
        code: do_create_product(
            {"code": code, "name": name, "category": category, "is_ict": ict}, actor=admin
        )
        for code, name, category, ict in (
            ("VOICE", "固话", "fixed", False),
            ("LINE", "专线", "leased_line", False),
            ("CLOUD", "云主机", "cloud", True),
        )
    }
    gd_sc = make_staff("gd_sc", org["GD"], posts=("sales_control",), actor=admin).user
    grp_sc = make_staff("grp_sc", org["HQ"], posts=("sales_control",), actor=admin).user
    bj_am = make_staff("bj_am", org["BJ"], posts=("am",), actor=admin).user
    return {
        "org": org,
        "customers": customers,
        "products": products,
        "admin": admin,
        "gd_sc": gd_sc,
        "grp_sc": grp_sc,
        "bj_am": bj_am,
    }


HEADER = ("month", "customer_code", "product_code", "amount")


@pytest.fixture
def billing_file(tmp_path):
    """`billing_file(rows, fmt="csv", name="billing")` → a path with the header and `rows`."""
    counter = iter(range(1000))

    def write(rows, fmt="csv", name=None, header=HEADER):
        path = tmp_path / f"{name or f'billing{next(counter)}'}.{fmt}"
        if fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows([header, *rows])
        else:
            from openpyxl import Workbook

            workbook = Workbook()
            sheet = workbook.active
            sheet.append(list(header))
            for row in rows:
                sheet.append(list(row))
            workbook.save(path)
        return path

    return write
