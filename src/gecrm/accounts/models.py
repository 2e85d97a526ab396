"""Account assignments: who serves which customer, in which role, from when to when."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gecrm.core.models import BaseModel
from gecrm.customers.models import Customer

from .choices import NoteKind, Role


def active_on_q(day: datetime.date, prefix: str = "") -> Q:
    """Assignments active on `day`: started on or before it and not ended before it."""
    return Q(**{f"{prefix}start__lte": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": day})
    )


class Assignment(BaseModel):
    """A member of staff serving a customer in a role (客户经理, 首席客户经理 …).

    History is kept: an assignment is closed by an end date, never deleted by an import.
    """

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("account assignment")
        verbose_name_plural = _("account assignments")
        ordering = ["customer__code", "role", "start"]
        indexes = [
            # The data-scope lookups: "my active assignments".
            models.Index(fields=["user", "role", "start", "end"], name="assignment_user_role"),
            models.Index(fields=["customer", "role", "start"], name="assignment_customer_role"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "user", "role", "start"], name="assignment_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
            ),
        ]

    # What `__str__` reads, for pages naming many assignments (`core.changes.describe_entries`).
    str_related = ("customer", "user__staff")

    def __str__(self):
        staff = getattr(self.user, "staff", None)
        return self.describe(self.customer, staff.name if staff else self.user.username, self.role)

    @staticmethod
    def describe(customer, person, role: str) -> str:
        """`中国示范银行 (C001) · 马诗海 · 首席客户经理`: how the change log names an assignment
        (imports pass codes and usernames, which they have without a query per row)."""
        label = Role(role).label if role in Role.values else role
        return f"{customer} · {person} · {label}"

    def is_active(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start <= day and (self.end is None or self.end >= day)

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})


class TeamNote(BaseModel):
    """A note or marketing plan shared with the whole vertical team of an HQ customer (销售协同).

    The team is derived (`accounts.teams`), so a note reaches whoever is on the team when it is
    posted; the feed shows every note of the customer to every current member.
    """

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("HQ customer"),
        on_delete=models.CASCADE,
        related_name="team_notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=NoteKind.choices, default="note")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)

    class Meta:
        verbose_name = _("team note")
        verbose_name_plural = _("team notes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "created_at"], name="teamnote_feed")]

    def __str__(self):
        return self.title


class RolloutTarget(BaseModel):
    """A year's rollout targets for vertical-team coverage and org alignment (the seed's 2008
    targets are the defaults: > 200 HQ customers in 6 provinces and 8 prefectures; every
    province and half of the prefectures with corresponding units)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    covered_customers = models.PositiveIntegerField(_("covered HQ customers"), default=200)
    provinces = models.PositiveIntegerField(_("provinces taking part"), default=6)
    prefectures = models.PositiveIntegerField(_("prefectures taking part"), default=8)
    aligned_provinces = models.DecimalField(
        _("provinces aligned (share)"), max_digits=5, decimal_places=4, default=1
    )
    aligned_prefectures = models.DecimalField(
        _("prefectures aligned (share)"), max_digits=5, decimal_places=4, default="0.5"
    )

    class Meta:
        verbose_name = _("rollout target")
        verbose_name_plural = _("rollout targets")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)

    def clean(self):
        super().clean()
        errors = {}
        if self.year is not None and not 2000 <= self.year <= 2100:
            errors["year"] = _("Enter a year between 2000 and 2100.")
        for name in ("aligned_provinces", "aligned_prefectures"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                errors[name] = _("Enter a share between 0 and 1 (0.5 = 50%).")
        if errors:
            raise ValidationError(errors)


class Program(BaseModel):
    """A pilot programme (试点): pilot units, pilot customers, phases and targets."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start = models.DateField(_("start date"), null=True, blank=True)
    end = models.DateField(_("end date"), null=True, blank=True)
    units = models.ManyToManyField(
        "org.OrgUnit", verbose_name=_("pilot units"), blank=True, related_name="pilot_programs"
    )

    class Meta:
        verbose_name = _("pilot programme")
        verbose_name_plural = _("pilot programmes")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})


class Phase(BaseModel):
    """A phase or batch of a programme (第一批 …), numbered from 1, with its dates."""

    program = models.ForeignKey(
        Program, verbose_name=_("pilot programme"), on_delete=models.CASCADE, related_name="phases"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    start = models.DateField(_("start date"), null=True, blank=True)
    end = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="phase_program_number")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})


class PilotCustomer(BaseModel):
    """An HQ customer in a programme, with its responsible sales organisation (the group or a
    province) and, where given, the phase it joins in."""

    program = models.ForeignKey(
        Program, verbose_name=_("pilot programme"), on_delete=models.CASCADE, related_name="pilots"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="pilots"
    )
    org_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("responsible org unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pilots",
    )

    class Meta:
        verbose_name = _("pilot customer")
        verbose_name_plural = _("pilot customers")
        ordering = ["program", "customer__code"]
        constraints = [
            models.UniqueConstraint(fields=["program", "customer"], name="pilot_program_customer")
        ]

    def __str__(self):
        return f"{self.program.name} · {self.customer}"

    def clean(self):
        """An HQ (top-level) customer; responsible: the group or a province; a phase of the
        same programme."""
        super().clean()
        errors = {}
        if self.customer_id and self.customer.parent_id is not None:
            errors["customer"] = _(
                "Only HQ customers (without a parent) can be pilot customers; this is a branch."
            )
        if self.org_unit_id and self.org_unit.kind not in ("group", "province"):
            errors["org_unit"] = _(
                "The responsible sales organisation must be the group or a province."
            )
        if self.phase_id and self.program_id and self.phase.program_id != self.program_id:
            errors["phase"] = _("This phase belongs to another programme.")
        if errors:
            raise ValidationError(errors)


class ProgramTarget(BaseModel):
    """A programme's target, for the whole programme or one phase and/or one pilot unit: pilot
    customers, and their revenue growth and ICT penetration (blank = not set), and whether both
    must beat their industries' average."""

    program = models.ForeignKey(
        Program, verbose_name=_("pilot programme"), on_delete=models.CASCADE, related_name="targets"
    )
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), null=True, blank=True, on_delete=models.CASCADE
    )
    org_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("pilot unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    customers = models.PositiveIntegerField(_("pilot customers"), null=True, blank=True)
    revenue_growth = models.DecimalField(
        _("revenue growth"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    ict_penetration = models.DecimalField(
        _("ICT penetration"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    # The seed's target: the pilot customers' revenue growth AND ICT penetration above the
    # average of their industries (`kpi.measures.beats_industry`).
    beat_industry = models.BooleanField(
        _("growth and ICT penetration above industry"), default=False
    )

    class Meta:
        verbose_name = _("programme target")
        verbose_name_plural = _("programme targets")
        ordering = ["program", "phase", "org_unit"]
        # One target per (programme, phase or none, unit or none), portably: SQLite has no
        # NULLS NOT DISTINCT, so each shape of the key gets its own partial constraint.
        constraints = [
            models.UniqueConstraint(
                fields=["program", "phase", "org_unit"], name="programtarget_phase_unit"
            ),
            models.UniqueConstraint(
                fields=["program", "phase"],
                condition=Q(org_unit__isnull=True),
                name="programtarget_phase",
            ),
            models.UniqueConstraint(
                fields=["program", "org_unit"],
                condition=Q(phase__isnull=True),
                name="programtarget_unit",
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(phase__isnull=True, org_unit__isnull=True),
                name="programtarget_program",
            ),
        ]

    def __str__(self):
        phase = self.phase.name if self.phase_id else _("All phases")
        unit = self.org_unit.name if self.org_unit_id else _("All pilot units")
        return f"{self.program.name} · {phase} · {unit}"

    def clean(self):
        """At least one target; growth ≥ −100 %, penetration within 0..1; a phase of the same
        programme."""
        super().clean()
        errors = {}
        if (
            self.customers is None
            and self.revenue_growth is None
            and self.ict_penetration is None
            and not self.beat_industry
        ):
            errors["customers"] = _(
                "Set at least one target: pilot customers, revenue growth, ICT penetration or "
                "above industry."
            )
        if self.revenue_growth is not None and self.revenue_growth < -1:
            errors["revenue_growth"] = _("Revenue growth cannot be below −100%.")
        if self.ict_penetration is not None and not 0 <= self.ict_penetration <= 1:
            errors["ict_penetration"] = _("ICT penetration is a ratio between 0 and 1.")
        if self.phase_id and self.program_id and self.phase.program_id != self.program_id:
            errors["phase"] = _("This phase belongs to another programme.")
        if errors:
            raise ValidationError(errors)
