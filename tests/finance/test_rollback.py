"""Rolling back a billing import batch; the ICT flag of a product; rollup == facts."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gecrm.catalog.actions import do_update_product
from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange
from gecrm.finance.actions import BillingError, rollback_batch
from gecrm.finance.models import ImportBatch, ReplacedRevenue
from gecrm.finance.signals import revenue_changed

from .helpers import expected_rollup, facts, facts_with_batch, rollup

SEP, OCT = 202409, 202410


def imp(path, **kwargs):
    result = run_import("billing", path, **kwargs)
    assert result.ok, result.errors
    return ImportBatch.objects.order_by("pk").last()


def test_rollback_restores_the_previous_state_exactly(world, billing_file):
    first = imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "B1", "CLOUD", "2"),
                              ("2024-10", "C2", "LINE", "3")]))  # fmt: skip
    before = (facts_with_batch(), rollup())
    second = imp(billing_file([("2024-09", "C1", "VOICE", "5"), ("2024-09", "C2", "CLOUD", "6")]))
    assert facts_with_batch() != before[0]
    done = rollback_batch(second, world["admin"])
    assert (facts_with_batch(), rollup()) == before
    assert rollup() == expected_rollup()
    assert done.status == ImportBatch.Status.ROLLED_BACK
    assert done.rolled_back_by == world["admin"] and done.rolled_back_at is not None
    assert not ReplacedRevenue.objects.filter(batch=second).exists()
    entry = ObjectChange.objects.filter(object_type="finance.importbatch", action="update").get()
    assert entry.changes["status"] == ["active", "rolled_back"]
    # The first batch is now the latest active one of its months: it may go too.
    rollback_batch(first, world["admin"])
    assert facts() == {} and rollup() == {}


def test_rollback_is_refused_when_a_later_batch_touched_the_month(world, billing_file):
    first = imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-10", "C1", "VOICE", "1")]))
    later = imp(billing_file([("2024-10", "C2", "VOICE", "2")]))
    state = (facts_with_batch(), rollup())
    with pytest.raises(BillingError, match=f"#{later.pk}"):
        rollback_batch(first, world["admin"])
    assert (facts_with_batch(), rollup()) == state
    first.refresh_from_db()
    assert first.status == ImportBatch.Status.ACTIVE
    # Once the later one is rolled back, the first may be.
    rollback_batch(later, world["admin"])
    rollback_batch(first, world["admin"])
    assert facts() == {}


def test_a_batch_of_other_months_does_not_block(world, billing_file):
    first = imp(billing_file([("2024-09", "C1", "VOICE", "1")]))
    imp(billing_file([("2024-10", "C1", "VOICE", "1")]))
    rollback_batch(first, world["admin"])
    assert facts() == {(OCT, "C1", "VOICE"): 100}


def test_a_double_rollback_changes_nothing_and_says_so(world, billing_file):
    batch = imp(billing_file([("2024-09", "C1", "VOICE", "1")]))
    stale = ImportBatch.objects.get(pk=batch.pk)
    rollback_batch(batch, world["admin"])
    state = (facts_with_batch(), rollup(), ObjectChange.objects.count())
    with pytest.raises(BillingError, match="already rolled back"):
        rollback_batch(stale, world["admin"])
    assert (facts_with_batch(), rollup(), ObjectChange.objects.count()) == state


def test_rollback_sends_the_signal_on_commit(
    world, billing_file, django_capture_on_commit_callbacks
):
    batch = imp(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-10", "C1", "VOICE", "1")]))
    received = []

    def receiver(sender, months, **kwargs):
        received.append(months)

    revenue_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rollback_batch(batch, world["admin"])
    finally:
        revenue_changed.disconnect(receiver)
    assert received == [{SEP, OCT}]


def test_scoped_rollback_leaves_other_provinces_alone(world, billing_file):
    imp(billing_file([("2024-09", "B1", "VOICE", "3"), ("2024-09", "C1", "VOICE", "1")]))
    mine = imp(billing_file([("2024-09", "C1", "LINE", "4")]), actor=world["gd_sc"])
    assert facts() == {(SEP, "B1", "VOICE"): 300, (SEP, "C1", "LINE"): 400}
    rollback_batch(mine, world["gd_sc"])
    assert facts() == {(SEP, "B1", "VOICE"): 300, (SEP, "C1", "VOICE"): 100}
    assert rollup() == expected_rollup()


def test_cli_rollback(world, billing_file, capsys):
    batch = imp(billing_file([("2024-09", "C1", "VOICE", "1")]))
    call_command("billing", "batches")
    assert f"#{batch.pk}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="may not roll back"):
        call_command("billing", "rollback", str(batch.pk), "--user", "bj_am")
    other = imp(billing_file([("2024-10", "C1", "VOICE", "1")]), actor=world["gd_sc"])
    with pytest.raises(CommandError, match="No import batch"):
        # 广东's controller sees only their own batches.
        call_command("billing", "rollback", str(batch.pk), "--user", "gd_sc")
    call_command("billing", "rollback", str(other.pk), "--user", "gd_sc")
    call_command("billing", "rollback", str(batch.pk))
    assert "2024-09" in capsys.readouterr().out
    assert facts() == {}
    with pytest.raises(CommandError, match="already rolled back"):
        call_command("billing", "rollback", str(batch.pk))


def test_flipping_a_products_ict_flag_rebuilds_the_rollup(
    world, billing_file, django_capture_on_commit_callbacks
):
    imp(billing_file([("2024-09", "C1", "LINE", "10"), ("2024-10", "C1", "LINE", "5")]))
    assert rollup()[("C1", SEP)] == (1000, 0)
    received = []

    def receiver(sender, months, **kwargs):
        received.append(months)

    revenue_changed.connect(receiver)
    try:
        line = world["products"]["LINE"]
        with django_capture_on_commit_callbacks(execute=True):
            do_update_product(line, {"is_ict": True}, expected_version=line.version, actor=None)
        assert rollup()[("C1", SEP)] == (1000, 1000)
        assert received == [{SEP, OCT}]
        # Through the product import too.
        received.clear()
        path = billing_file(
            [("LINE", "专线", "leased_line", "false")],
            header=("code", "name", "category", "is_ict"),
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert run_import("products", path).ok
        assert rollup()[("C1", OCT)] == (500, 0)
        assert received == [{SEP, OCT}]
        # A product edit that leaves the flag alone does not rebuild anything.
        received.clear()
        line.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            do_update_product(line, {"name": "专线2"}, expected_version=line.version, actor=None)
        assert received == []
    finally:
        revenue_changed.disconnect(receiver)
    assert rollup() == expected_rollup()
