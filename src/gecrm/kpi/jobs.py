"""Background jobs of the KPI engine: recompute the snapshots after the data changed.

Job functions take plain arguments (month numbers, ISO dates) and re-read everything, so that
a Celery worker can run them as they are; in the embedded default they run in-process, right
after the transaction that changed the data committed (the signals are sent on commit).
Recomputing is idempotent: a month computed twice holds the same figures.
"""

from __future__ import annotations

import datetime
import logging

from gecrm.core import months as month_utils

from . import engine

logger = logging.getLogger(__name__)


def run(job, *args, **kwargs):
    """The embedded runner: run `job` now, in this process (Celery would enqueue it)."""
    return job(*args, **kwargs)


def affected_by_revenue(changed: set[int] | list[int], computed: list[int]) -> list[int]:
    """Months to recompute after the revenue of `changed` months changed: every computed month
    whose YTD or PYTD window contains a changed month, plus the latest changed month (so that
    a first import yields a current scorecard without waiting for `gecrm kpi compute`)."""
    changed = set(changed)
    if not changed:
        return []
    result = {max(changed)}
    for month in computed:
        ytd = month_utils.ytd(month)
        pytd = month_utils.pytd(month)
        if any(ytd[0] <= m <= ytd[1] or pytd[0] <= m <= pytd[1] for m in changed):
            result.add(month)
    return sorted(result)


def affected_by_assignments(since: datetime.date, computed: list[int]) -> list[int]:
    """Computed months whose last day (the day coverage is read on) is on or after `since`."""
    return [m for m in computed if month_utils.last_day(m) >= since]


def recompute_after_revenue_change(months: list[int]) -> list[int]:
    """Job: recompute what a billing import or rollback changed. Returns the months computed."""
    todo = affected_by_revenue(months, engine.computed_months())
    for month in todo:
        engine.compute(month, reason="billing")
    return todo


def recompute_after_assignment_change(since: str) -> list[int]:
    """Job: recompute the months whose coverage may have changed (`since`: ISO date)."""
    todo = affected_by_assignments(datetime.date.fromisoformat(since), engine.computed_months())
    for month in todo:
        engine.compute(month, reason="assignments")
    return todo


# ------------------------------------------------------------------------ signal receivers


# The change that sent the signal has committed: a failing recompute must not turn it into an
# error for the user. It is logged; the snapshots stay as they were until the next computation.


def on_revenue_changed(sender, months=None, **kwargs) -> None:
    if not months:
        return
    try:
        run(recompute_after_revenue_change, sorted(int(m) for m in months))
    except Exception:
        logger.exception("KPI recompute after a revenue change failed (months %s)", months)


def on_assignments_changed(sender, since=None, **kwargs) -> None:
    if since is None:
        return
    if isinstance(since, datetime.datetime):
        since = since.date()
    try:
        run(recompute_after_assignment_change, since.isoformat())
    except Exception:
        logger.exception("KPI recompute after an assignment change failed (since %s)", since)
