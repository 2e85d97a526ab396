import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gecrm.kpi import engine
from gecrm.kpi.models import Computation

from .conftest import M
from .test_reports import INDUSTRY_HEADER

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_kpi_compute_month(world):
    output = run("kpi", "compute", "--month", "2024-03")
    assert "2024-03" in output and "5" in output
    assert engine.is_computed(M)
    assert Computation.objects.get(month=M).reason == "cli"


def test_kpi_compute_all_months_with_facts(world):
    run("kpi", "compute", "--all")
    assert engine.computed_months() == [
        202301, 202302, 202303, 202312, 202401, 202402, 202403, 202404,
    ]  # fmt: skip


def test_kpi_compute_all_without_facts(db):
    with translation.override("en"), pytest.raises(CommandError, match="import billing first"):
        run("kpi", "compute", "--all")


@pytest.mark.parametrize("month", ["2024-13", "march", ""])
def test_kpi_compute_bad_month(db, month):
    with pytest.raises(CommandError, match="YYYY-MM"):
        run("kpi", "compute", "--month", month)


def test_report_csv_to_stdout(world, capsysbinary):
    engine.compute(M)
    call_command("report", "industry-scorecard", "--month", "2024-03")
    text = capsysbinary.readouterr().out.decode("utf-8-sig")
    assert text.splitlines()[0] == INDUSTRY_HEADER
    assert len(text.splitlines()) == 4


def test_report_json_and_filters_to_a_file(world, tmp_path):
    engine.compute(M)
    path = tmp_path / "ranking.json"
    call_command(
        "report", "customer-ranking", "--month", "2024-03", "--format", "json",
        "--output", str(path), "--filter", "order=growth", "--filter", "limit=2",
    )  # fmt: skip
    document = json.loads(path.read_text())
    assert [r["code"] for r in document["rows"]] == ["C001", "C002"]


def test_report_xlsx_needs_output(world):
    engine.compute(M)
    with pytest.raises(CommandError, match="--output"):
        call_command("report", "industry-scorecard", "--month", "2024-03", "--format", "xlsx")


def test_report_xlsx(world, tmp_path):
    engine.compute(M)
    path = tmp_path / "r.xlsx"
    call_command(
        "report", "org-scorecard", "--month", "2024-03", "--format", "xlsx", "-o", str(path)
    )
    assert path.stat().st_size > 0


def test_report_errors(world):
    with translation.override("en"), pytest.raises(CommandError, match="Unknown report"):
        call_command("report", "nope", "--month", "2024-03")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("report", "industry-scorecard", "--month", "24-3")
    with pytest.raises(CommandError, match="gecrm kpi compute --month 2024-03"):
        call_command("report", "industry-scorecard", "--month", "2024-03")
    engine.compute(M)
    with pytest.raises(CommandError, match="ghost"):
        call_command("report", "industry-scorecard", "--month", "2024-03", "--user", "ghost")
    with pytest.raises(CommandError, match="KEY=VALUE"):
        call_command("report", "customer-ranking", "--month", "2024-03", "--filter", "x")
    with pytest.raises(CommandError, match="order"):
        call_command("report", "customer-ranking", "--month", "2024-03", "--filter", "order=name")


def test_report_compute_on_demand(world, capsysbinary):
    call_command("report", "industry-scorecard", "--month", "2024-03", "--compute")
    assert engine.is_computed(M)
    assert b"fin.bank" in capsysbinary.readouterr().out


def test_report_as_a_user(world, org, admin, capsysbinary):
    from gecrm.core import testing

    testing.make_staff("sz_manager", org["GD.SZ"], ("sales_manager",), actor=admin)
    engine.compute(M)
    call_command("report", "industry-scorecard", "--month", "2024-03", "--user", "sz_manager")
    lines = capsysbinary.readouterr().out.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["gov.party"]


def test_console_script_exit_codes(tmp_path):
    """The real `gecrm` entry point: exit 1 with the message on stderr."""
    env = {"PATH": "/usr/bin:/bin", "GECRM_LANGUAGE": "en", "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run(
        [sys.executable, "-m", "gecrm.cli", "report", "nope", "--month", "2024-03"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Unknown report" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "gecrm.cli", "kpi", "compute", "--month", "2024-99"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "YYYY-MM" in result.stderr
