"""Revenue facts from the monthly financial statistics report (财务统计月报), import batches, and
the customer-month rollup the KPI engine reads.

Money is stored as integer fen (cents, `*_cents` columns): sums are exact on every database
(SQLite would add decimals as floating point) and cheap. `gecrm.finance.money` converts.
Months are `YYYYMM` integers (`gecrm.core.months`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gecrm.catalog.models import Product
from gecrm.core.querysets import RestrictedQuerySet
from gecrm.customers.models import Customer


class ImportBatch(models.Model):
    """One billing import: what file, which months, how much, by whom; can be rolled back."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ROLLED_BACK = "rolled_back", _("rolled back")

    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    partial = models.BooleanField(_("partial"), default=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    facts = models.PositiveIntegerField(_("facts written"), default=0)
    replaced = models.PositiveIntegerField(_("facts replaced"), default=0)
    total_cents = models.BigIntegerField(_("total amount (fen)"), default=0)
    first_month = models.PositiveIntegerField(_("first month"))
    last_month = models.PositiveIntegerField(_("last month"))
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rolled back by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("billing import batch")
        verbose_name_plural = _("billing import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.file_name}"

    @property
    def total(self):
        """The total amount in yuan (`Decimal`, two places)."""
        from .money import from_cents

        return from_cents(self.total_cents)

    @property
    def months_label(self) -> str:
        """`2024-09` or `2024-01 – 2024-12`."""
        from gecrm.core.months import format_month

        first, last = format_month(self.first_month), format_month(self.last_month)
        return first if first == last else f"{first} – {last}"


class BatchMonth(models.Model):
    """A month a batch wrote (a batch may span several months)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="month_rows")
    month = models.PositiveIntegerField(_("month"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "month"], name="batchmonth_unique"),
        ]
        indexes = [models.Index(fields=["month", "batch"], name="batchmonth_month")]

    def __str__(self):
        return f"{self.batch_id}:{self.month}"


# The fact tables hold millions of rows written by set-based statements. Their references are
# plain columns, not database foreign keys (`db_constraint=False`): PostgreSQL would check every
# row of a 5,000,000-row import with a trigger at commit (most of an import's time). The writes
# check them set-based instead — `actions.do_replace_revenue` joins the facts with the customers
# and products it locks, rollback restores rows that referenced existing ones — and `on_delete`
# (PROTECT) still guards deletions through the ORM.
FACT_REFERENCE = {"db_constraint": False, "db_index": False}


class Revenue(models.Model):
    """A fact: a customer's revenue from a product in a month (may be negative: adjustments).

    Rows of the file with the same month, customer and product are summed into one fact.
    """

    month = models.PositiveIntegerField(_("month"))
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+",
        **FACT_REFERENCE,
    )  # fmt: skip
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+",
        **FACT_REFERENCE,
    )  # fmt: skip
    amount_cents = models.BigIntegerField(_("amount (fen)"))
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import batch"), on_delete=models.PROTECT, related_name="+",
        **FACT_REFERENCE,
    )  # fmt: skip

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("revenue fact")
        verbose_name_plural = _("revenue facts")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "customer", "product"], name="revenue_month_customer_product"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "month"], name="revenue_customer_month"),
            models.Index(fields=["batch"], name="revenue_batch"),
            models.Index(fields=["product", "month"], name="revenue_product_month"),
        ]

    def __str__(self):
        return f"{self.month} {self.customer_id} {self.product_id} {self.amount_cents}"


class ReplacedRevenue(models.Model):
    """A fact an import replaced, kept so that the import can be rolled back.

    `batch` is the import that replaced it; `source_batch` the one that had written it.
    """

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    source_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="+", **FACT_REFERENCE
    )
    month = models.PositiveIntegerField()
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", **FACT_REFERENCE
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", **FACT_REFERENCE
    )
    amount_cents = models.BigIntegerField()

    def __str__(self):
        return f"{self.batch_id}: {self.month} {self.customer_id} {self.product_id}"


class CustomerMonth(models.Model):
    """Rollup: a customer's revenue and ICT revenue in a month, rebuilt for the months an import
    or rollback touched (and for every month when a product's ICT flag changes)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    month = models.PositiveIntegerField(_("month"))
    revenue_cents = models.BigIntegerField(_("revenue (fen)"))
    ict_cents = models.BigIntegerField(_("ICT revenue (fen)"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer month")
        verbose_name_plural = _("customer months")
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="customermonth_unique"),
        ]
        indexes = [models.Index(fields=["month", "customer"], name="customermonth_month")]

    def __str__(self):
        return f"{self.customer_id} {self.month}"
