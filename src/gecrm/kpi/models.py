"""KPI snapshots (DESIGN.md "KPI definitions") and targets.

`GroupMonth` holds, per month, one row per customer group (a top-level customer and all its
descendants) with its YTD/PYTD sums and whether it is covered by a chief AM. `Snapshot` holds the
sums and counts of every measure per dimension (industry, org unit rolled up the tree, chief AM,
segment, all). Ratios are computed from the exact sums when read (`gecrm.kpi.measures`), so that
rounding happens once, at 4 places. Money is integer fen, months `YYYYMM` (see `finance`).
"""

import decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gecrm.core.models import BaseModel
from gecrm.core.querysets import RestrictedQuerySet
from gecrm.customers.choices import Industry, Segment
from gecrm.customers.models import Customer
from gecrm.org.models import OrgUnit


class GroupMonth(models.Model):
    """A customer group's figures for a month (every top-level customer gets a row)."""

    month = models.PositiveIntegerField(_("month"))
    # The references are written by the engine's one INSERT … SELECT from the referenced tables
    # themselves: no database constraints, whose deferred checks (and key-share row locks on
    # every customer, org unit and user) at commit took longer than the computation at 100k
    # groups. Deletes still cascade / set null through Django.
    group = models.ForeignKey(
        Customer, verbose_name=_("customer group"), on_delete=models.CASCADE, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices)
    industry = models.CharField(_("industry"), max_length=24, choices=Industry.choices, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    # The chief AM active on the last day of the month (the lowest user id if, against the
    # rules, there are several); `covered` is "has one".
    chief_am = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chief account manager"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    covered = models.BooleanField(_("covered"), default=False)
    revenue_ytd_cents = models.BigIntegerField(default=0)
    revenue_pytd_cents = models.BigIntegerField(default=0)
    ict_ytd_cents = models.BigIntegerField(default=0)
    ict_pytd_cents = models.BigIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group month")
        verbose_name_plural = _("group months")
        constraints = [
            models.UniqueConstraint(fields=["month", "group"], name="groupmonth_unique"),
        ]
        # Every index is maintained for 100k rows at each computation of a month: only those
        # that reads use (no read filters by chief AM: the chief AM scorecard groups them all).
        indexes = [
            models.Index(fields=["month", "industry"], name="groupmonth_industry"),
            models.Index(fields=["month", "org_unit"], name="groupmonth_org_unit"),
            models.Index(fields=["month", "revenue_ytd_cents"], name="groupmonth_revenue"),
        ]

    def __str__(self):
        return f"{self.month} {self.group_id}"


class TerritoryMonth(models.Model):
    """A month's horizontal (属地, by territory) figures: the customers — branches included —
    that one org unit owns directly, with one segment and industry, each customer counted for
    itself whatever its group (README "KPIs by territory").

    One row per (org unit, segment, industry) with a customer that has rollup rows in the
    month's YTD or PYTD window; a few thousand rows a month. Scoped readers whose money scope is
    a set of org unit subtrees (limited to a segment or industry) filter these rows with the
    same rule as customers: the columns carry the customers' own `org_unit_id`, `segment` and
    `industry`, as of the computation.
    """

    month = models.PositiveIntegerField(_("month"))
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices)
    industry = models.CharField(_("industry"), max_length=24, choices=Industry.choices, blank=True)
    all_customers = models.PositiveIntegerField(default=0)  # with rollup rows in the windows
    customers = models.PositiveIntegerField(default=0)  # with YTD revenue > 0
    ict_customers = models.PositiveIntegerField(default=0)  # with YTD ICT revenue > 0
    revenue_ytd_cents = models.BigIntegerField(default=0)
    revenue_pytd_cents = models.BigIntegerField(default=0)
    ict_ytd_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("territory month")
        verbose_name_plural = _("territory months")
        indexes = [models.Index(fields=["month", "org_unit"], name="territorymonth_org_unit")]

    def __str__(self):
        return f"{self.month} {self.org_unit_id} {self.segment} {self.industry}"


class Snapshot(models.Model):
    """Sums and counts of the measures over a set of groups, for one month and one dimension.

    `key` is the industry code, org unit code, chief AM username, segment code, or "" for all.
    The `covered_*` columns are the same over the covered groups of the set.
    """

    class Dimension(models.TextChoices):
        ALL = "all", _("all groups")
        SEGMENT = "segment", _("segment")
        INDUSTRY = "industry", _("industry")
        ORG_UNIT = "org_unit", _("org unit")
        CHIEF_AM = "chief_am", _("chief account manager")

    month = models.PositiveIntegerField(_("month"))
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=150, blank=True)
    all_groups = models.PositiveIntegerField(default=0)  # every group of the set
    groups = models.PositiveIntegerField(default=0)  # with YTD revenue > 0
    ict_groups = models.PositiveIntegerField(default=0)  # with YTD ICT revenue > 0
    revenue_ytd_cents = models.BigIntegerField(default=0)
    revenue_pytd_cents = models.BigIntegerField(default=0)
    ict_ytd_cents = models.BigIntegerField(default=0)
    covered_all_groups = models.PositiveIntegerField(default=0)
    covered_groups = models.PositiveIntegerField(default=0)
    covered_ict_groups = models.PositiveIntegerField(default=0)
    covered_revenue_ytd_cents = models.BigIntegerField(default=0)
    covered_revenue_pytd_cents = models.BigIntegerField(default=0)
    covered_ict_ytd_cents = models.BigIntegerField(default=0)
    # Org unit rows: the industry codes of the covered groups of the set; chief AM rows: those
    # of the chief AM's groups (";"-separated, sorted) — what their industry average is over.
    # Null on other dimensions, and on rows stored before the column existed (read from the
    # month's `GroupMonth` rows then).
    industries = models.TextField(_("industries"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "dimension", "key"], name="snapshot_month_dimension_key"
            ),
        ]

    def __str__(self):
        return f"{self.month} {self.dimension} {self.key}"


class Computation(models.Model):
    """One run of `gecrm kpi compute` for a month: when, how long, how many groups."""

    month = models.PositiveIntegerField(_("month"), db_index=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    # With a context: Django's own "groups" (auth groups, 组) must not become 集团客户数.
    groups = models.PositiveIntegerField(pgettext_lazy("customer groups", "groups"), default=0)
    reason = models.CharField(_("reason"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("KPI computation")
        verbose_name_plural = _("KPI computations")
        ordering = ["-computed_at", "-id"]

    def __str__(self):
        return f"{self.month} {self.computed_at:%Y-%m-%d %H:%M}"


class Target(BaseModel):
    """A year's targets for an org unit, an industry or a chief AM; blank targets are not set."""

    class Dimension(models.TextChoices):
        ORG_UNIT = "org_unit", _("org unit")
        INDUSTRY = "industry", _("industry")
        CHIEF_AM = "chief_am", _("chief account manager")

    year = models.PositiveSmallIntegerField(_("year"))
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=150)  # org unit code, industry code, username
    revenue_growth = models.DecimalField(
        _("revenue growth"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    ict_penetration = models.DecimalField(
        _("ICT penetration"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    covered_groups = models.PositiveIntegerField(_("covered groups"), null=True, blank=True)

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["year", "dimension", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "dimension", "key"], name="target_year_dimension_key"
            ),
        ]

    def __str__(self):
        return f"{self.year} · {self.get_dimension_display()} · {self.key}"

    def clean(self):
        """The key names an existing org unit, industry or chief AM; at least one target is
        set; growth ≥ −100 %, penetration within 0..1, a plausible year."""
        super().clean()
        errors = {}
        if self.year is not None and not 2000 <= self.year <= 2100:
            errors["year"] = _("Enter a year between 2000 and 2100.")
        key = (self.key or "").strip()
        if self.dimension == self.Dimension.ORG_UNIT:
            if key and not OrgUnit._base_manager.filter(code=key).exists():
                errors["key"] = _("No org unit with code “%(code)s”.") % {"code": key}
        elif self.dimension == self.Dimension.INDUSTRY:
            if key and key not in Industry.values:
                errors["key"] = _("Unknown industry “%(code)s”.") % {"code": key}
        elif self.dimension == self.Dimension.CHIEF_AM and key:
            from django.contrib.auth import get_user_model

            if not get_user_model()._default_manager.filter(username=key).exists():
                errors["key"] = _("No user “%(name)s”.") % {"name": key}
        if (
            self.revenue_growth is None
            and self.ict_penetration is None
            and (self.covered_groups is None)
        ):
            errors["revenue_growth"] = _(
                "Set at least one target: revenue growth, ICT penetration or covered groups."
            )
        if self.revenue_growth is not None and self.revenue_growth < decimal.Decimal(-1):
            errors["revenue_growth"] = _("Revenue growth cannot be below −100%.")
        if self.ict_penetration is not None and not (
            decimal.Decimal(0) <= self.ict_penetration <= decimal.Decimal(1)
        ):
            errors["ict_penetration"] = _("ICT penetration is a ratio between 0 and 1.")
        if errors:
            raise ValidationError(errors)
