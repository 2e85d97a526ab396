"""Every write of KPI targets, and the targets' attainment.

`do_set_target` creates, `do_update_target` edits (optimistic locking: a stale `version` raises
`core.exceptions.StaleObjectError` and changes nothing), `do_delete_target` deletes — each in
one transaction with a change-log entry, like the other apps' actions.

Attainment (`attainment(target, actual)`), the traffic light of a target:
- "green": the actual reaches the target (actual ≥ target);
- "amber": close to it — for ratios (growth, penetration, `Decimal`) within 0.02 below it (two
  percentage points); for counts (covered groups, `int`) at least 90 % of it;
- "red": further below;
- "none": no target, or no actual (null measure, month not computed).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass

from django.db import transaction

from gecrm.core.changes import create_logged, delete_logged, update_versioned

from . import engine
from .measures import Figures
from .models import Target
from .scorecards import CHIEF_AM, INDUSTRY, ORG_UNIT, figures, sees_everything

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"
RATIO_TOLERANCE = decimal.Decimal("0.02")
COUNT_TOLERANCE = decimal.Decimal("0.9")
TARGET_FIELDS = ("year", "dimension", "key", "revenue_growth", "ict_penetration", "covered_groups")


def do_set_target(fields: dict, *, actor, source: str = "web") -> Target:
    """Create a target (`fields`: year, dimension, key and any of the three targets)."""
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown target fields: {sorted(unknown)}")
    target = Target(**fields)
    target.key = (target.key or "").strip()
    with transaction.atomic():
        return create_logged(target, actor=actor, source=source)


def do_update_target(
    target: Target, changes: dict, *, expected_version: int, actor, source: str = "web"
) -> dict:
    """Edit a target; returns the fields that changed. Stale `expected_version`: StaleObjectError."""
    unknown = set(changes) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown target fields: {sorted(unknown)}")
    with transaction.atomic():
        return update_versioned(
            target, changes, expected_version=expected_version, actor=actor, source=source
        )


def do_delete_target(target: Target, *, expected_version: int, actor, source: str = "web"):
    with transaction.atomic():
        return delete_logged(target, expected_version=expected_version, actor=actor, source=source)


def attainment(target, actual) -> str:
    """The traffic light of `actual` against `target` (see the module doc)."""
    if target is None or actual is None:
        return NONE
    if isinstance(target, int) and not isinstance(target, bool):
        if actual >= target:
            return GREEN
        return AMBER if decimal.Decimal(actual) >= COUNT_TOLERANCE * target else RED
    target, actual = decimal.Decimal(target), decimal.Decimal(actual)
    if actual >= target:
        return GREEN
    return AMBER if actual >= target - RATIO_TOLERANCE else RED


@dataclass
class TargetStatus:
    """A target with the actuals of its set of groups for a month, and the traffic lights.

    Actuals: revenue growth and ICT penetration over all groups of the set, `covered_groups` the
    number of covered groups of the set (with or without revenue). None when no data.
    """

    target: Target
    month: int | None
    revenue_growth: decimal.Decimal | None
    ict_penetration: decimal.Decimal | None
    covered_groups: int | None

    @property
    def revenue_growth_light(self) -> str:
        return attainment(self.target.revenue_growth, self.revenue_growth)

    @property
    def ict_penetration_light(self) -> str:
        return attainment(self.target.ict_penetration, self.ict_penetration)

    @property
    def covered_groups_light(self) -> str:
        return attainment(self.target.covered_groups, self.covered_groups)


_DIMENSION = {
    Target.Dimension.ORG_UNIT: ORG_UNIT,
    Target.Dimension.INDUSTRY: INDUSTRY,
    Target.Dimension.CHIEF_AM: CHIEF_AM,
}


def targets_with_actuals(user, month: int | None = None, *, year: int | None = None):
    """The targets of `year` (default: the month's year) with their actuals in `month`
    (default: the latest computed month), scoped like the reports: a user who does not see all
    money gets actuals over their own groups, and only the targets whose org unit, industry or
    chief AM has groups they can see (or that name themselves).
    """
    if month is None:
        month = engine.latest_month()
    if year is None:
        if month is None:
            return []
        year = month // 100
    targets = list(Target.objects.filter(year=year).order_by("dimension", "key"))
    computed = month is not None and month // 100 == year and engine.is_computed(month)
    by_dimension: dict[str, dict[str, Figures]] = {}
    if computed:
        wanted = {t.dimension for t in targets}
        for dimension in wanted:
            by_dimension[dimension] = figures(user, month, _DIMENSION[dimension])
    everything = sees_everything(user)
    result = []
    for target in targets:
        found = by_dimension.get(target.dimension, {}).get(target.key)
        if (
            not everything
            and found is None
            and not (target.dimension == Target.Dimension.CHIEF_AM and target.key == user.username)
        ):
            continue
        result.append(
            TargetStatus(
                target=target,
                month=month if computed else None,
                revenue_growth=found.all.growth if found else None,
                ict_penetration=found.all.ict_penetration if found else None,
                covered_groups=found.covered.all_groups if found else None,
            )
        )
    return result
