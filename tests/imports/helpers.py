"""Helpers for the import tests: write small files in either format, snapshot the database."""

import csv
import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from gecrm.catalog.models import Product
from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange
from gecrm.customers.models import Customer
from gecrm.customers.uscc import make_uscc
from gecrm.org.models import OrgUnit, Staff, StaffPost

FORMATS = ("csv", "xlsx")
MODELS = (OrgUnit, Staff, StaffPost, get_user_model(), Product, Customer, ObjectChange)


def write_file(directory, fmt, header, rows, *, name="data", bom=False):
    """A CSV or .xlsx file with `header` and `rows`, written as a user's tool would."""
    path = directory / f"{name}.{fmt}"
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
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


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table an import may touch, change log included."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values()) for model in MODELS
    }


def counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in MODELS}


def problems(result) -> set[tuple[int, str]]:
    return {(issue.row, issue.column) for issue in result.errors}


def uscc(serial: int, region: str = "440300") -> str:
    return make_uscc(f"91{region}{serial:09d}")


def bad_check_character(code: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return code[:-1] + alphabet[(alphabet.index(code[-1]) + 1) % len(alphabet)]


def assert_rejected_unchanged(kind, path, expected, *, before=None, exact=True):
    """The file is rejected whole: every expected (row, column) reported, nothing written."""
    before = before if before is not None else snapshot()
    result = run_import(kind, path)
    assert not result.ok
    assert result.created == result.updated == 0
    if exact:
        assert problems(result) == set(expected), result.errors
    else:
        assert set(expected) <= problems(result), result.errors
    for issue in result.errors:
        assert issue.message
    assert snapshot() == before
    return result


def run_cli(*args):
    """`gecrm import …` in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


CUSTOMER_HEADER = [
    "code", "name", "uscc", "segment", "industry", "parent_code", "region", "org_unit",
    "address", "lat", "lon",
]  # fmt: skip


def customer_row(code, **values):
    """A valid customer row (an 深圳 manufacturer) with `values` changed."""
    base = {
        "code": code, "name": f"客户{code}", "uscc": "", "segment": "ent",
        "industry": "ent.manufacturing", "parent_code": "", "region": "440300",
        "org_unit": "GD.SZ", "address": "", "lat": "", "lon": "",
    }  # fmt: skip
    base.update(values)
    return [base[c] for c in CUSTOMER_HEADER]
