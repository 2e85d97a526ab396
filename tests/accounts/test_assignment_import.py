"""`gecrm import assignments`: validation by row and column, all or nothing, idempotent, history."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import translation

from gecrm.accounts.actions import do_assign, do_end_assignment
from gecrm.accounts.models import Assignment
from gecrm.core.exporting import export_bytes
from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_customer, make_staff
from gecrm.customers.models import Customer

from ..imports.helpers import FORMATS, write_file

HEADER = ["customer_code", "username", "role", "start", "end"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(org, admin):
    make_customer("K1", org["GD.SZ"], actor=admin)
    make_customer("K2", org["GD.SZ"], actor=admin)
    make_customer("K9", org["BJ"], actor=admin)
    return {
        "am": make_staff("sz_am", org["GD.SZ"], posts=["am", "chief_am"], actor=admin).user,
        "ps": make_staff("sz_ps", org["GD.SZ"], posts=["presales"], actor=admin).user,
        "gd_sc": make_staff("gd_sc", org["GD"], posts=["sales_control"], actor=admin).user,
    }


def state():
    return (
        list(Assignment.objects.order_by("pk").values()),
        ObjectChange.objects.filter(object_type="accounts.assignment").count(),
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_good_file_imports_and_reimports_unchanged(people, admin, tmp_path, fmt):
    rows = [
        ["K1", "sz_am", "am", "2024-09-05", ""],
        ["K2", "sz_am", "客户经理", "2024年9月5日", "2025年1月31日"],
        ["K1", "sz_ps", "presales", "2024/10/01", ""],
    ]
    path = write_file(tmp_path, fmt, HEADER, rows)
    result = run_import("assignments", path, actor=admin)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    k2 = Assignment.objects.get(customer__code="K2")
    assert (k2.role, k2.start, k2.end) == (
        "am",
        datetime.date(2024, 9, 5),
        datetime.date(2025, 1, 31),
    )
    assert ObjectChange.objects.filter(object_type="accounts.assignment").count() == 3
    before = state()
    again = run_import("assignments", path, actor=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert state() == before


def test_an_end_date_closes_an_assignment_and_keeps_the_history(people, admin, tmp_path):
    path = write_file(tmp_path, "csv", HEADER, [["K1", "sz_am", "am", "2024-09-05", ""]])
    assert run_import("assignments", path, actor=admin).created == 1
    path = write_file(tmp_path, "csv", HEADER, [["K1", "sz_am", "am", "2024-09-05", "2025-03-01"]])
    result = run_import("assignments", path, actor=admin)
    assert (result.created, result.updated) == (0, 1)
    closed = Assignment.objects.get()
    assert closed.end == datetime.date(2025, 3, 1) and closed.version == 2
    # A new period for the same person and role is a second row; the first stays.
    path = write_file(tmp_path, "csv", HEADER, [["K1", "sz_am", "am", "2025-06-01", ""]])
    assert run_import("assignments", path, actor=admin).created == 1
    assert Assignment.objects.count() == 2
    # A file that no longer mentions an assignment does not delete it.
    path = write_file(tmp_path, "csv", HEADER, [["K2", "sz_am", "am", "2025-06-01", ""]])
    assert run_import("assignments", path, actor=admin).created == 1
    assert Assignment.objects.count() == 3


def test_every_bad_row_is_reported_and_nothing_is_written(people, admin, tmp_path):
    rows = [
        ["K1", "sz_am", "am", "2024-09-05", ""],  # good, but the file is not
        ["K1", "sz_am", "boss", "2024-09-05", ""],
        ["NOPE", "sz_am", "am", "2024-09-05", ""],
        ["K1", "nobody", "am", "2024-09-05", ""],
        ["K2", "sz_am", "am", "2024-09-05", "2024-09-01"],
        ["K2", "sz_ps", "presales", "5.9.2024", ""],
        ["", "sz_am", "am", "", ""],
    ]
    path = write_file(tmp_path, "csv", HEADER, rows)
    before = state()
    result = run_import("assignments", path, actor=admin)
    problems = {(i.row, i.column) for i in result.errors}
    assert problems == {
        (3, "role"),
        (4, "customer_code"),
        (5, "username"),
        (6, "end"),
        (7, "start"),
        (8, "customer_code"),
    }
    messages = {(i.row, i.column): i.message for i in result.errors}
    assert "chief_am" in messages[(3, "role")]
    assert "before the start" in messages[(6, "end")]
    assert state() == before


def test_duplicates_and_overlaps_are_problems(people, admin, tmp_path):
    do_assign(
        Customer.objects.get(code="K1"),
        people["am"],
        "am",
        start=datetime.date(2024, 1, 1),
        actor=admin,
    )
    rows = [
        ["K2", "sz_am", "am", "2024-09-05", ""],
        ["K2", "sz_am", "am", "2024-09-05", ""],
        ["K1", "sz_am", "am", "2024-06-01", ""],
    ]
    path = write_file(tmp_path, "csv", HEADER, rows)
    before = state()
    result = run_import("assignments", path, actor=admin)
    assert {(i.row, i.column) for i in result.errors} == {(3, "role"), (4, "start")}
    assert state() == before


def test_a_sales_controller_imports_only_for_customers_they_may_edit(people, tmp_path):
    rows = [["K1", "sz_am", "am", "2024-09-05", ""], ["K9", "sz_am", "am", "2024-09-05", ""]]
    path = write_file(tmp_path, "csv", HEADER, rows)
    result = run_import("assignments", path, actor=people["gd_sc"])
    assert [(i.row, i.column) for i in result.errors] == [(3, "customer_code")]
    assert not Assignment.objects.exists()


def test_export_imports_back_unchanged(people, admin, tmp_path):
    do_assign(
        Customer.objects.get(code="K1"),
        people["am"],
        "chief_am",
        start=datetime.date(2024, 2, 29),
        actor=admin,
    )
    assignment = Assignment.objects.get()
    do_end_assignment(assignment, end=datetime.date(2025, 1, 1), actor=admin)
    content = export_bytes("assignments", admin)
    text = content.decode("utf-8-sig")
    assert text.splitlines() == [
        "customer_code,username,role,start,end",
        "K1,sz_am,chief_am,2024-02-29,2025-01-01",
    ]
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    result = run_import("assignments", path, actor=admin)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_cli_import_and_export(people, tmp_path):
    path = write_file(tmp_path, "csv", HEADER, [["K1", "sz_am", "am", "2024-09-05", ""]])
    out = io.StringIO()
    call_command("import", "assignments", str(path), stdout=out)
    assert "created 1" in out.getvalue()
    exported = tmp_path / "out.csv"
    call_command("export", "assignments", "--output", str(exported), stdout=io.StringIO())
    assert "K1,sz_am,am,2024-09-05," in exported.read_text(encoding="utf-8-sig")
