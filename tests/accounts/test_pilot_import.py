"""`gecrm import pilots`: HQ customers only, the group or a province as responsible, new
programmes and phases created, all or nothing, idempotent, and the export re-imports unchanged."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gecrm.accounts.models import Phase, PilotCustomer, Program
from gecrm.core.exporting import export_bytes
from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_staff

from ..imports.helpers import FORMATS, write_file

HEADER = ["program", "customer_code", "org_unit", "phase"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def customers(hq_tree, org, admin):
    from gecrm.core.testing import make_customer

    make_customer("C002", org["GD.GZ"], actor=admin)
    make_customer("C004", org["GD.SZ"], segment="gov", industry="gov.party", actor=admin)
    return hq_tree


def state():
    return (
        list(PilotCustomer.objects.order_by("pk").values()),
        Program.objects.count(),
        Phase.objects.count(),
        ObjectChange.objects.filter(object_type__startswith="accounts.p").count(),
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_good_file_creates_the_programme_and_reimports_unchanged(customers, admin, tmp_path, fmt):
    rows = [
        ["P9", "C001", "HQ", "1"],
        ["P9", "C002", "GD", "1"],
        ["P9", "C004", "HQ", ""],
    ]
    path = write_file(tmp_path, fmt, HEADER, rows)
    result = run_import("pilots", path, actor=admin)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert "P9" in result.note  # the new programme is named after its code
    program = Program.objects.get(code="P9")
    assert program.name == "P9"
    assert program.phases.get().name == "第一批"
    assert PilotCustomer.objects.get(customer__code="C004").phase is None
    before = state()
    again = run_import("pilots", path, actor=admin)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.note == ""
    assert state() == before


def test_a_changed_row_updates_the_pilot(customers, admin, tmp_path):
    run_import("pilots", write_file(tmp_path, "csv", HEADER, [["P9", "C002", "GD", ""]]),
               actor=admin)  # fmt: skip
    path = write_file(tmp_path, "csv", HEADER, [["P9", "C002", "HQ", "2"]])
    result = run_import("pilots", path, actor=admin)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    pilot = PilotCustomer.objects.get()
    assert pilot.org_unit.code == "HQ" and pilot.phase.number == 2 and pilot.version == 2


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(customers, admin, tmp_path):
    rows = [
        ["P9", "C001", "HQ", "1"],  # fine
        ["P9", "C001.SZ", "GD", ""],  # a branch
        ["P9", "C002", "GD.SZ", ""],  # a prefecture as responsible
        ["P9", "NOPE", "GD", ""],  # unknown customer
        ["P9", "C001", "HQ", "1"],  # duplicate of row 2
        ["P9", "C004", "XX", "0"],  # unknown unit, bad phase
        ["P/9", "C004", "", ""],  # bad code, missing unit
    ]
    before = state()
    result = run_import("pilots", write_file(tmp_path, "csv", HEADER, rows), actor=admin)
    assert not result.ok
    problems = {(i.row, i.column) for i in result.errors}
    assert problems == {
        (3, "customer_code"),
        (4, "org_unit"),
        (5, "customer_code"),
        (6, "customer_code"),
        (7, "phase"),
        (8, "program"),
        (8, "org_unit"),
    }
    by_row = {i.row: i.message for i in result.errors}
    assert "branch" in by_row[3]
    assert "group or a province" in by_row[4]
    assert "Duplicate" in by_row[6] and "row 2" in by_row[6]
    assert state() == before


def test_an_unknown_org_unit_is_reported(customers, admin, tmp_path):
    result = run_import(
        "pilots", write_file(tmp_path, "csv", HEADER, [["P9", "C004", "XX", "1"]]), actor=admin
    )
    assert [(i.column, i.message) for i in result.errors] == [
        ("org_unit", "Unknown org unit code.")
    ]


def test_only_programme_managers_import(customers, org, admin, tmp_path):
    make_staff("gd_sc", org["GD"], posts=["sales_control"], actor=admin)
    from django.contrib.auth import get_user_model

    gd_sc = get_user_model().objects.get(username="gd_sc")
    result = run_import(
        "pilots", write_file(tmp_path, "csv", HEADER, [["P9", "C002", "GD", ""]]), actor=gd_sc
    )
    assert not result.ok and result.errors[0].row == 0
    assert not Program.objects.exists()


def test_dry_run_writes_nothing_but_says_what_it_would_create(customers, admin, tmp_path):
    result = run_import(
        "pilots",
        write_file(tmp_path, "csv", HEADER, [["P9", "C002", "GD", ""]]),
        actor=admin,
        dry_run=True,
    )
    assert result.ok and result.created == 1 and "Would create" in result.note
    assert not Program.objects.exists()


def test_cli_import_and_export_round_trip(customers, admin, tmp_path, capsys):
    path = write_file(
        tmp_path, "csv", HEADER, [["P9", "C001", "HQ", "1"], ["P9", "C004", "HQ", ""]]
    )
    call_command("import", "pilots", str(path))
    out = capsys.readouterr().out
    assert "P9" in out
    exported = export_bytes("pilots", None).decode("utf-8-sig")
    assert exported.splitlines() == [
        "program,customer_code,org_unit,phase",
        "P9,C001,HQ,1",
        "P9,C004,HQ,",
    ]
    back = tmp_path / "back.csv"
    back.write_text(exported, encoding="utf-8")
    result = run_import("pilots", back, actor=admin)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_cli_exits_1_with_the_problems(customers, tmp_path):
    path = write_file(tmp_path, "csv", HEADER, [["P9", "C001.SZ", "HQ", ""]])
    err = io.StringIO()
    with pytest.raises((CommandError, SystemExit)):
        call_command("import", "pilots", str(path), stderr=err)
    assert not Program.objects.exists()


def test_the_export_is_scoped(customers, org, admin, tmp_path):
    run_import(
        "pilots",
        write_file(tmp_path, "csv", HEADER, [["P9", "C001", "HQ", ""], ["P9", "C002", "GD", ""]]),
        actor=admin,
    )
    bj = make_staff("bj_sc", org["BJ"], posts=["sales_control"], actor=admin).user
    exported = export_bytes("pilots", bj).decode("utf-8-sig").splitlines()
    assert exported == ["program,customer_code,org_unit,phase"]


def test_the_imports_page_previews_and_imports_pilots(client, customers, admin, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(admin)
    page = client.get(reverse("imports:index"))
    assert reverse("imports:template", args=["pilots", "csv"]) in page.content.decode()
    text = "program,customer_code,org_unit,phase\nP9,C001,HQ,1\nP9,C002,GD,\n"
    file = SimpleUploadedFile("pilots.csv", text.encode())
    response = client.post(reverse("imports:index"), {"kind": "pilots", "file": file})
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.context["result"].created == 2
    assert not Program.objects.exists()
    token = response.url.rstrip("/").rsplit("/", 1)[-1]
    confirmed = client.post(reverse("imports:confirm", args=[token]))
    assert confirmed.status_code == 302
    assert PilotCustomer.objects.filter(program__code="P9").count() == 2
