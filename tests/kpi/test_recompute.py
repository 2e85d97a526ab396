"""Automatic recompute after billing and assignment changes (signals sent on commit)."""

import datetime

import pytest

from gecrm.accounts.actions import do_assign, do_end_assignment
from gecrm.finance.signals import revenue_changed
from gecrm.kpi import engine, jobs
from gecrm.kpi.models import Computation, GroupMonth

from . import factories
from .conftest import M

pytestmark = pytest.mark.django_db


def test_months_affected_by_revenue():
    computed = [202212, 202301, 202303, 202312, 202401, 202403, 202501]
    # 2023-02 is in the YTD of 2023-03 and 2023-12 and the PYTD of 2024-03 (not of 2024-01).
    assert jobs.affected_by_revenue({202302}, computed) == [202302, 202303, 202312, 202403]
    # The latest changed month is computed even if nothing was before.
    assert jobs.affected_by_revenue({202401, 202405}, []) == [202405]
    assert jobs.affected_by_revenue(set(), computed) == []


def test_months_affected_by_assignments():
    computed = [202402, 202403, 202404]
    assert jobs.affected_by_assignments(datetime.date(2024, 3, 31), computed) == [202403, 202404]
    assert jobs.affected_by_assignments(datetime.date(2024, 4, 1), computed) == [202404]


def test_revenue_change_recomputes_affected_months(world):
    engine.compute(M)
    engine.compute(202301)
    factories.facts([(202402, world["e"], world["cloud"], "5")])
    revenue_changed.send(sender=None, months={202402})
    assert GroupMonth.objects.get(month=M, group=world["e"]).ict_ytd_cents == 500
    assert Computation.objects.filter(month=M, reason="billing").count() == 1
    assert Computation.objects.filter(month=202402, reason="billing").count() == 1
    # 2023-01 does not read 2024-02.
    assert not Computation.objects.filter(month=202301, reason="billing").exists()


def test_assignment_action_recomputes_on_commit(world, admin, django_capture_on_commit_callbacks):
    engine.compute(M)
    engine.compute(202402)
    with django_capture_on_commit_callbacks(execute=True):
        do_assign(world["e"], world["chief3"], "chief_am", start=datetime.date(2024, 3, 15),
                  actor=admin)  # fmt: skip
    assert GroupMonth.objects.get(month=M, group=world["e"]).covered
    assert not GroupMonth.objects.get(month=202402, group=world["e"]).covered
    assert Computation.objects.filter(reason="assignments").count() == 1


def test_ending_an_assignment_recomputes(world, admin, django_capture_on_commit_callbacks):
    engine.compute(M)
    assignment = world["a"].assignments.get(role="chief_am")
    with django_capture_on_commit_callbacks(execute=True):
        do_end_assignment(assignment, end=datetime.date(2024, 3, 1), actor=admin)
    assert not GroupMonth.objects.get(month=M, group=world["a"]).covered


def test_nothing_is_sent_before_commit(world, admin, django_capture_on_commit_callbacks):
    engine.compute(M)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_assign(world["e"], world["chief3"], "chief_am", start=datetime.date(2024, 3, 15),
                  actor=admin)  # fmt: skip
    assert len(callbacks) == 1
    assert not GroupMonth.objects.get(month=M, group=world["e"]).covered


def test_assignment_import_recomputes(world, admin, tmp_path, django_capture_on_commit_callbacks):
    from gecrm.core.importing import run_import

    engine.compute(M)
    path = tmp_path / "assignments.csv"
    path.write_text(
        "customer_code,username,role,start,end\nC005,chief3,chief_am,2024-03-01,\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import("assignments", str(path), actor=admin)
    assert result.ok, result.errors
    assert GroupMonth.objects.get(month=M, group=world["e"]).chief_am == world["chief3"]


def test_a_failing_recompute_does_not_fail_the_change(world, monkeypatch, caplog):
    def broken(month, reason=""):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "compute", broken)
    revenue_changed.send(sender=None, months={M})
    assert "KPI recompute" in caplog.text
