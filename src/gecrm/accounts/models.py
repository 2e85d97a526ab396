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

from .choices import Role


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

    def __str__(self):
        return f"{self.customer_id}:{self.user_id}:{self.role}:{self.start}"

    def is_active(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start <= day and (self.end is None or self.end >= day)

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})
