"""`gecrm import` / `gecrm export` and export → import round trips."""

import pytest
from django.core.management import CommandError, call_command

from gecrm.catalog.actions import do_create_product
from gecrm.core.exporting import export_bytes
from gecrm.core.importing import run_import
from gecrm.core.testing import make_staff
from gecrm.customers.models import Customer
from gecrm.org.models import StaffPost

from .helpers import run_cli, snapshot, write_file

HEADER = ["code", "name", "segment", "org_unit", "parent_code"]


def test_cli_import_exits_0_on_success(org, tmp_path):
    path = write_file(tmp_path, "csv", HEADER, [["K1", "客户一", "fin", "GD.SZ", ""]])
    status, out, err = run_cli("customers", str(path))
    assert status == 0
    assert "created 1" in out
    assert err == ""
    assert Customer.objects.filter(code="K1").exists()


def test_cli_import_of_a_missing_file_is_a_clear_error(org, tmp_path):
    with pytest.raises(CommandError, match="No such file: .*missing.csv"):
        call_command("import", "customers", str(tmp_path / "missing.csv"))


def test_cli_import_exits_1_with_the_report_on_stderr(org, tmp_path):
    rows = [["K1", "客户一", "fin", "GD.SZ", ""], ["K2", "客户二", "bank", "NOPE", "K9"]]
    path = write_file(tmp_path, "csv", HEADER, rows)
    before = snapshot()
    status, out, err = run_cli("customers", str(path))
    assert status == 1
    assert out == ""
    lines = err.splitlines()
    assert f"{path}:3:org_unit: Unknown org unit code. [NOPE]" in lines
    assert any(line.startswith(f"{path}:3:segment: ") for line in lines)
    assert any(line.startswith(f"{path}:3:parent_code: ") for line in lines)
    assert "3 problems, nothing imported" in lines[-1]
    assert snapshot() == before


def test_cli_reports_a_file_problem_without_a_row(org, tmp_path):
    path = tmp_path / "missing.csv"
    path.write_bytes(b"code,name\nK1,x\n")
    status, _out, err = run_cli("customers", str(path))
    assert status == 1
    assert "segment" in err and "org_unit" in err


def test_cli_dry_run_writes_nothing(org, tmp_path):
    path = write_file(tmp_path, "xlsx", HEADER, [["K1", "客户一", "fin", "GD.SZ", ""]])
    before = snapshot()
    status, out, _err = run_cli("customers", str(path), "--dry-run")
    assert status == 0
    assert "would create 1" in out
    assert snapshot() == before


def test_cli_progress_bar(org, tmp_path, capsys):
    path = write_file(tmp_path, "csv", HEADER, [["K1", "客户一", "fin", "GD.SZ", ""]])
    status, _out, _err = run_cli("customers", str(path), "--progress")
    assert status == 0
    lines = capsys.readouterr().err.split("\n")
    finished = [line.rsplit("\r", 1)[-1] for line in lines if "100.0%" in line]
    assert [line.split()[0] for line in finished] == ["validating", "checking", "writing"]
    assert all("#" * 30 in line and " 1 rows" in line for line in finished)


def test_cli_refuses_a_user_who_may_not_import(org, admin, tmp_path):
    make_staff("gd_am01", org["GD.SZ"], posts=("am",), actor=admin)
    path = write_file(tmp_path, "csv", HEADER, [["K1", "客户一", "fin", "GD.SZ", ""]])
    with pytest.raises(CommandError, match="may not import"):
        call_command("import", "customers", str(path), "--user", "gd_am01")
    assert not Customer.objects.exists()


# ------------------------------------------------------------------------------- round trips


@pytest.fixture
def everything(org, admin, hq_tree):
    make_staff("gd_am01", org["GD.SZ"], posts=("am", "chief_am"), actor=admin, name="深圳客户经理")
    make_staff("bj_sc01", org["BJ"], posts=("sales_control",), actor=admin)
    do_create_product(
        {"code": "P-CLOUD", "name": "天翼云", "category": "cloud", "is_ict": True},
        actor=admin,
        source="test",
    )
    do_create_product(
        {"code": "P-FIX", "name": "固话", "category": "fixed", "is_ict": False},
        actor=admin,
        source="test",
    )
    Customer.objects.filter(code="C001.SZ").update(lat="22.543210", lon="114.057900")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["orgunits", "staff", "products", "customers"])
def test_an_export_reimports_unchanged(everything, tmp_path, kind, fmt):
    path = tmp_path / f"{kind}.{fmt}"
    path.write_bytes(export_bytes(kind, None, fmt))
    before = snapshot()
    result = run_import(kind, path)
    assert result.ok, result.errors
    assert result.created == result.updated == 0
    assert result.unchanged > 0
    assert snapshot() == before


def test_an_export_restores_a_fresh_database(everything, tmp_path):
    """Exports of every kind, imported in order into an emptied database, rebuild the data."""
    files = {}
    for kind in ("orgunits", "staff", "products", "customers"):
        files[kind] = tmp_path / f"{kind}.xlsx"
        files[kind].write_bytes(export_bytes(kind, None, "xlsx"))
    expected = {
        kind: export_bytes(kind, None, "csv") for kind in ("orgunits", "products", "customers")
    }
    from django.contrib.auth import get_user_model

    from gecrm.catalog.models import Product
    from gecrm.org.models import OrgUnit, Staff

    for customer in Customer.objects.order_by("-depth"):
        customer.delete()
    StaffPost.objects.all().delete()
    Staff.objects.all().delete()
    get_user_model().objects.exclude(is_superuser=True).delete()
    Product.objects.all().delete()
    for unit in OrgUnit.objects.order_by("-depth"):
        unit.delete()
    for kind, path in files.items():
        result = run_import(kind, path)
        assert result.ok, (kind, result.errors)
        assert result.created > 0
    for kind, data in expected.items():
        assert export_bytes(kind, None, "csv") == data


def test_cli_export_then_import(everything, tmp_path):
    path = tmp_path / "customers.xlsx"
    call_command("export", "customers", "--format", "xlsx", "--output", str(path))
    before = snapshot()
    status, out, _err = run_cli("customers", str(path))
    assert status == 0
    assert "created 0, updated 0, 4 unchanged" in out
    assert snapshot() == before
