"""`gecrm import billing`: validation, replace semantics, idempotency, scope, signal."""

import pytest
from django.core.management import call_command

from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange
from gecrm.finance.models import BatchMonth, ImportBatch, ReplacedRevenue, Revenue
from gecrm.finance.signals import revenue_changed

from .helpers import expected_rollup, facts, rollup, state

SEP, OCT = 202409, 202410


def imp(path, **kwargs):
    return run_import("billing", path, **kwargs)


def test_it_imports_facts_batch_rollup_and_log(world, billing_file):
    path = billing_file(
        [
            ("2024-09", "C1", "VOICE", "100.50"),
            ("2024-09", "C1", "CLOUD", "20"),
            ("2024/10", "C1.SZ", "LINE", "1,000.00"),
            ("2024年10月", "B1", "CLOUD", "-5.25"),
        ]
    )
    result = imp(path, actor=world["admin"])
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged, result.deleted) == (4, 0, 0, 0)
    assert facts() == {
        (SEP, "C1", "VOICE"): 10050,
        (SEP, "C1", "CLOUD"): 2000,
        (OCT, "C1.SZ", "LINE"): 100000,
        (OCT, "B1", "CLOUD"): -525,
    }
    batch = ImportBatch.objects.get()
    assert batch.file_name == path.name
    assert len(batch.checksum) == 64
    assert (batch.rows, batch.facts, batch.replaced) == (4, 4, 0)
    assert batch.total_cents == 10050 + 2000 + 100000 - 525
    assert (batch.first_month, batch.last_month) == (SEP, OCT)
    assert sorted(BatchMonth.objects.values_list("month", flat=True)) == [SEP, OCT]
    assert batch.created_by == world["admin"]
    assert set(Revenue.objects.values_list("batch_id", flat=True)) == {batch.pk}
    assert rollup() == expected_rollup()
    assert rollup()[("C1", SEP)] == (12050, 2000)
    log = ObjectChange.objects.filter(object_type="finance.importbatch")
    assert log.count() == 1
    assert log.get().action == "create"
    assert f"#{batch.pk}" in result.note


def test_duplicate_rows_are_summed_into_one_fact(world, billing_file):
    path = billing_file(
        [
            ("2024-09", "C1", "VOICE", "100"),
            ("2024-09", "C1", "VOICE", "0.50"),
            ("2024-09", "C1", "VOICE", "-20"),
        ]
    )
    result = imp(path)
    assert result.ok
    assert facts() == {(SEP, "C1", "VOICE"): 8050}
    assert ImportBatch.objects.get().rows == 3
    assert ImportBatch.objects.get().facts == 1


def test_xlsx_files_import_like_csv(world, billing_file):
    rows = [("2024-09", "C1", "VOICE", 100.5), ("2024-09", "C2", "CLOUD", -3)]
    result = imp(billing_file(rows, fmt="xlsx"))
    assert result.ok, result.errors
    assert facts() == {(SEP, "C1", "VOICE"): 10050, (SEP, "C2", "CLOUD"): -300}


def test_a_whole_month_is_replaced(world, billing_file):
    imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "B1", "VOICE", "2"),
                      ("2024-10", "C2", "VOICE", "3")]))  # fmt: skip
    result = imp(billing_file([("2024-09", "C1", "VOICE", "5"), ("2024-09", "C2", "LINE", "6")]))
    assert result.ok
    assert (result.created, result.updated, result.unchanged, result.deleted) == (1, 1, 0, 1)
    # B1's September fact is gone (not in the file); October is untouched.
    assert facts() == {
        (SEP, "C1", "VOICE"): 500,
        (SEP, "C2", "LINE"): 600,
        (OCT, "C2", "VOICE"): 300,
    }
    second = ImportBatch.objects.order_by("pk").last()
    assert second.replaced == 2
    assert ReplacedRevenue.objects.filter(batch=second).count() == 2
    assert rollup() == expected_rollup()
    assert ("B1", SEP) not in rollup()


def test_partial_replaces_only_the_customers_in_the_file(world, billing_file):
    imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "C1", "LINE", "1"),
                      ("2024-09", "B1", "VOICE", "2")]))  # fmt: skip
    result = imp(billing_file([("2024-09", "C1", "CLOUD", "7")]), partial=True)
    assert result.ok
    assert result.deleted == 2
    assert facts() == {(SEP, "C1", "CLOUD"): 700, (SEP, "B1", "VOICE"): 200}
    assert ImportBatch.objects.order_by("pk").last().partial
    assert rollup() == expected_rollup()


def test_reimporting_the_same_file_changes_nothing(world, billing_file):
    path = billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "C1", "VOICE", "2")])
    assert imp(path).ok
    before = state()
    changes = ObjectChange.objects.count()
    result = imp(path)
    assert result.ok
    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 0, 1, 0)
    assert "no import batch was created" in result.summary()
    assert state() == before
    assert ObjectChange.objects.count() == changes
    # Same facts written differently (one row instead of two) is the same content too.
    assert imp(billing_file([("2024-09", "C1", "VOICE", "3.00")])).ok
    assert ImportBatch.objects.count() == 1


def test_a_file_missing_facts_is_not_unchanged(world, billing_file):
    """Idempotency compares both ways: fewer facts in the file is a change (deletions)."""
    imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "C2", "VOICE", "2")]))
    result = imp(billing_file([("2024-09", "C1", "VOICE", "1")]), dry_run=True)
    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 0, 1, 1)
    assert "Would delete 1" in result.summary()


def test_dry_run_reports_and_writes_nothing(world, billing_file):
    imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "C2", "VOICE", "2")]))
    before = state()
    result = imp(
        billing_file([("2024-09", "C1", "VOICE", "9"), ("2024-09", "B1", "LINE", "1")]),
        dry_run=True,
    )
    assert result.ok
    assert (result.created, result.updated, result.unchanged, result.deleted) == (1, 1, 0, 1)
    assert state() == before


BAD_ROWS = [
    ("bad month", ("2024-13", "C1", "VOICE", "1"), "month", "Not a month"),
    ("no month", ("", "C1", "VOICE", "1"), "month", "required"),
    ("unknown customer", ("2024-09", "NOPE", "VOICE", "1"), "customer_code", "Unknown customer"),
    ("unknown product", ("2024-09", "C1", "NOPE", "1"), "product_code", "Unknown product"),
    ("non-numeric", ("2024-09", "C1", "VOICE", "12a"), "amount", "Not a number"),
    ("three decimals", ("2024-09", "C1", "VOICE", "1.234"), "amount", "2 decimal"),
    ("no amount", ("2024-09", "C1", "VOICE", ""), "amount", "required"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("case", "row", "column", "message"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS]
)
def test_a_bad_row_rejects_the_whole_file(world, billing_file, fmt, case, row, column, message):
    imp(billing_file([("2024-09", "C2", "VOICE", "1")]))
    before = state()
    path = billing_file([("2024-09", "C1", "VOICE", "1"), row, ("2024-09", "C2", "LINE", "2")], fmt)
    result = imp(path)
    assert not result.ok
    assert [(i.row, i.column) for i in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert state() == before


def test_missing_column_and_empty_files(world, billing_file, tmp_path):
    result = imp(
        billing_file([("2024-09", "C1", "1")], header=("month", "customer_code", "amount"))
    )
    assert [(i.row, i.column) for i in result.errors] == [(1, "product_code")]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = imp(empty)
    assert [i.row for i in result.errors] == [0]
    assert "empty" in result.errors[0].message
    result = imp(billing_file([]))
    assert [i.row for i in result.errors] == [0]
    assert "no data rows" in result.errors[0].message
    assert not Revenue.objects.exists() and not ImportBatch.objects.exists()


def test_issues_are_capped_sorted_and_counted(world, billing_file, monkeypatch):
    from gecrm.finance import importers

    monkeypatch.setattr(importers, "MAX_ISSUES", 5)
    rows = []
    for i in range(6):
        rows.append(("2024-09", f"X{i}", "VOICE", "1"))  # unknown customer (SQL check)
        rows.append(("2024-99", "C1", "VOICE", "1"))  # bad month (parse)
    result = imp(billing_file(rows))
    assert [(i.row, i.column) for i in result.errors[:5]] == [
        (2, "customer_code"), (3, "month"), (4, "customer_code"), (5, "month"),
        (6, "customer_code"),
    ]  # fmt: skip
    assert result.errors[5].row == 0
    assert "7 more problems" in result.errors[5].message
    assert len(result.errors) == 6


def test_negative_amounts_are_adjustments(world, billing_file):
    assert imp(billing_file([("2024-09", "C1", "CLOUD", "-100.05")])).ok
    assert facts() == {(SEP, "C1", "CLOUD"): -10005}
    assert rollup()[("C1", SEP)] == (-10005, -10005)


def test_the_signal_is_sent_once_on_commit_with_the_months(
    world, billing_file, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, months, **kwargs):
        received.append(months)

    revenue_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-10", "C1", "VOICE", "1")]))
        assert received == []  # not before the commit
        for callback in callbacks:
            callback()
        assert received == [{SEP, OCT}]
        received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-10", "C1", "VOICE", "1")]))
        assert received == []  # nothing changed: no signal
    finally:
        revenue_changed.disconnect(receiver)


# ------------------------------------------------------------------------------ data scope


def test_a_scoped_importer_cannot_import_other_provinces(world, billing_file):
    before = state()
    path = billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "B1", "VOICE", "1"),
                         ("2024-09", "B1.X", "VOICE", "1")])  # fmt: skip
    result = imp(path, actor=world["gd_sc"])
    assert [(i.row, i.column) for i in result.errors] == [
        (3, "customer_code"),
        (4, "customer_code"),
    ]
    assert "outside your data scope" in result.errors[0].message
    assert state() == before


def test_a_scoped_whole_month_replace_leaves_other_provinces_alone(world, billing_file):
    imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "C2", "VOICE", "2"),
                      ("2024-09", "B1", "VOICE", "3")]))  # fmt: skip
    result = imp(billing_file([("2024-09", "C1", "LINE", "4")]), actor=world["gd_sc"])
    assert result.ok, result.errors
    # 广东's September is replaced whole (C2 gone), 北京's B1 is untouched.
    assert facts() == {(SEP, "C1", "LINE"): 400, (SEP, "B1", "VOICE"): 300}
    batch = ImportBatch.objects.order_by("pk").last()
    assert batch.replaced == 2
    assert batch.created_by == world["gd_sc"]
    assert rollup() == expected_rollup()


def test_group_sales_controller_replaces_every_province(world, billing_file):
    imp(billing_file([("2024-09", "B1", "VOICE", "3")]))
    assert imp(billing_file([("2024-09", "C1", "LINE", "4")]), actor=world["grp_sc"]).ok
    assert facts() == {(SEP, "C1", "LINE"): 400}


# ------------------------------------------------------------------------------ CLI and export


def test_cli_import_dry_run_partial_and_user(world, billing_file, capsys):
    path = billing_file([("2024-09", "C1", "VOICE", "1")])
    call_command("import", "billing", str(path), "--dry-run")
    assert "would create 1" in capsys.readouterr().out
    assert not Revenue.objects.exists()
    call_command("import", "billing", str(path), "--partial", "--user", "gd_sc")
    assert ImportBatch.objects.get().partial
    assert ImportBatch.objects.get().created_by == world["gd_sc"]
    bad = billing_file([("2024-09", "B1", "VOICE", "1")])
    with pytest.raises(SystemExit):
        call_command("import", "billing", str(bad), "--user", "gd_sc")
    assert f"{bad}:2:customer_code:" in capsys.readouterr().err


def test_export_reimports_unchanged_and_is_scoped(world, billing_file, tmp_path):
    from gecrm.core.exporting import export_bytes

    imp(billing_file([("2024-09", "C1", "VOICE", "1.5"), ("2024-09", "B1", "CLOUD", "-2"),
                      ("2024-10", "C2", "LINE", "3")]))  # fmt: skip
    data = export_bytes("billing", None).decode("utf-8-sig")
    assert data.splitlines() == [
        "month,customer_code,product_code,amount",
        "2024-09,B1,CLOUD,-2.00",
        "2024-09,C1,VOICE,1.50",
        "2024-10,C2,LINE,3.00",
    ]
    out = tmp_path / "export.csv"
    out.write_text(data, encoding="utf-8")
    result = imp(out)
    assert result.ok and (result.created, result.updated, result.deleted) == (0, 0, 0)
    scoped = export_bytes("billing", world["gd_sc"]).decode("utf-8-sig")
    assert "B1" not in scoped and "C1" in scoped
    assert export_bytes("billing", world["bj_am"]).decode("utf-8-sig").splitlines() == [
        "month,customer_code,product_code,amount"
    ]
